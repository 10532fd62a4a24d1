"""The privacy notice of an event, and an attendee's own data behind their private link: download, erase."""

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import DomainError, InvalidToken
from app.extensions import db
from app.models import Event, EventStatus, Registration, utcnow
from app.privacy import services as privacy
from app.privacy.forms import EraseForm
from app.registration import services as registration_services
from app.transaction import use_case

bp = Blueprint("privacy", __name__)


@bp.get("/events/<slug>/privacy")
def notice(slug: str):
    event = db.session.scalar(select(Event).where(Event.slug == slug, Event.status != EventStatus.DRAFT))
    if event is None:
        abort(404)
    registration_days, mail_days = privacy.retention_days()
    return render_template(
        "privacy/notice.html",
        event=event,
        version=current_app.config["PRIVACY_NOTICE_VERSION"],
        contact_email=event.contact_email or current_app.config["MAIL_DEFAULT_SENDER"],
        registration_days=registration_days,
        mail_days=mail_days,
    )


@bp.get("/registrations/<token>/data.json")
def download(token: str):
    registration = _by_token(token)
    return _data_response(registration)


@bp.route("/registrations/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    registration = _by_token(token)
    form = EraseForm()
    if form.validate_on_submit():
        session = registration.session
        try:
            with use_case():
                registration_services.erase_registration(registration, now=utcnow())
        except DomainError as error:
            flash(error.message, "warning")
            return redirect(url_for("registration.manage", token=token))
        flash(_("Your registration and its data are erased. We have sent no email."), "success")
        return redirect(url_for("agenda.session_page", slug=session.event.slug, session_id=session.id))
    return _private(
        render_template(
            "privacy/erase.html",
            registration=registration,
            session=registration.session,
            event=registration.session.event,
            form=form,
            token=token,
        )
    )


def _data_response(registration: Registration):
    """The person's data as a JSON attachment, never cached."""
    response = make_response(privacy.registration_json(registration, now=utcnow()))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = f'attachment; filename="{privacy.data_file_name(registration)}"'
    return _private(response)


def _by_token(token: str) -> Registration:
    """A wrong token, an unknown one and an erased registration's give the same 404."""
    try:
        return registration_services.find_by_token(token)
    except InvalidToken:
        abort(404)


def _private(body, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
