"""Settings for the QMS portal.

One module: every value that differs between a laptop and a production server comes from the
environment (12-factor). With DEBUG off, a missing required setting stops start-up with a message
naming it instead of running with an unsafe default.
"""

import os
from datetime import date
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"Ortam değişkeni {name} tanımlı değil; DEBUG=0 iken zorunludur. "
            f"(Environment variable {name} is not set; it is required when DEBUG=0.)"
        )
    return value


DEBUG = env_bool("DEBUG", False)
# Tests and `make run` set DEBUG=1 explicitly; anything else is treated as production.

if DEBUG:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-not-for-production"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
else:
    SECRET_KEY = env_required("SECRET_KEY")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
        raise ImproperlyConfigured(
            "SECRET_KEY en az 50 karakterlik rastgele bir değer olmalıdır. "
            "(SECRET_KEY must be a random value of at least 50 characters.)"
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Ortam değişkeni ALLOWED_HOSTS tanımlı değil; DEBUG=0 iken zorunludur. "
            "(Environment variable ALLOWED_HOSTS is not set; it is required when DEBUG=0.)"
        )
    # Links in reminder e-mails and the mail relay itself: without them digests would point at
    # 127.0.0.1 or go to the console while being recorded as sent.
    env_required("BASE_URL")
    env_required("EMAIL_HOST")

# --- Applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    # The management-system core first, so its templates override Wagtail's.
    "qms",
    "documents",
    "audits",
    "training",
    "kpi",
    "kpi.callqa",
    "qms.review",
    "qms.operations",
    "wagtail.api.v3",
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "qms.apps.QmsUsersConfig",  # wagtail.users with the superuser guard (qms/users.py)
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "guardian",
    "import_export",
    "axes",
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # so widget templates can be overridden in templates/ (FORM_RENDERER below)
]

MIDDLEWARE = [
    # First: every later middleware's and view's log lines carry the request id (qms/request_log.py).
    "qms.request_log.RequestIdMiddleware",
    # Second: the latency it measures includes everything below, redirects and refusals too.
    "qms.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app servers themselves: hashed names cached for a year, gzip/brotli.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qms.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

# Widgets render through the template engine, so templates/wagtailadmin/widgets/ overrides apply
# (they replace Wagtail's inline widget scripts, which the CSP forbids).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

if not os.environ.get("DATABASE_URL"):
    (BASE_DIR / "var").mkdir(exist_ok=True)  # the embedded database's folder, git-ignored
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the portal read while an import writes; the timeout rides out short write locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
else:
    # Wagtail's search index uses PostgreSQL's full-text search there (system check postgres.E005).
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "qms",
    }
}
if os.environ.get("REDIS_URL"):
    # Several app servers share one Redis: the cache (rate limits, dashboards) and the sessions,
    # so a user stays signed in whichever server the load balancer picks. docs/deploy.md
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "qms"),
        # A Redis host that hangs (rather than refusing) must not hang every page and /health/.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"

# --- Authentication ---------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "wagtailadmin_home"
WAGTAIL_FRONTEND_LOGIN_URL = "/admin/login/"

# django-guardian: object grants for confidential records; no anonymous user, this is an intranet.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# django-axes: after AXES_FAILURE_LIMIT failures for one username from one address, that pair is
# locked for AXES_COOLOFF_MINUTES. Counting the pair (not the address) keeps a shared office NAT from
# locking out a whole floor, while still stopping guessing at any one account.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "qms/lockout.html"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy's address; PROXY_COUNT says how many
# trusted proxies append to X-Forwarded-For, so the throttle counts the real client address.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "qms.middleware.client_ip"

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "tr"
LANGUAGES = [("tr", "Türkçe"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Europe/Istanbul"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["qms.formats"]
# One catalogue for the project (templates/ and apps without a locale/ of their own write here).
# qms/locale_wagtail holds Turkish for Wagtail strings its own catalogue lacks (kept by hand).
LOCALE_PATHS = [BASE_DIR / "qms" / "locale", BASE_DIR / "qms" / "locale_wagtail"]
WAGTAIL_DATE_FORMAT = "%d.%m.%Y"
WAGTAIL_DATETIME_FORMAT = "%d.%m.%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
WAGTAIL_USER_TIME_ZONES = ["Europe/Istanbul"]
WAGTAIL_I18N_ENABLED = False

# --- Static and media -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# MEDIA_ACCEL_REDIRECT=/_media/: /media/ checks the reader, then answers with X-Accel-Redirect and nginx sends
# the file from an `internal` location (docs/deploy.md); empty: the app server streams it.
QMS_MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "").strip()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60  # unhashed names (favicon); hashed ones are cached for a year

# --- Wagtail ----------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Kalite Yönetim Portalı")
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "csv", "txt"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = 60  # seconds: at most one write a minute per token
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # an intranet makes no calls to outside services
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = env_bool("PASSWORD_RESET_ENABLED", False)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- E-mail -----------------------------------------------------------------------------------

_email_url = os.environ.get("EMAIL_HOST", "")
if _email_url:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email_url
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    # No relay configured: print mail to the console so nothing is silently lost.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kalite-portali@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
CSRF_COOKIE_HTTPONLY = False  # Wagtail's admin JavaScript reads the CSRF cookie.
X_FRAME_OPTIONS = "SAMEORIGIN"  # Wagtail's preview panel frames its own pages.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# W019: X-Frame-Options is SAMEORIGIN, not DENY, because Wagtail's preview frames our own pages
# (frame-ancestors 'self' in the CSP says the same). W021: HSTS preload is a commitment for the
# municipality's whole domain that its IT department makes, not this application (SECURE_HSTS_PRELOAD).
SILENCED_SYSTEM_CHECKS = ["security.W019", "security.W021"]

# Scripts only from our own origin (no inline script: Wagtail's few inline widget scripts are
# replaced by data attributes in templates/wagtailadmin/). Inline *styles* stay allowed because
# Wagtail's admin sets style attributes in its markup; styles cannot run code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Logging ----------------------------------------------------------------------------------

# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request_id, and for
# each request its method, path, status and duration) for a log collector; plain otherwise, as
# before. Both carry the request id, which is also echoed in the X-Request-ID response header.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower() or "plain"
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(
        "LOG_FORMAT 'plain' ya da 'json' olmalıdır. (LOG_FORMAT must be 'plain' or 'json'.)"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "qms.request_log.RequestIdFilter"}},
    "formatters": {"json": {"()": "qms.request_log.JsonLogFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # One line per request: in JSON for the log store; in the plain format gunicorn's access
        # log already has these lines, so only slow-path warnings would show.
        "qms.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}

# --- The portal's own settings ----------------------------------------------------------------

# Controlled documents: uploaded files are kept outside MEDIA_ROOT (no URL maps to them) and served
# only after a permission check; the upload limit is in megabytes.
QMS_PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or BASE_DIR / "var" / "private")
QMS_DOCUMENT_MAX_UPLOAD_MB = float(os.environ.get("DOCUMENT_MAX_UPLOAD_MB", "20"))
QMS_DOCUMENT_MASTER_LIST_CODE = os.environ.get("DOCUMENT_MASTER_LIST_CODE", "")  # e.g. LS-KYRŞ-001, on its PDF
QMS_DOCUMENT_ACKNOWLEDGE_DAYS = 14  # days after a revision comes into force to confirm reading it
# Approving the last workflow step publishes through the documents app's rule (author != approver,
# the approved revision frozen as 00, 01 ...); other models keep Wagtail's default.
WAGTAIL_FINISH_WORKFLOW_ACTION = "documents.workflows.finish_workflow"

QMS_SEED_MODULES = ["qms", "documents", "audits", "training", "kpi", "kpi.callqa", "qms.review"]
QMS_DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Kalite.2026")
# seed_demo creates accounts with a known password: only on development installs (DEBUG=1).
QMS_ALLOW_DEMO_DATA = DEBUG

# Training: orientation within N days of the hire date; the manager's effectiveness evaluation N
# months after a session; the self check-in QR code changes every N seconds (the previous code is
# still accepted, so a scan at the turn of a step works) and is accepted from N minutes before the
# session starts until it ends.
QMS_TRAINING_ORIENTATION_DAYS = int(os.environ.get("TRAINING_ORIENTATION_DAYS", "30"))
QMS_TRAINING_EFFECTIVENESS_MONTHS = int(os.environ.get("TRAINING_EFFECTIVENESS_MONTHS", "3"))
# Orientation is required of people hired on or after this date (ISO date, e.g. the day the
# portal went live; empty: everyone with a hire date). Staff with no hire date are never new hires.
try:
    QMS_TRAINING_ORIENTATION_SINCE = (date.fromisoformat(os.environ["TRAINING_ORIENTATION_SINCE"])
                                      if os.environ.get("TRAINING_ORIENTATION_SINCE") else None)
except ValueError:
    raise ImproperlyConfigured(
        "TRAINING_ORIENTATION_SINCE must be a date such as 2026-01-01 "
        "(TRAINING_ORIENTATION_SINCE 2026-01-01 gibi bir tarih olmalı)."
    ) from None
QMS_TRAINING_CHECKIN_STEP_SECONDS = 30
QMS_TRAINING_CHECKIN_OPENS_MINUTES = 30

# Citizen-request KPIs (kpi/): the admin's upload limit (the command reads larger files as a
# stream); a rate whose denominator is below the minimum sample is shown as such and never
# coloured; the crisis report lists units whose overdue backlog reaches N requests or whose
# on-time rate over the last 7 days falls below the share given; how many requests seed_demo makes.
QMS_KPI_IMPORT_MAX_BYTES = int(float(os.environ.get("KPI_IMPORT_MAX_MB", "50")) * 1024 * 1024)
QMS_KPI_IMPORT_COMMAND_MAX_BYTES = int(float(os.environ.get("KPI_IMPORT_COMMAND_MAX_MB", "2048")) * 1024 * 1024)
QMS_KPI_API_BATCH_MAX = 10_000
QMS_KPI_MIN_SAMPLE = int(os.environ.get("KPI_MIN_SAMPLE", "20"))
QMS_KPI_CRISIS_OVERDUE = int(os.environ.get("KPI_CRISIS_OVERDUE", "50"))
QMS_KPI_CRISIS_ON_TIME_RATE = float(os.environ.get("KPI_CRISIS_ON_TIME_RATE", "0.80"))
QMS_KPI_DEMO_REQUESTS = int(os.environ.get("KPI_DEMO_REQUESTS", "200000"))

# Contact centre and call QA (kpi/callqa): the service-level definition (docs/kpi.md). A call
# answered within SL seconds meets the service level; an abandon under SHORT_ABANDON seconds is a
# short abandon. Centres differ on whether short abandons leave the denominator and whether an
# abandon within the threshold counts as met: both are settings, and every report states them.
# After changing the thresholds, run `manage.py rebuild_call_rollups`.
QMS_CALL_SL_SECONDS = int(os.environ.get("CALL_SL_SECONDS", "20"))
QMS_CALL_SHORT_ABANDON_SECONDS = int(os.environ.get("CALL_SHORT_ABANDON_SECONDS", "5"))
QMS_CALL_SL_EXCLUDE_SHORT_ABANDONS = os.environ.get("CALL_SL_EXCLUDE_SHORT_ABANDONS", "1") == "1"
QMS_CALL_SL_ABANDONS_IN_THRESHOLD_MET = os.environ.get("CALL_SL_ABANDONS_IN_THRESHOLD_MET", "0") == "1"
QMS_CALL_API_BATCH_MAX = 10_000
# Call QA: answered calls sampled per agent and month; days an agent has to acknowledge or dispute
# a submitted evaluation; days a coaching task is given; the calibration tolerance (points).
QMS_CALLQA_SAMPLE_PER_AGENT = int(os.environ.get("CALLQA_SAMPLE_PER_AGENT", "5"))
QMS_CALLQA_DISPUTE_DAYS = int(os.environ.get("CALLQA_DISPUTE_DAYS", "7"))
QMS_CALLQA_COACHING_DAYS = int(os.environ.get("CALLQA_COACHING_DAYS", "14"))
QMS_CALLQA_CALIBRATION_TOLERANCE = float(os.environ.get("CALLQA_CALIBRATION_TOLERANCE", "5"))
# An evaluation submitted within this many days after its month's end counts as on time (productivity).
QMS_CALLQA_EVALUATION_GRACE_DAYS = int(os.environ.get("CALLQA_EVALUATION_GRACE_DAYS", "5"))
# Repeated coaching: this many coaching tasks for one agent within the window (days) offers a DÖF.
QMS_CALLQA_REPEAT_COACHING = int(os.environ.get("CALLQA_REPEAT_COACHING", "3"))
QMS_CALLQA_REPEAT_WINDOW_DAYS = int(os.environ.get("CALLQA_REPEAT_WINDOW_DAYS", "90"))
# How many calls seed_demo makes (the last 91 days), and how many an agent's monthly demo sample holds.
QMS_CALL_DEMO_CALLS = int(os.environ.get("CALL_DEMO_CALLS", "300000"))
QMS_CALLQA_DEMO_PER_AGENT = int(os.environ.get("CALLQA_DEMO_PER_AGENT", "5"))

# --- Management review --------------------------------------------------------------------------
# The dashboard warns when no review was approved within this many months (seed 001: once a year).
QMS_REVIEW_INTERVAL_MONTHS = int(os.environ.get("REVIEW_INTERVAL_MONTHS", "12"))
# Review actions are reminded this many days before they fall due (and every day once overdue).
QMS_REVIEW_ACTION_NOTICE_DAYS = int(os.environ.get("REVIEW_ACTION_NOTICE_DAYS", "7"))

# --- Directory sign-in (LDAP / Active Directory) ------------------------------------------------
# Off unless LDAP_SERVER_URI is set. qms/directory/__init__.py reads the LDAP_* variables (docs/deploy.md,
# "Directory sign-in") and refuses a malformed one here, at start-up, naming it. The directory
# backend goes after django-axes (lockouts still count) and before ModelBackend (local accounts,
# such as the IT administrator's, keep signing in, also while the directory is down).
from qms.directory import directory_settings, with_directory_backend  # noqa: E402

_directory = directory_settings(os.environ)
if _directory:
    globals().update(_directory)
    AUTHENTICATION_BACKENDS = with_directory_backend(AUTHENTICATION_BACKENDS)

# --- Backups ------------------------------------------------------------------------------------
# `manage.py backup` / `restore` (qms/operations/backup.py). The PostgreSQL client tools by path:
# pg_dump must be at least the server's major version, and servers often carry several (e.g.
# /usr/lib/postgresql/16/bin/pg_dump), so the right one is chosen per install.
QMS_PG_DUMP = os.environ.get("PG_DUMP", "pg_dump")
QMS_PG_RESTORE = os.environ.get("PG_RESTORE", "pg_restore")
# Where the worker's nightly backup and `manage.py backup` without a folder write; put it on another
# disk (or a mounted share) than the database, or a dead disk takes the backups with it.
QMS_BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or BASE_DIR / "var" / "backups")
# How many archives a backup run keeps in that folder (the oldest go first); 0 keeps them all, for
# sites whose backup folder is rotated by the storage system itself.
QMS_BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))

# --- Retention of personal data (KVKK) ----------------------------------------------------------
# How many days each kind of personal record is kept before `manage.py apply_retention` deletes or
# anonymises it (qms/operations/retention.py; 0 = keep forever). Each is RETENTION_<TYPE>_DAYS.
# - call recordings (the link to the audio): 2 years, the usual KVKK practice for contact-centre
#   recordings; the call row itself (no caller identity) stays longer.
# - call records: 3 years, so a management review can still compare this year with the two before
#   (the KPI rollups are aggregates and are kept for ever). Evaluated calls follow the evaluations.
# - call QA evaluations (with scores, disputes, coaching): 3 years, one ISO certification cycle, so
#   the certification audit and the two surveillance audits can see them.
# - attendance signatures (self check-in time and its log entry): 3 years, one certification cycle;
#   the attendance itself (present/absent) stays, competence records and certificates need it.
# - audit-log entries about personal records: 5 years, the limitation period for employees' claims
#   (4857 sayılı İş Kanunu, ek madde 3), after which the trail is kept without names or content.
QMS_RETENTION_DAYS = {
    key: int(os.environ.get(f"RETENTION_{key.upper()}_DAYS", default))
    for key, default in (("call_recordings", "730"), ("call_records", "1095"), ("call_evaluations", "1095"),
                         ("attendance_signatures", "1095"), ("audit_log", "1825"))
}
if any(days < 0 for days in QMS_RETENTION_DAYS.values()):
    raise ImproperlyConfigured(
        "RETENTION_*_DAYS sıfır (sonsuza dek sakla) ya da pozitif bir gün sayısı olmalıdır. "
        "(RETENTION_*_DAYS must be 0, keep forever, or a positive number of days.)"
    )

# --- Monitoring and the background worker -------------------------------------------------------
# /health/ (unauthenticated, for load balancers): "degraded" when the newest worker heartbeat is
# older than WORKER_STALE_SECONDS (0: no worker on this installation, jobs run from cron) or a
# media folder's disk has less than HEALTH_MIN_FREE_MB free (uploads and backups would fail).
QMS_WORKER_STALE_SECONDS = int(os.environ.get("WORKER_STALE_SECONDS", "180"))
QMS_HEALTH_MIN_FREE_MB = int(os.environ.get("HEALTH_MIN_FREE_MB", "1024"))
# /metrics/ answers a scraper sending "Authorization: Bearer <METRICS_TOKEN>" (and signed-in
# superusers); without a token it does not exist (404). PROMETHEUS_MULTIPROC_DIR (read by
# prometheus_client itself) adds up the gunicorn processes' figures: docs/deploy.md.
QMS_METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
if QMS_METRICS_TOKEN and len(QMS_METRICS_TOKEN) < 32 and not DEBUG:
    raise ImproperlyConfigured(
        "METRICS_TOKEN en az 32 karakterlik rastgele bir değer olmalıdır. "
        "(METRICS_TOKEN must be a random value of at least 32 characters.)"
    )
# The background worker (manage.py run_worker, qms/operations/worker.py): it writes its heartbeat
# every WORKER_INTERVAL_SECONDS and looks for due jobs; a slot missed while it was down still runs
# when it comes back within WORKER_GRACE_HOURS (later than that, the next slot is awaited: a
# two-day-old reminder run is worse than none). WORKER_DISABLED_JOBS: job names, comma-separated,
# for jobs this installation runs otherwise or not at all.
QMS_WORKER_INTERVAL_SECONDS = int(os.environ.get("WORKER_INTERVAL_SECONDS", "30"))
QMS_WORKER_GRACE_HOURS = float(os.environ.get("WORKER_GRACE_HOURS", "12"))
QMS_WORKER_DISABLED_JOBS = env_list("WORKER_DISABLED_JOBS")
# The nightly backup job runs only where BACKUP_DIR is set explicitly (QMS_BACKUP_DIR's default,
# var/backups, is for manual runs: an archive on the data's own disk protects against little).
QMS_WORKER_BACKUP = bool(os.environ.get("BACKUP_DIR", "").strip())
