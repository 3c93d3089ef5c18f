"""Django settings, all derived from :class:`actives.config.Settings` (``ACTIVES_*`` variables)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from actives.config import Environment, get_settings

CONFIG = get_settings()
WEB_DIR = Path(__file__).resolve().parent

SECRET_KEY = CONFIG.resolved_secret_key()
DEBUG = CONFIG.debug
ALLOWED_HOSTS = (
    [*CONFIG.allowed_hosts, "testserver"]
    if CONFIG.env is Environment.TEST
    else list(CONFIG.allowed_hosts)
)
CSRF_TRUSTED_ORIGINS = list(CONFIG.csrf_trusted_origins)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "django_tasks_db",
    "ninja",
    "actives.web.accounts",
    "actives.web.core",
    "actives.web.jobs",
    "actives.web.catalog",
    "actives.web.predictions",
    "actives.web.discovery",
    "actives.web.safety",
    "actives.web.formulas",
    "actives.web.assays",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything that reads the body (CSRF reads POST data).
    "actives.web.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "actives.web.urls"
WSGI_APPLICATION = "actives.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "actives.web.core.context_processors.platform",
            ],
        },
    },
]

_database = dj_database_url.parse(CONFIG.effective_database_url, conn_max_age=60)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server and the task worker share the file.
    CONFIG.home.mkdir(parents=True, exist_ok=True)
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file too: the live server's threads then get their own connections, as in
    # production (a shared in-memory connection breaks under parallel browser requests).
    _database["TEST"] = {"NAME": str(CONFIG.home / "test-db.sqlite3")}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = CONFIG.language_code
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
USE_I18N = True
TIME_ZONE = CONFIG.time_zone
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.home / "static"
STATICFILES_DIRS = [WEB_DIR / "static"]
if CONFIG.env is not Environment.PRODUCTION:
    STATIC_ROOT.mkdir(
        parents=True, exist_ok=True
    )  # whitenoise serves from finders; no collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if CONFIG.env is Environment.PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve static files straight from the package: no collectstatic needed.
WHITENOISE_USE_FINDERS = CONFIG.env is not Environment.PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

MAX_UPLOAD_BYTES = CONFIG.max_upload_bytes
DATA_UPLOAD_MAX_MEMORY_SIZE = CONFIG.max_upload_bytes
FILE_UPLOAD_MAX_MEMORY_SIZE = min(CONFIG.max_upload_bytes, 5 * 1024 * 1024)
CSRF_FAILURE_VIEW = "actives.web.core.views.csrf_failure"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads it from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if CONFIG.env is Environment.PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF printing logs every layout step at INFO
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
