"""Django settings for khetrial, read from the environment with safe defaults.

``KHETRIAL_DATABASE_URL``  database URL (``sqlite:///path`` or ``postgresql://user@host/db``);
                           default: ``khetrial.sqlite3`` in the working folder.
``KHETRIAL_SECRET_KEY``    secret key for sessions and CSRF; default: a development key
                           (set it in any real deployment).
``KHETRIAL_DEBUG``         ``1`` for Django's debug pages (never in production).
``KHETRIAL_ALLOWED_HOSTS`` comma-separated host names; default ``localhost,127.0.0.1``.
"""

from __future__ import annotations

import os
from pathlib import Path

from khetrial.db import database_config

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get(
    "KHETRIAL_SECRET_KEY", "khetrial-development-key-set-KHETRIAL_SECRET_KEY-in-production"
)
DEBUG = os.environ.get("KHETRIAL_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("KHETRIAL_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "khetrial.trial",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "khetrial.urls"

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
            ],
        },
    },
]

DATABASES = {"default": database_config(os.environ.get("KHETRIAL_DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
