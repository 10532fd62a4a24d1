"""What every organiser screen shares: the blueprint, who may see what, running a service as one use case.

Every page needs a signed-in organiser; an event they do not manage answers 404, like an id that does not
exist, so that nobody learns which events exist.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import TypeVar

from flask import Blueprint, abort, flash
from flask_login import current_user

from app import timeutil
from app.agenda import services as agenda
from app.errors import DomainError
from app.extensions import db
from app.models import AgendaItem, Event, EventSession, OutboxMessage, Person, Registration
from app.organiser import services as accounts
from app.organiser.forms import ConfirmForm, SaveAnywayForm
from app.transaction import use_case

bp = Blueprint("organiser", __name__)

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def apply(action: Callable[[], T], success: Callable[[T], str], *, refused: str = "danger") -> bool:
    """Run one service as one use case: commit and flash its success, or roll all of it back and flash the
    broken rule's message instead."""
    try:
        with use_case():
            result = action()
    except DomainError as error:
        flash(error.message, refused)
        return False
    flash(success(result), "success")
    return True


def check_confirm_form() -> None:
    """A button that changes something posts a ConfirmForm; without its CSRF token the request is refused."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


# --- who may see what ---------------------------------------------------------------------------


def event_or_404(event_id: int, *options) -> Event:
    event = accounts.managed_event(current_user, event_id, *options)
    if event is None:
        abort(404)
    return event


def session_or_404(session_id: int) -> EventSession:
    """The session and its event (`event_session.event` costs no query), if the organiser manages it."""
    event_session = accounts.managed_session(current_user, session_id)
    if event_session is None:
        abort(404)
    return event_session


def item_or_404(item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None:
        abort(404)
    session_or_404(item.session_id)
    return item


def person_or_404(event: Event, person_id: int) -> Person:
    """A person of this event (the organiser manages it); another event's person answers 404."""
    try:
        return agenda.get_person(event, person_id)
    except DomainError:
        abort(404)


def registration_or_404(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    session_or_404(registration.session_id)
    return registration


def message_or_404(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.event_id is None:
        abort(404)
    event_or_404(message.event_id)
    return message


# --- forms --------------------------------------------------------------------------------------


def form_fields(form, names) -> dict:
    return {name: getattr(form, name).data for name in names if name in form}


def local(event: Event, day, clock: time | None) -> datetime:
    return timeutil.local_datetime(day, clock, event.timezone)


def local_or_none(event: Event, value: datetime | None) -> datetime | None:
    return None if value is None else local(event, value.date(), value.time())


# --- the "save anyway" step ----------------------------------------------------------------------


def _confirmation_key(values: tuple) -> str:
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def needs_confirmation(form: SaveAnywayForm, warned: bool, *values) -> bool:
    """True while there is something to warn about that the organiser has not yet seen for these exact values:
    the screen then shows the warnings and the form carries a key that lets the next submit go ahead. Changing
    any of the values after seeing the warnings asks again."""
    key = _confirmation_key(values)
    if warned and form.confirm.data != key:
        form.confirm.data = key
        return True
    return False
