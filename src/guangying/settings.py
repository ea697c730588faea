"""Settings, read from GUANGYING_* environment variables.

The defaults give the embedded set-up an office can run on one machine:
SQLite and local files under GUANGYING_DATA_DIR, e-mail printed to the
console, background work in a worker process fed through the database.
At scale the same variables point at PostgreSQL, object storage and SMTP.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("GUANGYING_DATA_DIR") or Path.cwd() / "var").resolve()


def _secret_key() -> str:
    """A stable key without configuration: made once and kept beside the data.

    A key baked into the code would be public; one made per start would log
    everyone out and break password-reset links at every restart.
    """
    configured = os.environ.get("GUANGYING_SECRET_KEY", "").strip()
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("GUANGYING_DEBUG", False)
ALLOWED_HOSTS = env_list("GUANGYING_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("GUANGYING_CSRF_TRUSTED_ORIGINS")

# Behind TLS (the normal case in production) cookies are marked secure and
# plain HTTP is redirected. The demo on http://127.0.0.1:8000 turns it off.
HTTPS = env_bool("GUANGYING_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
if env_bool("GUANGYING_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the site's owner, not a default.
    "security.W021",
]
if not HTTPS:
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "rules",
    "axes",
    "guangying.accounts",
    "guangying.campaigns",
    "guangying.submissions",
    "guangying.uploads",
    "guangying.playback",
    "guangying.documents",
    "guangying.reviews",
    "guangying.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guangying.urls"
WSGI_APPLICATION = "guangying.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Widgets (lists of people, 播出情况) have templates of their own in the project.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("GUANGYING_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'guangying.sqlite3'}",
        conn_max_age=int(os.environ.get("GUANGYING_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes every atomic block take SQLite's write lock when it
    # starts, so two requests racing for the last place of a quota are
    # serialised instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Failed log-ins: five tries per account and address, then a quarter of an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("GUANGYING_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GUANGYING_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("GUANGYING_STATIC_ROOT") or DATA_DIR / "static")
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("GUANGYING_MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "/media-not-public/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "GUANGYING_STATICFILES_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Object storage (S3 or any S3-compatible server) instead of local disk. Files are
# private: no public ACL, reached only through the platform's checked views.
if os.environ.get("GUANGYING_STORAGE", "local").strip().lower() == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("GUANGYING_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("GUANGYING_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("GUANGYING_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("GUANGYING_S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("GUANGYING_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Where a video kept in object storage is copied for the rendition child, which needs a path.
GUANGYING_WORK_TEMP_DIR = os.environ.get("GUANGYING_WORK_TEMP_DIR") or None

# Uploads are spooled to disk past 1 MiB and copied to storage in chunks:
# a video of several gigabytes never sits in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_TEMP_DIR = os.environ.get("GUANGYING_UPLOAD_TEMP_DIR") or None
FILE_UPLOAD_PERMISSIONS = 0o640
GUANGYING_MAX_VIDEO_MB = int(os.environ.get("GUANGYING_MAX_VIDEO_MB", str(8 * 1024)))
# Resumable (tus) uploads: partial files live here until the last byte, and go
# when nobody continues them for this many hours; parallel unfinished uploads per person.
GUANGYING_UPLOAD_DIR = os.environ.get("GUANGYING_UPLOAD_DIR") or None
GUANGYING_UPLOAD_EXPIRY_HOURS = float(os.environ.get("GUANGYING_UPLOAD_EXPIRY_HOURS", "24"))
GUANGYING_UPLOAD_MAX_PARALLEL = int(os.environ.get("GUANGYING_UPLOAD_MAX_PARALLEL", "3"))

DEFAULT_FROM_EMAIL = os.environ.get("GUANGYING_DEFAULT_FROM_EMAIL", "光影 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("GUANGYING_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["GUANGYING_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("GUANGYING_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("GUANGYING_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("GUANGYING_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("GUANGYING_EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("GUANGYING_EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = os.environ.get(
        "GUANGYING_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GUANGYING_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Site address used in e-mails when no request is at hand (worker tasks).
SITE_URL = os.environ.get("GUANGYING_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GUANGYING_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SESSION_COOKIE_AGE = 60 * 60 * 12
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
USE_THOUSAND_SEPARATOR = False
