"""Attendees register for a session and manage their registration through a private link."""

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app import timeutil, zones
from app.attendance.recordings import recordings_for
from app.errors import AlreadyRegistered, DomainError, InvalidToken
from app.extensions import db, limiter
from app.forms import keeps_input
from app.i18n import current_language
from app.materials import services as materials
from app.materials.uploads import download
from app.models import Event, EventSession, EventStatus, Registration, utcnow
from app.registration import services
from app.registration.forms import CancelForm, ManageForm, RegistrationForm
from app.registration.services import RegistrationState
from app.survey import services as survey
from app.text import well_formed_email
from app.transaction import use_case

bp = Blueprint("registration", __name__)

OPEN_STATES = (RegistrationState.OPEN, RegistrationState.WAITLIST)


def _email_key() -> str:
    """Rate-limit key: the address being registered, so one inbox cannot be flooded from many IPs."""
    return "email:" + (well_formed_email(request.form.get("email")) or "")


def _no_email() -> bool:
    """A blank or malformed address is not counted per address (the form says what is wrong; the per-IP
    limit still applies)."""
    return well_formed_email(request.form.get("email")) is None


def registration_state(session: EventSession) -> RegistrationState:
    return services.registration_state(session, now=utcnow())


@bp.route("/events/<slug>/sessions/<int:session_id>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["REGISTRATION_RATE_LIMIT_EMAIL"],
    methods=["POST"],
    key_func=_email_key,
    exempt_when=_no_email,
)
@keeps_input
def new(slug: str, session_id: int):
    session = _public_session(slug, session_id)
    state = registration_state(session)
    # The zone the visitor chose on the public pages (their cookie), else the event's.
    chosen = timeutil.zone_or(request.cookies.get(zones.COOKIE), session.event.timezone)
    form = RegistrationForm(timezone=chosen, event_zone=session.event.timezone)
    if state in OPEN_STATES and form.validate_on_submit():
        try:
            with use_case():
                result = services.register_attendee(
                    session, consent=form.consent.data, language=current_language(), **_details(form, email=True)
                )
        except AlreadyRegistered as error:
            flash(error.message, "info")
            return redirect(url_for("registration.new", slug=slug, session_id=session_id))
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            return redirect(url_for("registration.confirmation", token=result.token))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("registration/new.html", event=session.event, session=session, form=form, state=state), (
        status
    )


@bp.get("/registrations/<token>/confirmation")
def confirmation(token: str):
    registration = _by_token(token)
    return _private(
        render_template(
            "registration/confirmation.html",
            registration=registration,
            session=registration.session,
            event=registration.session.event,
            place=services.waitlist_place(registration),
            manage_token=token,
        )
    )


@bp.route("/registrations/<token>/", methods=["GET", "POST"])
@keeps_input
def manage(token: str):
    registration = _by_token(token)
    form = ManageForm(
        obj=registration if request.method == "GET" else None, event_zone=registration.session.event.timezone
    )
    if request.method == "GET":
        form.group.data = registration.group.value
    if form.validate_on_submit():
        try:
            with use_case():
                services.update_registration(registration, **_details(form))
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("registration.manage", token=token))
    status = 422 if form.errors or form.form_errors else 200
    return _private(_render_manage(registration, token, form, CancelForm()), status)


@bp.post("/registrations/<token>/cancel")
def cancel(token: str):
    registration = _by_token(token)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            with use_case():
                services.cancel_registration(registration)
        except DomainError as error:
            flash(error.message, "warning")
        else:
            flash(_("Your registration is cancelled. We have sent you a confirmation."), "success")
    return redirect(url_for("registration.manage", token=token))


def _render_manage(registration: Registration, token: str, form: ManageForm, cancel_form: CancelForm) -> str:
    return render_template(
        "registration/manage.html",
        registration=registration,
        session=registration.session,
        event=registration.session.event,
        place=services.waitlist_place(registration),
        form=form,
        cancel_form=cancel_form,
        token=token,
        materials=materials.registrant_materials(registration, now=utcnow()),
        recordings=recordings_for(registration, utcnow()),
        survey_open=survey.answer_refusal(registration, survey.survey_of(registration.session), now=utcnow()) is None,
    )


@bp.get("/registrations/<token>/materials/<int:material_id>")
def material(token: str, material_id: int):
    """A file of the registrant's session, once it is over, while they hold a confirmed seat (else 404)."""
    registration = _by_token(token)
    try:
        return download(materials.registrant_material(registration, material_id, now=utcnow()))
    except DomainError:
        abort(404)


def _details(form, *, email: bool = False) -> dict:
    details = dict(
        full_name=form.full_name.data,
        organisation=form.organisation.data,
        group=form.group.data,
        question=form.question.data or "",
        accessibility_needs=form.accessibility_needs.data or "",
        timezone=form.timezone.data or None,
    )
    if email:
        details["email"] = form.email.data
    return details


def _public_session(slug: str, session_id: int) -> EventSession:
    session = db.session.scalar(
        select(EventSession)
        .join(Event)
        .where(EventSession.id == session_id, Event.slug == slug, Event.status != EventStatus.DRAFT)
        .options(contains_eager(EventSession.event))
    )
    return session or abort(404)


def _by_token(token: str) -> Registration:
    """A wrong token and an unknown one give the same 404."""
    try:
        return services.find_by_token(token)
    except InvalidToken:
        abort(404)


def _private(body, status: int = 200):
    """A page behind a private link (app/web.py makes every such page no-store, no-referrer, noindex)."""
    return make_response(body, status)
