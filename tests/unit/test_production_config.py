"""Production refuses to start on settings that would be unsafe, and says what to set."""

import pytest

from app import create_app
from config import ProductionConfig

GOOD = {
    "SECRET_KEY": "a-long-random-production-secret-for-this-test",
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://events@127.0.0.1:5432/events",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    "WEB_CONCURRENCY": 4,
}


def production(**overrides) -> type:
    return type("Production", (ProductionConfig,), {**GOOD, **overrides})


def refusal(**overrides) -> str:
    with pytest.raises(RuntimeError) as raised:
        create_app(production(**overrides))
    return str(raised.value)


def test_production_with_good_settings_starts():
    app = create_app(production())

    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_a_missing_secret():
    assert refusal(SECRET_KEY=None) == "Refusing to start in production: SECRET_KEY must be set to a long random value"


def test_production_refuses_the_development_secret():
    assert "SECRET_KEY must be set to a long random value" in refusal(SECRET_KEY="dev-only-not-secret")


def test_production_refuses_a_missing_database_url():
    assert "DATABASE_URL must be set (PostgreSQL" in refusal(SQLALCHEMY_DATABASE_URI=None)


def test_production_refuses_sqlite_unless_allowed(tmp_path):
    url = f"sqlite:///{tmp_path}/events.sqlite"

    message = refusal(SQLALCHEMY_DATABASE_URI=url)
    app = create_app(production(SQLALCHEMY_DATABASE_URI=url, ALLOW_SQLITE=True))

    assert message == (
        "Refusing to start in production: DATABASE_URL points to SQLite: set ALLOW_SQLITE=1 if that is really meant"
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url


def test_production_refuses_in_memory_rate_limits_with_several_workers():
    message = refusal(RATELIMIT_STORAGE_URI="memory://", WEB_CONCURRENCY=2)

    assert message == (
        "Refusing to start in production: WEB_CONCURRENCY=2 workers cannot share rate-limit counters kept in "
        "memory: set RATELIMIT_STORAGE_URI to a shared store, e.g. redis://127.0.0.1:6379"
    )


def test_production_accepts_in_memory_rate_limits_with_one_worker():
    app = create_app(production(RATELIMIT_STORAGE_URI="memory://", WEB_CONCURRENCY=1))

    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_lists_every_problem_at_once():
    message = refusal(SECRET_KEY=None, SQLALCHEMY_DATABASE_URI=None, RATELIMIT_STORAGE_URI="memory://")

    assert message.count("; ") == 2
    assert "SECRET_KEY" in message and "DATABASE_URL" in message and "RATELIMIT_STORAGE_URI" in message


def test_development_starts_with_defaults_and_no_hsts(tmp_path):
    development = type("Dev", (ProductionConfig,), {"ENV_NAME": "development", "SECRET_KEY": "dev-only-not-secret"})
    development.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/dev.sqlite"

    app = create_app(development)

    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers
