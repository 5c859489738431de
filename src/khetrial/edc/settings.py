"""Django settings for khetrial, read from the environment with safe defaults.

``KHETRIAL_DATABASE_URL``    database URL (``sqlite:///path`` or ``postgresql://user@host/db``);
                             default: ``khetrial.sqlite3`` in the working folder.
``KHETRIAL_SECRET_KEY``      secret key for sessions and CSRF; default: the installation's key
                             file, which ``khetrial serve`` creates (mode 0600) beside the
                             SQLite file (``<db>.secret-key``) or in ``~/.config/khetrial/``;
                             without one, a public development key that ``serve`` refuses
                             on any address but loopback.
``KHETRIAL_SECRET_KEY_FILE`` where the installation's key file is (overrides the places above).
``KHETRIAL_DEBUG``           ``1`` for Django's debug pages (never in production).
``KHETRIAL_ALLOWED_HOSTS``   comma-separated host names; default ``localhost,127.0.0.1``.
``KHETRIAL_SESSION_MINUTES`` idle minutes before a session expires; default 30.
``KHETRIAL_HTTPS``           ``1`` behind HTTPS: secure cookies, HSTS, redirect to https.
``KHETRIAL_PROXY_SSL_HEADER`` behind a TLS-terminating proxy: the header by which the proxy
                             says the request came over HTTPS, e.g. ``X-Forwarded-Proto`` (its
                             value must be ``https``). Set it ONLY if the proxy always sets or
                             overwrites that header; otherwise a client could claim HTTPS.
                             Without it, ``KHETRIAL_HTTPS=1`` behind a proxy that speaks plain
                             HTTP to khetrial redirects every request to itself.
``KHETRIAL_PEDSQL_TEXTS``    the licensed PedsQL item wording for the parents' questionnaire
                             page (a JSON file, see ``khetrial.edc.web.epro.item_texts``);
                             without it the questions are numbered as on the paper form.
``KHETRIAL_LOG_LEVEL``       level of the ``khetrial`` logger on standard error; default INFO.
"""

from __future__ import annotations

import os
from pathlib import Path

from khetrial.edc.accounts.roles import MIN_PASSWORD_LENGTH
from khetrial.edc.accounts.secret_key import read_secret_key, secret_key_path
from khetrial.edc.db import database_config

BASE_DIR = Path(__file__).resolve().parent

DATABASES = {"default": database_config(os.environ.get("KHETRIAL_DATABASE_URL"))}
_SQLITE_FILE = (str(DATABASES["default"]["NAME"])
                if DATABASES["default"]["ENGINE"].endswith("sqlite3") else None)
if _SQLITE_FILE is not None:
    # WAL: readers do not wait for the writer nor block it, so several server processes
    # (`khetrial serve --workers N`) share one SQLite file; the mode is kept in the file.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
SECRET_KEY = read_secret_key(secret_key_path(_SQLITE_FILE))
DEBUG = os.environ.get("KHETRIAL_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("KHETRIAL_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",  # installed for other apps' admin modules; never routed (no admin site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "khetrial.edc.trial",
    "khetrial.edc.accounts",
    "khetrial.edc.audit",
    "khetrial.edc.randomization",
    "khetrial.edc.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "khetrial.edc.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "khetrial.edc.web.middleware.SessionActivityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "khetrial.edc.web.middleware.ApiTokenMiddleware",
    "khetrial.edc.web.language.UserLanguageMiddleware",
    "khetrial.edc.web.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "khetrial.edc.web.middleware.BlindingGuardMiddleware",
    "khetrial.edc.web.middleware.ErrorPageMiddleware",
]

ROOT_URLCONF = "khetrial.edc.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "khetrial.edc.web.context.navigation",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# argon2id with OWASP's parameters (khetrial.edc.accounts.hashers); passwords hashed with
# Django's argon2 defaults are re-hashed with these at the next login.
PASSWORD_HASHERS = [
    "khetrial.edc.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": MIN_PASSWORD_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "khetrial.edc.accounts.validators.CommonWordWithDigitsValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["khetrial.edc.accounts.backends.LockoutBackend"]

# The parents' questionnaire (ePRO): the licensed item wording, if installed.
PEDSQL_TEXTS_FILE = os.environ.get("KHETRIAL_PEDSQL_TEXTS", "")

# The second factor (django-otp's TOTP devices): the issuer authenticator apps show.
OTP_TOTP_ISSUER = "khetrial"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after KHETRIAL_SESSION_MINUTES of inactivity and when the browser closes. The
# idle timeout restarts at most once a 1/30 of it (SessionActivityMiddleware), not on every
# request: a session ends after 29 to 30 idle minutes.
SESSION_COOKIE_AGE = int(os.environ.get("KHETRIAL_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers (SecurityMiddleware, XFrameOptionsMiddleware, SecurityHeadersMiddleware).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts only from the application itself (no inline script); inline styles are allowed
# because plotly's charts set them.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                           "form-action 'self'")
_HTTPS = os.environ.get("KHETRIAL_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = 31536000 if _HTTPS else 0
_PROXY_HEADER = os.environ.get("KHETRIAL_PROXY_SSL_HEADER", "").strip()
if _PROXY_HEADER:  # e.g. X-Forwarded-Proto -> ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_HEADER.upper().replace("-", "_"), "https")

# Languages (issue 15): English and Simplified Chinese. The language is the one chosen with the
# switch in the page header (Django's set_language view, remembered in a cookie for a year),
# else the browser's Accept-Language, else English. The catalogue is edc/locale/ (see
# ARCHITECTURE.md, "Translations"); dates are written in the language's formats.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["khetrial.edc.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = _HTTPS
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"

# Caches. "advice": what the site's dashboard and the worklists compute from a patient's rows,
# keyed by the patient's revision and the day (khetrial.edc.web.bedside), in a table of the
# database (made by the web app's migrations) so that every server process shares it; entries
# of an earlier day or revision are never read again and expire after two days.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "advice": {"BACKEND": "khetrial.edc.web.cache.DatabaseCache", "LOCATION": "khetrial_cache",
               "TIMEOUT": 2 * 24 * 3600, "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4}},
}

# Logging: khetrial's own messages and Django's request errors on standard error. Allocation
# list entries never reach a log line (their repr shows no arm); request bodies are not logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "khetrial": {"handlers": ["stderr"], "level": os.environ.get("KHETRIAL_LOG_LEVEL", "INFO")},
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}

# The report page's analysis runs in a background thread of the server (a ReportJob row tracks
# it); KHETRIAL_REPORT_BACKGROUND=0 runs it in the request instead (tests, one-off scripts).
REPORT_IN_BACKGROUND = os.environ.get("KHETRIAL_REPORT_BACKGROUND", "1") != "0"
