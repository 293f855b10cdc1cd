"""Django settings. Everything deployment-specific comes from ``LIUHEN_*`` environment variables.

``LIUHEN_HOME`` (default ``./var``) is the data directory: the SQLite database, the vault and
the agency keys live there unless overridden.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"LIUHEN_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


LIUHEN_HOME = Path(env("HOME", "var")).resolve()
LIUHEN_VAULT_DIR = Path(env("VAULT_DIR", str(LIUHEN_HOME / "vault"))).resolve()
LIUHEN_KEYS_DIR = Path(env("KEYS_DIR", str(LIUHEN_HOME / "keys"))).resolve()
LIUHEN_STORAGE = env("STORAGE", "fs")
# Upload size limit per file (bytes); 8 GiB by default.
LIUHEN_MAX_UPLOAD_BYTES = int(env("MAX_UPLOAD_BYTES", str(8 * 1024**3)))
# An unfinished resumable upload (tus) idle this long expires and its partial bytes are deleted.
LIUHEN_UPLOAD_EXPIRE_HOURS = float(env("UPLOAD_EXPIRE_HOURS", "24"))
# Audio-visual dock import (liuhen/av): a recording whose embedded time differs from the time its
# file name or sidecar claims by more than this is flagged; `--watch` polls this often; activities
# within this margin of a recording are suggested for it.
LIUHEN_AV_TIME_TOLERANCE_SECONDS = int(env("AV_TIME_TOLERANCE_SECONDS", "120"))
LIUHEN_AV_WATCH_INTERVAL_SECONDS = float(env("AV_WATCH_INTERVAL_SECONDS", "5"))
LIUHEN_AV_SUGGEST_MARGIN_MINUTES = int(env("AV_SUGGEST_MARGIN_MINUTES", "60"))
# Access grants and the unusual-access report (AC-1, AC-4; docs/access.md).
LIUHEN_ACCESS_MAX_DAYS = int(env("ACCESS_MAX_DAYS", "30"))
LIUHEN_ACCESS_UNUSUAL_FACTOR = float(env("ACCESS_UNUSUAL_FACTOR", "3"))
LIUHEN_ACCESS_UNUSUAL_MIN = int(env("ACCESS_UNUSUAL_MIN", "10"))
LIUHEN_ACCESS_BASELINE_DAYS = int(env("ACCESS_BASELINE_DAYS", "30"))
# The dock import commits this many files (or this much data) per transaction.
LIUHEN_AV_DOCK_BATCH_FILES = int(env("AV_DOCK_BATCH_FILES", "64"))
LIUHEN_AV_DOCK_BATCH_MIB = int(env("AV_DOCK_BATCH_MIB", "64"))
# Background tasks (derivatives of audio-visual items): django-tasks with its database backend, so
# the embedded default needs no extra server; `liuhen serve` starts one `liuhen worker` process
# (LIUHEN_WORKER=0 to run it separately). Transcoding a file may take this long at most.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "av"]}}
LIUHEN_WORKER = env_bool("WORKER", True)
LIUHEN_AV_TRANSCODE_TIMEOUT_SECONDS = int(env("AV_TRANSCODE_TIMEOUT_SECONDS", "7200"))
# A ranged read of the same file by the same person within this window continues a logged playback.
LIUHEN_AV_ACCESS_WINDOW_SECONDS = int(env("AV_ACCESS_WINDOW_SECONDS", "600"))
# A signed Merkle checkpoint is made after this many new ledger entries (and by `liuhen checkpoint`).
LIUHEN_CHECKPOINT_EVERY = int(env("CHECKPOINT_EVERY", "256"))
# The name a checkpoint is signed under (the transparency-log "origin" line).
LIUHEN_LEDGER_ORIGIN = env("LEDGER_ORIGIN", "liuhen")


def _secret_key() -> str:
    configured = env("SECRET_KEY")
    if configured:
        return configured
    path = LIUHEN_HOME / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        LIUHEN_HOME.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "liuhen.core",
    "liuhen.ledger",
    "liuhen.policy",
    "liuhen.vault",
    "liuhen.org",
    "liuhen.cases",
    "liuhen.records",
    "liuhen.documents",
    "liuhen.workdays",
    "liuhen.equipment",
    "liuhen.uploads",
    "django_tasks",
    "django_tasks_db",
    "liuhen.av",
    "liuhen.review",
    "liuhen.archives",
    "liuhen.access",
    "liuhen.retention",
    "liuhen.exports",
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
]

ROOT_URLCONF = "liuhen.urls"
WSGI_APPLICATION = "liuhen.wsgi.application"
AUTH_USER_MODEL = "org.Person"
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "cases:dashboard"
LOGOUT_REDIRECT_URL = "org:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "liuhen.workdays.context_processors.calendar_warning",
            ]
        },
    }
]


def _database(url: str) -> dict[str, object]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(LIUHEN_HOME / "liuhen.sqlite3"),
            # IMMEDIATE: writers take the lock at BEGIN, so the ledger head read inside a
            # transaction cannot go stale (gap-free sequence, no SQLITE_BUSY upgrade deadlocks).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            },
            "TEST": {"NAME": env("TEST_SQLITE_NAME") or None},
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"LIUHEN_DATABASE_URL: unsupported scheme {parsed.scheme!r}")
    options: dict[str, str] = {}
    host = parsed.hostname or ""
    # postgres://user@/db?host=/tmp/sock style: a socket directory in the query string.
    for part in parsed.query.split("&"):
        if part.startswith("host="):
            host = unquote(part[5:])
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.path.lstrip("/") or "liuhen",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "OPTIONS": options,
    }


DATABASES = {"default": _database(env("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = LIUHEN_HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are served by WhiteNoise straight from the package: no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = LIUHEN_HOME / "media"

# Uploads stream to disk above 2.5 MB; the vault re-reads them in one hashing pass.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(LIUHEN_HOME / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
# WhiteNoise serves from the finders (no collectstatic step); an existing root silences its warning.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
