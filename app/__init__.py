"""The application factory."""

import os

from flask import Flask

from app import forms, i18n, labels, models, timeutil  # noqa: F401 (labels: the enums' words)
from app.calendar import links as calendar_links
from app.cli import register_commands
from app.csrf import csrf
from app.errors import register_error_handlers, size_words
from app.extensions import (
    bootstrap,
    configure_sqlite,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
    ping_idle_connections,
)
from app.organiser import (  # noqa: F401 (their routes)
    after_session,
    auth,
    dashboard,
    events,
    followup,
    materials,
    outbox,
    people,
    registrations,
    report,
)
from app.organiser import services as accounts
from app.organiser.common import bp as organiser_bp
from app.privacy.views import bp as privacy_bp
from app.public.feeds import bp as calendar_bp
from app.public.views import bp as agenda_bp
from app.registration.views import bp as registration_bp
from app.registration.views import registration_state
from app.requestlog import configure_logging, register_request_log
from app.speakers.sanitise import render_bio
from app.speakers.views import bp as speakers_bp
from app.startup import check_config
from app.survey.services import format_average
from app.survey.views import bp as survey_bp
from app.web import register_web
from app.wording import count, plural
from config import CONFIGS


def create_app(config_class=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_path=_instance_path())
    app.config.from_object(config_class or CONFIGS[os.environ.get("APP_ENV", "development")])
    check_config(app)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    i18n.register(app)
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
    register_login(app)
    mail.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)


def register_login(app: Flask) -> None:
    """Organisers sign in with Flask-Login (speakers have their own links, attendees need no account)."""
    login_manager.init_app(app)
    login_manager.login_view = "organiser.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    #: "basic": a session whose browser (address and user agent) changed is kept but marked not fresh; "strong"
    #: would sign organisers out whenever their address changes. What really ends a session is the account's
    #: session version, part of the id Flask-Login keeps (see Organiser.get_id), checked on every request.
    #: No remember cookie is ever set (login_user is never given remember=True); one forged from an old id would
    #: carry an old session version and load nobody.
    login_manager.session_protection = "basic"
    login_manager.user_loader(accounts.organiser_for_session)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(agenda_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(organiser_bp, url_prefix="/organiser")
    app.register_blueprint(speakers_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(survey_bp)


def register_template_helpers(app: Flask) -> None:
    """Helpers any blueprint's templates may use (the public pages show registration panels and bios)."""
    timeutil.register(app)
    forms.register(app)  # form_problems: the error summary's lines
    app.add_template_global(registration_state, "registration_state")
    app.add_template_filter(render_bio, "bio")
    app.add_template_filter(size_words, "filesize")  # {{ material.size_bytes|filesize }}: "1.5 MiB"
    calendar_links.register(app)
    app.add_template_filter(format_average, "average")  # {{ 4.666|average }}: "4.7", in French "4,7"
    app.add_template_filter(count, "counted")  # {{ n|counted("attendee") }}: "1 attendee", "3 attendees"
    app.add_template_filter(plural, "plural")  # {{ n }} {{ n|plural("item") }}


def register_shell_context(app: Flask) -> None:
    app.shell_context_processor(lambda: {"db": db, "models": models})
