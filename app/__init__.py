"""The application factory."""

import os

from flask import Flask

from app import models, timeutil
from app.agenda.views import bp as agenda_bp
from app.calendar.views import bp as calendar_bp
from app.cli import register_commands
from app.errors import register_error_handlers
from app.extensions import bootstrap, configure_sqlite, csrf, db, limiter, login_manager, mail, migrate
from app.organiser.views import bp as organiser_bp
from app.registration.views import bp as registration_bp
from app.speakers.views import bp as speakers_bp
from app.web import register_web
from config import CONFIGS


def create_app(config_class=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_path=_instance_path())
    app.config.from_object(config_class or CONFIGS[os.environ.get("APP_ENV", "development")])
    check_config(app)
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_commands(app)
    register_shell_context(app)
    return app


def _instance_path() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance")


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


def register_extensions(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(agenda_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(organiser_bp, url_prefix="/organiser")
    app.register_blueprint(speakers_bp)


def register_template_helpers(app: Flask) -> None:
    timeutil.register(app)


def register_shell_context(app: Flask) -> None:
    app.shell_context_processor(lambda: {"db": db, "models": models})
