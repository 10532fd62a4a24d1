"""Start-up checks: production refuses settings that would be unsafe or wrong under load."""

from flask import Flask


def check_config(app: Flask) -> None:
    """Production refuses to start with a default secret or no database URL."""
    if app.config.get("ENV_NAME") != "production":
        return
    problems = []
    if not app.config.get("SECRET_KEY") or app.config["SECRET_KEY"] == "dev-only-not-secret":
        problems.append("SECRET_KEY must be set to a long random value")
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        problems.append("DATABASE_URL must be set (PostgreSQL, e.g. postgresql+psycopg://user@host/db)")
    elif uri.startswith("sqlite") and not app.config.get("ALLOW_SQLITE"):
        problems.append("DATABASE_URL points to SQLite: set ALLOW_SQLITE=1 if that is really meant")
    problems += _rate_limit_problems(app)
    if problems:
        raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


def _rate_limit_problems(app: Flask) -> list[str]:
    """Several workers each counting in memory would multiply every limit by the number of workers."""
    storage = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    workers = app.config.get("WEB_CONCURRENCY", 1)
    if app.config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory://") and workers > 1:
        return [
            f"WEB_CONCURRENCY={workers} workers cannot share rate-limit counters kept in memory: "
            "set RATELIMIT_STORAGE_URI to a shared store, e.g. redis://127.0.0.1:6379"
        ]
    return []
