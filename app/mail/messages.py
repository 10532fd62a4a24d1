"""Message builders for attendees: each renders templates/mail/<name>.txt and .html, builds the iTIP
invite where one belongs, and adds one outbox row to the caller's transaction (never commits).

Links in emails are absolute, built from the routes on SERVER_BASE_URL (app.urls.external_url): there is no
request when a worker or the CLI causes a message. A manage link is a private link: the stored bodies hold
its placeholder and the message keeps the link only until it is delivered (app/mail/outbox.py). Reminders,
updates, "you are in" and cancellations carry no manage link: they refer to the one sent when the attendee
registered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template

from app.calendar.ical import Slot, invite_calendar, to_bytes
from app.extensions import db
from app.mail.outbox import link_placeholder, new_message
from app.models import EventSession, OutboxMessage, Registration
from app.urls import external_url

#: The messages that carry a manage link (a new one is issued when such a message is sent again).
MANAGE_LINK_KINDS = ("confirmation", "waitlisted", "manage_link")
#: Reminder kinds and how long before the session each one leaves.
REMINDERS = {"reminder_24h": timedelta(hours=24), "reminder_1h": timedelta(hours=1)}


def manage_url(token: str) -> str:
    """The private link to a registration's manage page."""
    return external_url("registration.manage", token=token)


def session_url(session: EventSession) -> str:
    return external_url("agenda.session_page", slug=session.event.slug, session_id=session.id)


def invite_uid(registration: Registration) -> str:
    return f"{registration.uid}@{current_app.config['ICAL_UID_DOMAIN']}"


def invite_ics(registration: Registration, *, method: str, now: datetime) -> str:
    """The iTIP message for this attendee: same UID forever, the registration's current SEQUENCE."""
    session = registration.session
    event = session.event
    description = f"{event.title}\n{session_url(session)}"
    if method == "REQUEST" and session.join_url:
        description = f"Join online: {session.join_url}\n\n{description}"
    slot = Slot(
        uid=invite_uid(registration),
        sequence=registration.sequence,
        summary=session.title,
        start=session.starts_at,
        end=session.ends_at,
        description=description,
        location=_location(session, method),
        url=session_url(session),
    )
    calendar = invite_calendar(
        slot,
        method=method,
        organizer_email=event.contact_email or current_app.config["MAIL_DEFAULT_SENDER"],
        organizer_name=event.contact_name or event.title,
        attendee_email=registration.email,
        attendee_name=registration.full_name,
        stamp=now,
    )
    return to_bytes(calendar).decode("utf-8")


def _location(session: EventSession, method: str) -> str:
    # The join link goes only into invites for a seat, never into a cancellation.
    if session.is_online and session.join_url and method == "REQUEST":
        return session.join_url
    return session.location or ("Online" if session.is_online else "")


def _queue(template: str, registration: Registration, **fields) -> OutboxMessage:
    """Compose one message to the attendee and add it to the caller's transaction."""
    message = _compose(template, registration, **fields)
    db.session.add(message)
    return message


def _compose(
    template: str,
    registration: Registration,
    *,
    kind: str,
    subject: str,
    now: datetime,
    not_before: datetime | None = None,
    ics_method: str | None = None,
    manage_link: str | None = None,
    **context,
) -> OutboxMessage:
    session = registration.session
    if manage_link is not None:
        context["manage_link"] = link_placeholder(1)
    context = dict(
        registration=registration,
        session=session,
        event=session.event,
        session_link=session_url(session),
        **context,
    )
    message = new_message(
        kind=kind,
        to_address=registration.email,
        to_name=registration.full_name,
        subject=subject,
        body_text=render_template(f"mail/{template}.txt", **context),
        body_html=render_template(f"mail/{template}.html", **context),
        ics=invite_ics(registration, method=ics_method, now=now) if ics_method else None,
        ics_method=ics_method,
        private_links=[manage_link] if manage_link is not None else (),
        not_before=not_before or now,
        event=session.event,
        session=session,
        registration=registration,
    )
    # The service's clock, so "sent recently" checks agree with the caller's `now`.
    message.created_at = now
    return message


def queue_waitlisted(registration: Registration, token: str, place: int, *, now: datetime) -> OutboxMessage:
    """On the waiting list: the place and the manage link, no invite (no seat yet)."""
    return _queue(
        "waitlisted",
        registration,
        kind="waitlisted",
        subject=f"Waiting list: {registration.session.title}",
        now=now,
        manage_link=manage_url(token),
        place=place,
    )


def queue_promoted(registration: Registration, *, now: datetime) -> OutboxMessage:
    """A seat freed up and this waitlisted attendee took it: "you are in" with the invite."""
    return _queue(
        "promoted",
        registration,
        kind="promoted",
        subject=f"You are in: {registration.session.title}",
        now=now,
        ics_method="REQUEST",
    )


def queue_manage_link(registration: Registration, token: str, *, now: datetime) -> OutboxMessage:
    return _queue(
        "manage_link",
        registration,
        kind="manage_link",
        subject=f"Your registration link: {registration.session.title}",
        now=now,
        manage_link=manage_url(token),
    )


def queue_registration_cancelled(registration: Registration, *, now: datetime, had_seat: bool) -> OutboxMessage:
    """The attendee cancelled: METHOD:CANCEL if they held a seat (and so an invite), plain text otherwise."""
    return _queue(
        "registration_cancelled",
        registration,
        kind="cancellation",
        subject=f"Cancelled: {registration.session.title}",
        now=now,
        ics_method="CANCEL" if had_seat else None,
        had_seat=had_seat,
    )


def queue_update(registration: Registration, change: str, *, now: datetime) -> OutboxMessage:
    """The session moved or its join link changed: REQUEST, same UID, higher SEQUENCE, what changed."""
    return _queue(
        "update",
        registration,
        kind="update",
        subject=f"Updated: {registration.session.title}",
        now=now,
        ics_method="REQUEST",
        change=change,
    )


def queue_session_cancelled(registration: Registration, *, now: datetime, reason: str = "") -> OutboxMessage:
    """The session is called off: METHOD:CANCEL to confirmed attendees, a plain note to the waiting list."""
    return _queue(
        "session_cancelled",
        registration,
        kind="session_cancelled",
        subject=f"Called off: {registration.session.title}",
        now=now,
        ics_method="CANCEL" if registration.is_confirmed else None,
        reason=reason,
    )


def queue_reminders(registration: Registration, *, now: datetime) -> list[OutboxMessage]:
    """Reminders with the join link at 24 h and 1 h before the session, those still ahead of `now`."""
    reminders = _compose_reminders(registration, now=now)
    db.session.add_all(reminders)
    return reminders


def new_registration_messages(registration: Registration, token: str, *, now: datetime) -> list[OutboxMessage]:
    """The confirmation and the reminders of a registration that is not saved yet, composed but not queued.

    Registration composes them before it takes the session's lock, so the lock is held only for the seat
    decision and the inserts; the caller sets `registration_id` and adds them once the seat is taken.
    """
    confirmation = _compose(
        "confirmation",
        registration,
        kind="confirmation",
        subject=f"Registered: {registration.session.title}",
        now=now,
        ics_method="REQUEST",
        manage_link=manage_url(token),
    )
    return [confirmation, *_compose_reminders(registration, now=now)]


def _compose_reminders(registration: Registration, *, now: datetime) -> list[OutboxMessage]:
    session = registration.session
    composed = []
    for kind, before in REMINDERS.items():
        send_at = session.starts_at - before
        if send_at <= now:
            continue
        lead = "tomorrow" if before >= timedelta(hours=24) else "in one hour"
        composed.append(
            _compose(
                "reminder",
                registration,
                kind=kind,
                subject=f"Reminder: {session.title} starts {lead}",
                now=now,
                not_before=send_at,
                lead=lead,
            )
        )
    return composed
