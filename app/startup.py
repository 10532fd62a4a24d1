"""Start-up checks: production refuses settings that would be unsafe or wrong under load.

`check_config` runs in every process that builds the app; `check_workers` runs in gunicorn's master
(gunicorn.conf.py at the repository's root), which alone knows how many workers `-w/--workers`,
`WEB_CONCURRENCY` or `GUNICORN_CMD_ARGS` finally asked for."""

from flask import Flask

REFUSAL = "Refusing to start in production: "
SHARED_STORE = "set RATELIMIT_STORAGE_URI to a shared store, e.g. redis://127.0.0.1:6379"


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
        raise RuntimeError(REFUSAL + "; ".join(problems))


def counts_in_memory(config) -> bool:
    """Rate limits are on and their counters live in this process's memory (`memory://`)."""
    storage = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    return bool(config.get("RATELIMIT_ENABLED", True)) and storage.startswith("memory://")


def _rate_limit_problems(app: Flask) -> list[str]:
    """Several workers each counting in memory would multiply every limit by the number of workers."""
    workers = app.config.get("WEB_CONCURRENCY", 1)
    if counts_in_memory(app.config) and workers > 1:
        return [f"WEB_CONCURRENCY={workers} workers cannot share rate-limit counters kept in memory: {SHARED_STORE}"]
    return []


def check_workers(config, workers: int) -> None:
    """gunicorn's number of workers, however it was given: more than one worker in production with the
    rate-limit counters in memory is refused (each worker would count on its own)."""
    if config.get("ENV_NAME") == "production" and workers > 1 and counts_in_memory(config):
        raise RuntimeError(
            f"{REFUSAL}{workers} gunicorn workers (-w/--workers, WEB_CONCURRENCY or GUNICORN_CMD_ARGS) cannot "
            f"share rate-limit counters kept in memory: {SHARED_STORE}, or run a single worker"
        )
