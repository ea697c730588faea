"""The platform's settings with what a test run needs changed, and nothing else."""

import os
import tempfile

os.environ.setdefault("GUANGYING_DATA_DIR", tempfile.mkdtemp(prefix="guangying-test-"))
worker = os.environ.get("PYTEST_XDIST_WORKER")
if worker and os.path.basename(os.environ["GUANGYING_DATA_DIR"]) != worker:
    # pytest-xdist's processes inherit the folder of the process that started them: each keeps
    # its own below it (media, static files, the SQLite file), as a run without xdist has one.
    os.environ["GUANGYING_DATA_DIR"] = os.path.join(os.environ["GUANGYING_DATA_DIR"], worker)
os.environ.setdefault("GUANGYING_HTTPS", "0")
os.environ.setdefault("GUANGYING_SECRET_KEY", "test-only-key-" + "x" * 40)

from guangying.settings import *  # noqa: E402, F403
from guangying.settings import STORAGES, TASKS  # noqa: E402

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
TASKS["default"] = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Argon2 stays first (it is what production uses), with cheap parameters
# through a subclass would hide what we ship; the suite pays the real cost.
ALLOWED_HOSTS = ["*"]

from guangying.settings import DATA_DIR, DATABASES  # noqa: E402

# A file, not SQLite's shared in-memory database: threads racing for a
# quota must meet SQLite's real write lock, as they do in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

from guangying.settings import STATIC_ROOT  # noqa: E402

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
