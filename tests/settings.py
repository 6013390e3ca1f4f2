"""Settings for the test suite: the real settings in development mode, with a fast password hasher."""

import os

os.environ.setdefault("DEBUG", "1")

from qms.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# A file, not SQLite's shared in-memory database: the browser tests' live server then gets its
# own connection instead of sharing the test thread's (two threads on one SQLite connection race).
# One file per test process, so that two runs side by side never share (or delete) a database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not DATABASES["default"]["TEST"]["NAME"]:  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405

# Uploaded document files of a test run go to a throw-away folder, never into var/private.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

QMS_PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="qms-test-private-"))  # noqa: F405
atexit.register(shutil.rmtree, QMS_PRIVATE_MEDIA_ROOT, ignore_errors=True)
QMS_KPI_DEMO_REQUESTS = 3000  # the demo year of citizen requests, small: seeding stays fast in tests and e2e
QMS_CALL_DEMO_CALLS = 6000  # the demo quarter of calls, small for the same reason
QMS_CALLQA_DEMO_PER_AGENT = 1
