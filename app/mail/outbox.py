"""The outbox: store a message in the caller's transaction; workers deliver it later."""

from datetime import datetime

from app.extensions import db
from app.models import Event, EventSession, OutboxMessage, Person, Registration


def enqueue_message(**fields) -> OutboxMessage:
    """Add one message for one recipient to the current transaction; never commits."""
    message = new_message(**fields)
    db.session.add(message)
    return message


def new_message(
    *,
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    to_name: str = "",
    ics: str | None = None,
    ics_method: str | None = None,
    not_before: datetime | None = None,
    event: Event | None = None,
    session: EventSession | None = None,
    registration: Registration | None = None,
    person: Person | None = None,
) -> OutboxMessage:
    """One message for one recipient, not yet part of any transaction (see `enqueue_message`)."""
    message = OutboxMessage(
        kind=kind,
        to_address=to_address,
        to_name=to_name,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=ics,
        ics_method=ics_method,
        event_id=event.id if event else None,
        session_id=session.id if session else None,
        registration_id=registration.id if registration else None,
        person_id=person.id if person else None,
    )
    if not_before is not None:
        message.not_before = not_before
    return message
