"""Configuration classes: values only, read from the environment with safe defaults."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'events.sqlite'}")
    #: No pool_pre_ping: app.extensions.ping_idle_connections pings only connections that sat idle.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: Base URL used in emails and calendar feeds, where no request is at hand.
    SERVER_BASE_URL = os.environ.get("SERVER_BASE_URL", "http://127.0.0.1:5000")
    #: The domain part of calendar UIDs: never change it once calendars subscribed.
    ICAL_UID_DOMAIN = os.environ.get("ICAL_UID_DOMAIN", "events.example.org")
    FEED_REFRESH_MINUTES = _int("FEED_REFRESH_MINUTES", 60)
    #: Rendered public pages and feeds kept per process, keyed on the agenda's data version (0: no cache).
    PUBLIC_CACHE_SIZE = _int("PUBLIC_CACHE_SIZE", 256)
    #: How long a process trusts the agenda version it looked up; its own changes show at once, others' after this.
    PUBLIC_CACHE_SECONDS = _int("PUBLIC_CACHE_SECONDS", 2)

    # Flask-Mail's own names. No MAIL_SERVER means: write .eml files to MAIL_FILE_DIR.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "events@example.org")
    MAIL_SUPPRESS_SEND = _bool("MAIL_SUPPRESS_SEND")
    MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 20)
    #: The mail server offers SMTPUTF8 (RFC 6531): forms accept addresses with a non-ASCII local part. Delivery
    #: uses SMTPUTF8 whenever the server offers it, whatever this says; without it such a message fails for good.
    MAIL_SMTPUTF8 = _bool("MAIL_SMTPUTF8")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    #: The mail server offers SMTPUTF8 (RFC 6531): only then are addresses with non-ASCII before the @ taken.
    MAIL_SMTPUTF8 = os.environ.get("MAIL_SMTPUTF8", "") == "1"
    #: How long a worker's claim on a message lasts; after that another worker may take it over.
    OUTBOX_CLAIM_SECONDS = _int("OUTBOX_CLAIM_SECONDS", 300)
    #: Temporary failures are retried this many times in all before the message is marked failed.
    OUTBOX_MAX_ATTEMPTS = _int("OUTBOX_MAX_ATTEMPTS", 12)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    #: Registration submissions per client IP and per email address (Flask-Limiter syntax).
    REGISTRATION_RATE_LIMIT_IP = os.environ.get("REGISTRATION_RATE_LIMIT_IP", "10 per minute;60 per hour")
    REGISTRATION_RATE_LIMIT_EMAIL = os.environ.get("REGISTRATION_RATE_LIMIT_EMAIL", "5 per hour")
    #: Failed organiser sign-ins allowed per email and per IP address (Flask-Limiter syntax).
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "5 per 15 minutes")
    #: gunicorn's own variable for its number of workers; more than one needs a shared rate-limit store.
    WEB_CONCURRENCY = _int("WEB_CONCURRENCY", 1)
    #: How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none).
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)
    #: The largest request body accepted, in bytes (1 MiB: forms here are short texts); larger ones get a 413
    #: page. Werkzeug's limit on the form fields held in memory follows it, so the page says one number.
    MAX_REQUEST_BYTES = _int("MAX_REQUEST_BYTES", 1024 * 1024)
    MAX_CONTENT_LENGTH = MAX_REQUEST_BYTES
    MAX_FORM_MEMORY_SIZE = MAX_REQUEST_BYTES
    #: The largest attendance report (a video platform's CSV) an organiser may import, in bytes; below
    #: MAX_REQUEST_BYTES, so that a larger file gets the import form's own message.
    ATTENDANCE_MAX_BYTES = _int("ATTENDANCE_MAX_BYTES", 512 * 1024)
    #: How long an import's preview can be confirmed; after that the file is uploaded again.
    ATTENDANCE_PREVIEW_MINUTES = _int("ATTENDANCE_PREVIEW_MINUTES", 60)
    #: Adds an X-Query-Count header (SQL statements per request) for the benchmark; off in production.
    QUERY_COUNT_HEADER = _bool("QUERY_COUNT_HEADER")

    #: Werkzeug's password hash method; only the tests use a faster one.
    PASSWORD_HASH_METHOD = "scrypt"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    BOOTSTRAP_SERVE_LOCAL = True
    PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-11")
    #: Days after a session ends until its registrations' personal data is anonymised (the notice shows it).
    REGISTRATION_RETENTION_DAYS = _int("REGISTRATION_RETENTION_DAYS", 90)
    #: Days after a message was delivered (or given up) until its body is deleted from the outbox.
    MAIL_RETENTION_DAYS = _int("MAIL_RETENTION_DAYS", 30)
    #: Where uploaded materials are kept (generated names only); several machines need one shared volume here.
    MATERIALS_DIR = os.environ.get("MATERIALS_DIR", str(INSTANCE_DIR / "materials"))
    #: The largest material accepted, in bytes (50 MiB); the upload pages alone accept a request this large.
    MATERIALS_MAX_BYTES = _int("MATERIALS_MAX_BYTES", 50 * 1024 * 1024)
    #: How long a speaker's sign-in link works, in minutes.
    SPEAKER_LINK_MINUTES = _int("SPEAKER_LINK_MINUTES", 30)
    #: Flask-Limiter limits on asking for a speaker sign-in link, per email address and per client IP.
    SPEAKER_LINK_LIMIT_PER_EMAIL = os.environ.get("SPEAKER_LINK_LIMIT_PER_EMAIL", "3 per 15 minutes")
    SPEAKER_LINK_LIMIT_PER_IP = os.environ.get("SPEAKER_LINK_LIMIT_PER_IP", "20 per hour")


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    #: Fast, for tests only: the hash is still salted and checked by the same code.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    RATELIMIT_ENABLED = False
    SERVER_NAME = None


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")  # type: ignore[assignment]
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # type: ignore[assignment]
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    #: SQLite in production only when asked for explicitly.
    ALLOW_SQLITE = _bool("ALLOW_SQLITE")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
