"""The application factory."""

import os

from flask import Flask

from app import models, timeutil
from app.calendar.views import bp as calendar_bp
from app.cli import register_commands
from app.errors import register_error_handlers
from app.extensions import (
    bootstrap,
    configure_sqlite,
    csrf,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
    ping_idle_connections,
)
from app.organiser import auth, dashboard, events, outbox, people, registrations  # noqa: F401 (their routes)
from app.organiser.common import bp as organiser_bp
from app.privacy.views import bp as privacy_bp
from app.public.views import bp as agenda_bp
from app.registration.views import bp as registration_bp
from app.requestlog import configure_logging, register_request_log
from app.speakers.views import bp as speakers_bp
from app.startup import check_config
from app.web import register_web
from config import CONFIGS


def create_app(config_class=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_path=_instance_path())
    app.config.from_object(config_class or CONFIGS[os.environ.get("APP_ENV", "development")])
    check_config(app)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    register_request_log(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_commands(app)
    register_shell_context(app)
    return app


def _instance_path() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance")


def register_extensions(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        ping_idle_connections(db.engine)
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
    app.register_blueprint(privacy_bp)


def register_template_helpers(app: Flask) -> None:
    timeutil.register(app)


def register_shell_context(app: Flask) -> None:
    app.shell_context_processor(lambda: {"db": db, "models": models})
