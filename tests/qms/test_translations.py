"""The Turkish catalogue is complete, consistent and actually used."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from qms.roles import Role

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("*/locale*/tr/LC_MESSAGES/django.po"))
SOURCES = ["qms", "documents", "audits", "training", "kpi", "templates", "manage.py"]


def _read(path):
    with open(path, "rb") as f:
        return read_po(f)


def _msgids(path) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in _read(path) if m.id}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_every_message_is_translated_and_not_fuzzy(path):
    catalogue = _read(path)
    assert not catalogue.fuzzy, f"{path}: header marked fuzzy, Babel would not compile it"
    untranslated = [
        m.id for m in catalogue
        if m.id and ("fuzzy" in m.flags or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert not untranslated, f"untranslated in {path}: {untranslated}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_placeholders_match(path):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _read(path).check() if errors]
    assert not problems, problems


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_catalogue_has_every_string_in_the_code(tmp_path):
    """Re-extract the strings from a copy of the code: nothing may be missing from the .po."""
    base = Path(settings.BASE_DIR)
    for name in SOURCES:
        source = base / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("*.mo", "__pycache__", "node_modules")
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "tr", "--no-location", "-i", "*/migrations/*"],
        cwd=tmp_path, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tests.settings",
             "PYTHONPATH": f"{tmp_path}:{base}"},
    )
    fresh = _msgids(tmp_path / "qms/locale/tr/LC_MESSAGES/django.po")
    committed = _msgids(base / "qms/locale/tr/LC_MESSAGES/django.po")
    assert fresh - committed == set(), "run `make messages` and translate the new strings"


def test_dashboard_speaks_turkish(role_client):
    html = role_client(Role.MANAGEMENT_REPRESENTATIVE).get("/admin/").content.decode()
    for phrase in ("Portaldaki rolünüz", "Organizasyon", "Yönetim Temsilcisi"):
        assert phrase in html
