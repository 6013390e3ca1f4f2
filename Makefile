# Two commands: `make run` serves the demo portal, `make test` runs the whole suite.
# Everything else here is what those two need; see README.md.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
APPS := qms documents audits training kpi

# The first interpreter that is really Python >= 3.12 (a pyenv shim can exist and still fail).
PYTHON ?= $(shell for c in python3.13 python3.12 python3; do \
	command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 \
	&& { echo $$c; break; }; done)

export DEBUG ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: run test install install-dev system-deps prod-check messages compile-messages migrate seed e2e-deps lint check-migrations clean

$(VENV)/.created:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.12 or newer is needed (Django 6 requires it); none of python3.13, python3.12, python3 is." >&2; \
		echo "Python 3.12+ gerekli; bulunamadı. Install it (e.g. 'pyenv install 3.12') and run make again." >&2; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml | system-deps
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# What the dev extra and the directory tests need from Debian: python-ldap's headers and OpenLDAP's
# server (the tests start their own slapd on a free port). Installed when missing and run as root.
LDAP_DEB := libldap2-dev libsasl2-dev slapd ldap-utils
system-deps:
	@if [ ! -f /usr/include/ldap.h ] || [ ! -f /usr/include/sasl/sasl.h ] || [ ! -x /usr/sbin/slapd ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "== installing $(LDAP_DEB) from Debian"; \
			(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(LDAP_DEB) >/dev/null 2>&1 || \
			 (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(LDAP_DEB) >/dev/null)) || exit 1; \
		else \
			echo "The development install needs Debian's $(LDAP_DEB) (python-ldap builds against them)." >&2; \
			echo "Geliştirme kurulumu için şu paketler gerekli: sudo apt-get install $(LDAP_DEB)" >&2; \
			exit 1; \
		fi; fi

# Compile every app's Turkish catalogue with Babel, so no system gettext is needed.
compile-messages: $(VENV)/.installed
	@for po in $$(ls $(addsuffix /locale*/tr/LC_MESSAGES/django.po,$(APPS)) 2>/dev/null); do \
		$(VENV)/bin/pybabel --quiet compile -D django -d $${po%/tr/LC_MESSAGES/django.po} -l tr || exit 1; \
	done

# Re-extract strings after changing code (needs GNU gettext, a developer tool only).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l tr --no-obsolete --no-location -i '.venv/*' -i 'tests/*' -i 'var/*' -i 'benchmarks/*' -i '*/migrations/*' -i '*/node_modules/*'

var:
	@mkdir -p var

migrate: $(VENV)/.installed var
	$(PY) manage.py migrate --no-input -v 0

seed: migrate
	$(PY) manage.py seed_demo

run: compile-messages seed
	@echo "Portal: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, see README for demo users)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Browser-test dependencies: axe-core from npm (for the WCAG checks). Chromium is Debian's.
e2e-deps:
	@if command -v npm >/dev/null 2>&1 && [ ! -d tests/e2e/node_modules/axe-core ]; then \
		npm ci --prefix tests/e2e --no-audit --no-fund --silent || npm install --prefix tests/e2e --no-audit --no-fund --silent; fi

# One pytest worker per core (pytest-xdist), listing the 25 slowest tests; `make test PYTEST_ARGS=` runs serially.
PYTEST_ARGS ?= -n auto --durations=25

test: install-dev compile-messages e2e-deps var
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

# gunicorn with production settings on a throw-away PostgreSQL database, smoke-tested over HTTP
# (sign-in, a PDF, an export, the API, static and media files, security headers); needs PostgreSQL
# and Redis on 127.0.0.1 like CI. docs/deploy.md says what it proves.
prod-check: install-dev compile-messages
	$(PY) .ci/prod_check.py

clean:
	rm -rf $(VENV) var tests/artifacts tests/e2e/node_modules
