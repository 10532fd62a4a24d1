"""Back-office screens for organisers: sign-in, agenda building, publishing.

Every page needs a signed-in organiser; an event they do not manage answers 404, like an id that does
not exist, so that nobody learns which events exist.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf as csrf_token
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app import activity, timeutil
from app.agenda import services as agenda
from app.agenda.timeline import check_timeline
from app.errors import DomainError, InvalidToken, LinkExpired, LinkUsed
from app.extensions import db, limiter, login_manager
from app.models import (
    ActorKind,
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Organiser,
    OutboxMessage,
    Person,
    Registration,
    Role,
)
from app.organiser import reports
from app.organiser import services as accounts
from app.organiser.forms import (
    AppearanceForm,
    CancelSessionForm,
    CapacityForm,
    ChangePasswordForm,
    ConfirmForm,
    EventForm,
    ItemForm,
    MessageForm,
    PersonForm,
    RegistrationFilterForm,
    ResetPasswordForm,
    ResetRequestForm,
    SessionForm,
    SignInForm,
)
from app.organiser.timeline import day_timelines
from app.privacy import services as privacy
from app.registration import listing as registrations
from app.registration import services as registration_services
from app.render_cache import render_cache
from app.speakers import services as speaker_services
from app.text import has_control_characters, well_formed_email
from app.web import reads_only

bp = Blueprint("organiser", __name__)

T = TypeVar("T")

login_manager.login_view = "organiser.sign_in"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
#: "basic": a session whose browser (address and user agent) changed is kept but marked not fresh; "strong"
#: would sign organisers out whenever their address changes. What really ends a session is the account's
#: session version, part of the id Flask-Login keeps (see Organiser.get_id), checked on every request below.
#: No remember cookie is ever set (login_user is never given remember=True); one forged from an old id would
#: carry an old session version and load nobody.
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_organiser(session_id: str) -> Organiser | None:
    return accounts.organiser_for_session(session_id)


def _now() -> datetime:
    return datetime.now(UTC)


def _sign_in_email_key() -> str:
    return "sign-in-email:" + (well_formed_email(request.form.get("email")) or "")


def _no_email() -> bool:
    """Failures are counted per address only for well-formed ones (the per-IP limit counts all of them)."""
    return well_formed_email(request.form.get("email")) is None


def _password_change_key() -> str:
    return f"password-change:{getattr(current_user, 'id', '')}"


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failures count: a successful sign-in redirects.
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    """A local /organiser address to go back to; anything else (another site, a control character that
    would split the Location header) goes to the organiser's home."""
    if (
        target
        and target.startswith("/organiser")
        and "\\" not in target
        and not has_control_characters(target)
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("organiser.index")


# --- sign-in, sign-out, password reset ----------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], deduct_when=_failed, scope="sign-in-ip")
@limiter.limit(
    _sign_in_limit, key_func=_sign_in_email_key, methods=["POST"], deduct_when=_failed, exempt_when=_no_email
)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("organiser.index"))
    form = SignInForm()
    if form.validate_on_submit():
        organiser = accounts.authenticate_organiser(form.email.data, form.password.data)
        if organiser is not None:
            session.clear()  # no session fixation: a fresh session for the signed-in organiser
            login_user(organiser)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("The email or password is not right.")
    return render_template("organiser/sign_in.html", form=form), 200


@bp.post("/sign-out")
@login_required
def sign_out():
    ConfirmForm().validate_on_submit()  # checks the CSRF token when CSRF is on
    accounts.end_sessions(current_user._get_current_object(), now=_now())
    logout_user()
    session.clear()
    flash("You are signed out, here and in every other browser.", "info")
    return redirect(url_for("organiser.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_sign_in_limit, key_func=_password_change_key, methods=["POST"], deduct_when=_failed)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            organiser = accounts.change_password(
                current_user._get_current_object(), form.current_password.data, form.new_password.data, now=_now()
            )
        except accounts.WrongPassword as error:
            form.current_password.errors.append(error.message)
        except DomainError as error:
            form.new_password.errors.append(error.message)
        else:
            session.clear()
            login_user(organiser)  # this browser stays signed in, with the new session version
            flash("Your password is changed. Every other browser signed in to your account is signed out.", "success")
            return redirect(url_for("organiser.index"))
    return render_template("organiser/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], scope="reset-ip")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, now=_now())
        flash("If an account exists for that address, we have sent it a link to choose a new password.", "info")
        return redirect(url_for("organiser.sign_in"))
    return render_template("organiser/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    # The token is in the address: no Referer header may carry it to another page.
    headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    try:
        if form.validate_on_submit():
            accounts.reset_password(token, form.password.data, now=_now())
            flash("Your password is changed. Sign in with it now.", "success")
            return redirect(url_for("organiser.sign_in"))
        accounts.check_reset_token(token, now=_now())
    except InvalidToken as error:
        status = 410 if isinstance(error, LinkUsed | LinkExpired) else 404
        return render_template("organiser/reset_invalid.html", reason=error.message), status, headers
    except DomainError as error:
        form.password.errors.append(error.message)
    return render_template("organiser/reset_password.html", form=form), 200, headers


# --- helpers ------------------------------------------------------------------------------------


#: Everything the agenda editor shows, in a fixed number of queries whatever the size of the agenda.
AGENDA_OPTIONS = (
    selectinload(Event.organisers),
    selectinload(Event.sessions)
    .selectinload(EventSession.items)
    .selectinload(AgendaItem.appearances)
    .joinedload(Appearance.person),
)


def _flash_outcome(action: Callable[[], T], success: Callable[[T], str], *, refused: str = "danger") -> bool:
    """Run one service: flash its success, or roll back and flash the broken rule's message instead."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, refused)
        return False
    flash(success(result), "success")
    return True


def _event_or_404(event_id: int, *options) -> Event:
    event = accounts.managed_event(current_user, event_id, *options)
    if event is None:
        abort(404)
    return event


def _session_or_404(session_id: int) -> EventSession:
    """The session and its event (`event_session.event` costs no query), if the organiser manages it."""
    event_session = accounts.managed_session(current_user, session_id)
    if event_session is None:
        abort(404)
    return event_session


def _item_or_404(item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None:
        abort(404)
    _session_or_404(item.session_id)
    return item


def _person_or_404(event: Event, person_id: int) -> Person:
    """A person of this event (the organiser manages it); another event's person answers 404."""
    try:
        return agenda.get_person(event, person_id)
    except DomainError:
        abort(404)


def _form_fields(form, names) -> dict:
    return {name: getattr(form, name).data for name in names if name in form}


def _local(event: Event, day, clock: time | None) -> datetime:
    return timeutil.local_datetime(day, clock, event.timezone)


def _local_or_none(event: Event, value: datetime | None) -> datetime | None:
    return None if value is None else _local(event, value.date(), value.time())


def _confirmation_key(*values) -> str:
    """Ties a 'save anyway' to the exact values the warnings were shown for."""
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


# --- events -------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    return render_template("organiser/index.html", events=accounts.managed_events(current_user))


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def event_new():
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = agenda.create_event(by=current_user, now=_now(), **_form_fields(form, agenda.EVENT_FIELDS))
        except agenda.SlugTaken as error:
            form.slug.errors.append(error.message)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"“{event.title}” is created as a draft.", "success")
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template("organiser/event_form.html", form=form, event=None)


@bp.get("/events/<int:event_id>/")
@login_required
def event_detail(event_id: int):
    event = _event_or_404(event_id, *AGENDA_OPTIONS)
    warnings = check_timeline(event)
    flagged = {item_id for w in warnings for item_id in w.item_ids}
    return render_template(
        "organiser/event_detail.html",
        event=event,
        warnings=warnings,
        days=day_timelines(event, flagged),
        flagged=flagged,
        action_form=ConfirmForm(),
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def event_edit(event_id: int):
    event = _event_or_404(event_id)
    form = EventForm(obj=event)
    if form.validate_on_submit():
        try:
            agenda.update_event(event, by=current_user, now=_now(), **_form_fields(form, agenda.EVENT_FIELDS))
        except agenda.SlugTaken as error:
            db.session.rollback()
            form.slug.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash("The event is saved.", "success")
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template("organiser/event_form.html", form=form, event=event)


@bp.post("/events/<int:event_id>/status/<status>")
@login_required
def event_status(event_id: int, status: str):
    event = _event_or_404(event_id)
    if status not in {s.value for s in EventStatus} or not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        agenda.set_event_status(event, EventStatus(status), by=current_user, now=_now())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        messages = {
            "published": "The event is published: it is on the public site and in the calendar feed.",
            "draft": "The event is a draft again: the public no longer sees it.",
            "cancelled": "The event is marked cancelled.",
        }
        flash(messages[status], "success")
    return redirect(url_for("organiser.event_detail", event_id=event.id))


# --- sessions -----------------------------------------------------------------------------------


def _session_values(event: Event, form: SessionForm) -> dict:
    values = _form_fields(
        form,
        ("title", "description", "location", "is_online", "registration_enabled", "waitlist_enabled", "capacity"),
    )
    values["join_url"] = form.join_url.data or None
    values["starts_at"] = _local(event, form.day.data, form.starts.data)
    values["ends_at"] = _local(event, form.day.data, form.ends.data)
    values["registration_opens_at"] = _local_or_none(event, form.registration_opens_at.data)
    values["registration_closes_at"] = _local_or_none(event, form.registration_closes_at.data)
    return values


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@login_required
def session_new(event_id: int):
    event = _event_or_404(event_id)
    form = SessionForm()
    if request.method == "GET":
        form.day.data = event.starts_on
    if form.validate_on_submit() and _flash_outcome(
        lambda: agenda.create_session(event, by=current_user, now=_now(), **_session_values(event, form)),
        lambda created: f"The session “{created.title}” is added.",
    ):
        return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template("organiser/session_form.html", form=form, event=event, event_session=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_edit(session_id: int):
    event_session = _session_or_404(session_id)
    event = event_session.event
    form = SessionForm(obj=event_session)
    if request.method == "GET":
        start = timeutil.to_zone(event_session.starts_at, event.timezone)
        form.day.data, form.starts.data = start.date(), start.time()
        form.ends.data = timeutil.to_zone(event_session.ends_at, event.timezone).time()
        for name in ("registration_opens_at", "registration_closes_at"):
            value = getattr(event_session, name)
            getattr(form, name).data = timeutil.to_zone(value, event.timezone).replace(tzinfo=None) if value else None
    notice = None
    if form.validate_on_submit():
        values = _session_values(event, form)
        key = _confirmation_key(values["starts_at"], values["ends_at"], values["join_url"])
        told = agenda.people_to_tell(event_session)["confirmed"]
        changes_invite = (values["starts_at"], values["ends_at"], values["join_url"]) != (
            event_session.starts_at,
            event_session.ends_at,
            event_session.join_url,
        )
        speakers = agenda.people_in(list(event_session.items)) if changes_invite else 0
        if not changes_invite:
            told = 0
        if (told or speakers) and form.confirm.data != key:
            form.confirm.data = key
            notice = (
                f"Saving sends an updated calendar invite to {told} confirmed attendee(s) "
                f"and {speakers} speaker(s). Save again to go ahead."
            )
        else:
            try:
                agenda.update_session(
                    event_session, by=current_user, now=_now(), move_items=form.move_items.data, **values
                )
            except DomainError as error:
                db.session.rollback()
                flash(error.message, "danger")
            else:
                told_text = f" {told} attendee(s) and {speakers} speaker(s) will be told." if told or speakers else ""
                flash("The session is saved." + told_text, "success")
                return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template(
        "organiser/session_form.html", form=form, event=event, event_session=event_session, notice=notice
    )


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def session_cancel(session_id: int):
    event_session = _session_or_404(session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        _flash_outcome(
            lambda: agenda.cancel_session(event_session, reason=form.reason.data or "", by=current_user, now=_now()),
            lambda _: f"“{event_session.title}” is cancelled; the attendees are being told.",
        )
        return redirect(url_for("organiser.event_detail", event_id=event_session.event_id))
    return render_template(
        "organiser/session_cancel.html",
        form=form,
        event=event_session.event,
        event_session=event_session,
        reach=agenda.people_to_tell(event_session),
    )


# --- agenda items -------------------------------------------------------------------------------


def _item_times(event_session: EventSession, form: ItemForm) -> tuple[datetime, datetime]:
    day = timeutil.to_zone(event_session.starts_at, event_session.event.timezone).date()
    return _local(event_session.event, day, form.starts.data), _local(event_session.event, day, form.ends.data)


@bp.route("/sessions/<int:session_id>/items/new", methods=["GET", "POST"])
@login_required
def item_new(session_id: int):
    event_session = _session_or_404(session_id)
    event = event_session.event
    form = ItemForm()
    warnings = []
    if request.method == "GET":
        last_end = max((i.ends_at for i in event_session.items), default=event_session.starts_at)
        form.starts.data = timeutil.to_zone(last_end, event.timezone).time()
    if form.validate_on_submit():
        starts_at, ends_at = _item_times(event_session, form)
        key = _confirmation_key(starts_at, ends_at)
        new = {"session": event_session, "title": form.title.data, "starts_at": starts_at, "ends_at": ends_at}
        warnings = check_timeline(event, new_item=new)
        if not warnings or form.confirm.data == key:
            values = _form_fields(form, ("title", "description", "location"))
            item = agenda.create_item(
                event_session,
                by=current_user,
                now=_now(),
                kind=ItemKind(form.kind.data),
                starts_at=starts_at,
                ends_at=ends_at,
                **values,
            )
            flash(f"“{item.title}” is added. Add the people who appear in it below.", "success")
            return redirect(url_for("organiser.item_edit", item_id=item.id))
        form.confirm.data = key
    return render_template(
        "organiser/item_form.html", form=form, event=event, event_session=event_session, item=None, warnings=warnings
    )


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(item_id: int):
    item = _item_or_404(item_id)
    event_session, event = item.session, item.session.event
    form = ItemForm(obj=item)
    warnings, speakers = [], 0
    if request.method == "GET":
        form.starts.data = timeutil.to_zone(item.starts_at, event.timezone).time()
        form.ends.data = timeutil.to_zone(item.ends_at, event.timezone).time()
        form.kind.data = item.kind.value
    if form.validate_on_submit():
        starts_at, ends_at = _item_times(event_session, form)
        key = _confirmation_key(starts_at, ends_at, form.shift_later.data)
        plan = agenda.plan_item_change(item, starts_at, ends_at, shift_later=form.shift_later.data)
        moved = [i for i in event_session.items if i.id in plan and plan[i.id] != (i.starts_at, i.ends_at)]
        speakers = agenda.people_in(moved)
        warnings = check_timeline(event, changes=plan)
        if not (warnings or speakers) or form.confirm.data == key:
            agenda.update_item(
                item,
                by=current_user,
                now=_now(),
                shift_later=form.shift_later.data,
                kind=ItemKind(form.kind.data),
                starts_at=starts_at,
                ends_at=ends_at,
                **_form_fields(form, ("title", "description", "location")),
            )
            later = len(plan) - 1
            flash(
                "The item is saved."
                + (f" {later} later item(s) moved with it." if later else "")
                + (f" {speakers} speaker(s) get an updated invite." if speakers else ""),
                "success",
            )
            return redirect(url_for("organiser.event_detail", event_id=event.id))
        form.confirm.data = key
    return render_template(
        "organiser/item_form.html",
        form=form,
        event=event,
        event_session=event_session,
        item=item,
        warnings=warnings,
        speakers=speakers,
        appearance_form=_appearance_form(event),
        action_form=ConfirmForm(),
    )


@bp.post("/items/<int:item_id>/move/<direction>")
@login_required
def item_move(item_id: int, direction: str):
    item = _item_or_404(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _flash_outcome(
        lambda: agenda.reorder_item(item, direction, by=current_user, now=_now()),
        lambda _: f"“{item.title}” moved {direction}.",
        refused="warning",
    )
    return redirect(url_for("organiser.event_detail", event_id=item.session.event_id))


@bp.post("/items/<int:item_id>/delete")
@login_required
def item_delete(item_id: int):
    item = _item_or_404(item_id)
    event_id, title = item.session.event_id, item.title
    if not ConfirmForm().validate_on_submit():
        abort(400)
    agenda.delete_item(item, by=current_user, now=_now())
    flash(f"“{title}” is removed from the agenda.", "success")
    return redirect(url_for("organiser.event_detail", event_id=event_id))


# --- appearances --------------------------------------------------------------------------------


def _person_label(person: Person) -> str:
    return f"{person.display_name}{' — ' + person.affiliation if person.affiliation else ''}"


def _appearance_form(event: Event) -> AppearanceForm:
    """The picker offers this event's people and, as copies, the people of the organiser's other events."""
    form = AppearanceForm()
    pick = agenda.people_to_pick(event, by=current_user)
    choices = {"People of this event": [SelectChoice(p.id, _person_label(p)) for p in pick.own]}
    if pick.others:
        choices["From your other events (a copy is added to this event)"] = [
            SelectChoice(p.id, f"{_person_label(p)} (copy from “{p.event.title}”)") for p in pick.others
        ]
    form.person_id.choices = choices if any(choices.values()) else []
    return form


@bp.post("/items/<int:item_id>/appearances")
@login_required
def appearance_add(item_id: int):
    item = _item_or_404(item_id)
    event = item.session.event
    form = _appearance_form(event)
    if not form.validate_on_submit():
        flash("Choose a person and a role.", "danger")
        return redirect(url_for("organiser.item_edit", item_id=item.id))
    # One of the choices: a person of this event, or of another event this organiser manages.
    person = db.session.get_one(Person, form.person_id.data)
    key = _confirmation_key(item.id, person.id)
    # The person is not in the item yet: check the timeline as if they were.
    warnings = [
        w
        for w in check_timeline(
            event, changes={item.id: (item.starts_at, item.ends_at)}, add_people={item.id: {person.id}}
        )
        if w.kind == "double_booked"
    ]
    if warnings and form.confirm.data != key:
        form.confirm.data = key
        return render_template(
            "organiser/appearance_confirm.html", form=form, event=event, item=item, person=person, warnings=warnings
        )
    copied_from = person.event.title if person.event_id != event.id else None
    _flash_outcome(
        lambda: agenda.add_appearance(item, person, Role(form.role.data), by=current_user, now=_now()),
        lambda _: (
            f"{person.display_name} is added to “{item.title}”."
            + (
                f" A copy of their details from “{copied_from}” is now among the people of this event."
                if copied_from
                else ""
            )
            + (
                " They get an invite for this slot by email."
                if person.email and event.status == EventStatus.PUBLISHED
                else ""
            )
        ),
    )
    return redirect(url_for("organiser.item_edit", item_id=item.id))


@bp.post("/appearances/<int:appearance_id>/delete")
@login_required
def appearance_remove(appearance_id: int):
    appearance = db.session.get(Appearance, appearance_id)
    if appearance is None:
        abort(404)
    item = _item_or_404(appearance.item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = appearance.person.display_name
    agenda.remove_appearance(appearance, by=current_user, now=_now())
    flash(f"{name} is taken out of “{item.title}”.", "success")
    return redirect(url_for("organiser.item_edit", item_id=item.id))


# --- people -------------------------------------------------------------------------------------


@bp.get("/events/<int:event_id>/people/")
@login_required
def people(event_id: int):
    event = _event_or_404(event_id)
    return render_template(
        "organiser/people.html", event=event, people=agenda.people_of_event(event), action_form=ConfirmForm()
    )


@bp.post("/events/<int:event_id>/people/<int:person_id>/send-link")
@login_required
def person_send_link(event_id: int, person_id: int):
    event = _event_or_404(event_id)
    person = _person_or_404(event, person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _flash_outcome(
        lambda: speaker_services.send_sign_in_link(person, by=current_user, now=_now()),
        lambda _: f"A sign-in link for the speaker pages is on its way to {person.email}.",
    )
    return redirect(url_for("organiser.people", event_id=event.id))


@bp.route("/events/<int:event_id>/people/new", methods=["GET", "POST"])
@login_required
def person_new(event_id: int):
    event = _event_or_404(event_id)
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = agenda.create_person(
                event, by=current_user, now=_now(), **_form_fields(form, agenda.PERSON_FIELDS)
            )
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            flash(f"{person.display_name} is added. Put them in an agenda item from the item's page.", "success")
            return redirect(url_for("organiser.people", event_id=event.id))
    return render_template("organiser/person_form.html", form=form, event=event, person=None)


@bp.route("/events/<int:event_id>/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def person_edit(event_id: int, person_id: int):
    event = _event_or_404(event_id)
    person = _person_or_404(event, person_id)
    form = PersonForm(obj=person)
    if form.validate_on_submit():
        try:
            agenda.update_person(person, by=current_user, now=_now(), **_form_fields(form, agenda.PERSON_FIELDS))
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            flash(f"{person.display_name} is saved.", "success")
            return redirect(url_for("organiser.people", event_id=event.id))
    return render_template("organiser/person_form.html", form=form, event=event, person=person)


# --- registrations ------------------------------------------------------------------------------


def _registration_or_404(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    _session_or_404(registration.session_id)
    return registration


def _filters() -> tuple[RegistrationFilterForm, dict]:
    """The list's filter form from the query string, and the filters to search with."""
    form = RegistrationFilterForm(request.args)
    form.validate()
    return form, {
        "status": form.status.data or None,
        "group": form.group.data or None,
        "search": "" if form.q.errors else form.q.data or "",
    }


@bp.get("/sessions/<int:session_id>/registrations/")
@login_required
@reads_only
def registrations_list(session_id: int):
    event_session = _session_or_404(session_id)
    parts = _registrations_page(event_session)
    # Everything the page shows is loaded: end the transaction before writing the page, so that the
    # connection (on SQLite, the database lock every transaction takes) is not held while it is written.
    db.session.close()
    return render_template(
        "organiser/registrations.html",
        event=event_session.event,
        event_session=event_session,
        body=Markup(csrf_token()).join(parts),
    )


#: Stands for the visitor's CSRF token in a kept rendering of the list (random: no attendee can type it).
_CSRF_MARK = f"csrf-{secrets.token_hex(16)}"


def _registrations_page(event_session: EventSession) -> tuple[Markup, ...]:
    """The list's page, rendered once for each version of what it shows and kept, in pieces around the
    places where the visitor's CSRF token goes.

    The database raises the session's `registrations_version` with every registration added, removed or
    changed in a column the list shows (triggers); the session's and the event's `updated_at` follow every
    change to them (title, times, capacity, time zone), so a kept rendering is never stale. The query string
    completes the key. Permission is checked before: a kept page only ever goes to someone who may manage
    the session."""
    key = (
        "registrations-page",
        event_session.id,
        event_session.registrations_version,
        event_session.updated_at,
        event_session.event.updated_at,
        request.query_string,
    )
    cache = render_cache()
    parts = cache.get(key)
    if parts is None:
        form, search = _filters()
        shown = registrations.page_of_registrations(event_session, **search, page=request.args.get("page", 1, type=int))
        html = render_template(
            "organiser/_registrations_page.html",
            event=event_session.event,
            event_session=event_session,
            form=form,
            shown=shown,
            counts=shown.counts,
            # What the page links (and the CSV link) carry over: the filters as typed, never the page number.
            filters={name: request.args[name] for name in ("status", "group", "q") if request.args.get(name)},
            labels=registrations.LABELS,
            capacity_form=CapacityForm(capacity=event_session.capacity, meta={"csrf": False}),
            csrf=_CSRF_MARK,
            # Each row's action is this prefix + "<id>/<action>": one url_for a page instead of one a button.
            action_prefix=url_for("organiser.registration_action", registration_id=0, action="cancel").removesuffix(
                "0/cancel"
            ),
        )
        parts = tuple(Markup(part) for part in html.split(_CSRF_MARK))
        cache.put(key, parts)
    return parts


@bp.get("/sessions/<int:session_id>/registrations.csv")
@login_required
def registrations_export(session_id: int):
    event_session = _session_or_404(session_id)
    _, search = _filters()
    found = registrations.find_registrations(event_session, **search)
    # Accessibility needs are health data: in the file only when asked for (the list's second CSV link).
    needs = request.args.get("accessibility_needs") == "1"
    filename = f"registrations-{event_session.event.slug}-{event_session.id}.csv"
    return Response(
        registrations.registrations_csv(event_session, found, accessibility_needs=needs),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.post("/registrations/<int:registration_id>/<action>")
@login_required
def registration_action(registration_id: int, action: str):
    registration = _registration_or_404(registration_id)
    if action not in ("cancel", "confirm") or not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "cancel":
            registration_services.cancel_registration(registration, by=current_user, now=_now())
            flash(f"The registration of {registration.full_name} is cancelled; they are told.", "success")
        else:
            registration_services.promote_registration(registration, by=current_user, now=_now())
            flash(f"{registration.full_name} now has a seat; they are told.", "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    return redirect(url_for("organiser.registrations_list", session_id=registration.session_id))


@bp.get("/registrations/<int:registration_id>/data.json")
@login_required
def registration_data(registration_id: int):
    """One person's data, the same file they can download from their private link (a request for access)."""
    registration = _registration_or_404(registration_id)
    return Response(
        privacy.registration_json(registration, now=_now()),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{privacy.data_file_name(registration)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/registrations/<int:registration_id>/erase", methods=["GET", "POST"])
@login_required
def registration_erase(registration_id: int):
    """Erase a registrant's data on their request, after a confirmation page."""
    registration = _registration_or_404(registration_id)
    event_session = registration.session
    form = ConfirmForm()
    if form.validate_on_submit():
        name = registration.full_name
        try:
            registration_services.erase_registration(registration, by=current_user, now=_now())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"The personal data of {name}'s registration is erased; no email was sent.", "success")
        return redirect(url_for("organiser.registrations_list", session_id=event_session.id))
    return render_template(
        "organiser/registration_erase.html",
        event=event_session.event,
        event_session=event_session,
        registration=registration,
        form=form,
    )


@bp.post("/sessions/<int:session_id>/capacity")
@login_required
def session_capacity(session_id: int):
    event_session = _session_or_404(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        flash("The capacity must be a whole number of 0 or more, or empty for no limit.", "danger")
    else:
        _flash_outcome(
            lambda: registration_services.change_capacity(
                event_session, form.capacity.data, by=current_user, now=_now()
            ),
            lambda promoted: f"The capacity is changed; {len(promoted)} moved up from the waiting list.",
        )
    return redirect(url_for("organiser.registrations_list", session_id=session_id))


@bp.route("/sessions/<int:session_id>/message", methods=["GET", "POST"])
@login_required
def session_message(session_id: int):
    event_session = _session_or_404(session_id)
    form = MessageForm()
    if form.validate_on_submit() and _flash_outcome(
        lambda: registrations.message_registrants(
            event_session,
            audience=form.audience.data,
            subject=form.subject.data,
            body=form.body.data,
            by=current_user,
            now=_now(),
        ),
        lambda sent: f"The message is queued for {sent} attendee(s).",
    ):
        return redirect(url_for("organiser.registrations_list", session_id=session_id))
    return render_template(
        "organiser/message.html",
        form=form,
        event=event_session.event,
        event_session=event_session,
        counts=registrations.status_counts(event_session),
    )


# --- outbox and dashboard -----------------------------------------------------------------------


@bp.get("/events/<int:event_id>/outbox/")
@login_required
def outbox(event_id: int):
    event = _event_or_404(event_id)
    status = request.args.get("status") or None
    return render_template(
        "organiser/outbox.html",
        event=event,
        messages=reports.event_messages(event, status=status),
        counts=reports.outbox_counts(event),
        status=status,
        action_form=ConfirmForm(),
    )


def _message_or_404(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.event_id is None:
        abort(404)
    _event_or_404(message.event_id)
    return message


@bp.get("/outbox/<int:message_id>")
@login_required
def outbox_message(message_id: int):
    message = _message_or_404(message_id)
    event = db.session.get(Event, message.event_id)
    return render_template(
        "organiser/outbox_message.html",
        event=event,
        message=message,
        body_text=reports.shown_text(message, message.body_text),
        ics=reports.shown_text(message, message.ics),
        action_form=ConfirmForm(),
    )


@bp.post("/outbox/<int:message_id>/resend")
@login_required
def outbox_resend(message_id: int):
    message = _message_or_404(message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _flash_outcome(
        lambda: reports.resend_message(message, by=current_user, now=_now()),
        lambda _: f"The message to {message.to_address} is queued again.",
    )
    return redirect(url_for("organiser.outbox", event_id=message.event_id))


@bp.get("/events/<int:event_id>/activity")
@login_required
def activity_log(event_id: int):
    event = _event_or_404(event_id)
    kind = request.args.get("kind") if request.args.get("kind") in {k.value for k in ActorKind} else None
    return render_template(
        "organiser/activity.html",
        event=event,
        shown=activity.event_activity(event, kind=kind, page=request.args.get("page", 1, type=int)),
        kind=kind,
        kinds=[(k.value, k.label) for k in ActorKind],
    )


@bp.get("/events/<int:event_id>/dashboard")
@login_required
def dashboard(event_id: int):
    event = _event_or_404(event_id)
    return render_template(
        "organiser/dashboard.html",
        event=event,
        figures=reports.event_dashboard(event),
        chart_width=reports.CHART_WIDTH,
        chart_height=reports.CHART_HEIGHT,
    )
