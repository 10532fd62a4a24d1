"""Message builders for attendees: each renders templates/mail/<name>.txt and .html, builds the iTIP
invite where one belongs, and adds one outbox row to the caller's transaction (never commits). Reminders are
the exception: planned as rows with no text, written by the worker when they fall due (see below).

Links in emails are absolute, built from the routes on SERVER_BASE_URL (app.urls.external_url): there is no
request when a worker or the CLI causes a message. A manage link is a private link: the stored bodies hold
its placeholder and the message keeps the link only until it is delivered (app/mail/outbox.py). Reminders
carry one too, issued when the worker writes them (below); updates, notes to the waiting list, "you are in" and
cancellations carry none: they refer to the one sent when the attendee registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from app import timeutil
from app.calendar import identity
from app.calendar.ical import Slot, invite_calendar, to_bytes
from app.extensions import db
from app.i18n import in_recipient_language, localised
from app.mail.outbox import link_placeholder, new_message
from app.models import EventSession, EventStatus, OutboxMessage, OutboxStatus, Registration, RegistrationStatus
from app.security import hash_token, new_token
from app.urls import external_url

#: Every message to an attendee is written in the language they registered in, whoever causes it (the builder as a
#: whole runs in it: subject, bodies, dates, the invite's text).
to_attendee = in_recipient_language(lambda registration, *_args, **_kwargs: registration.language)

#: The messages that carry a manage link (a new one is issued when such a message is sent again).
MANAGE_LINK_KINDS = ("confirmation", "waitlisted", "manage_link")
#: Reminder kinds and how long before the session each one leaves.
REMINDERS = {"reminder_24h": timedelta(hours=24), "reminder_1h": timedelta(hours=1)}
#: How each reminder says when the session starts.
_LEADS = {"reminder_24h": lambda: _("tomorrow"), "reminder_1h": lambda: _("in one hour")}


@dataclass(frozen=True)
class SessionChange:
    """What changed in a session, written out in each recipient's own language when their message is built.

    `moved` is the old and new (start, end); `link` is "changed" or "removed" when the join link changed."""

    moved: tuple[tuple[datetime, datetime], tuple[datetime, datetime]] | None = None
    link: str | None = None

    def without_link(self) -> SessionChange:
        return SessionChange(moved=self.moved)

    def text(self, zone: str) -> str:
        """'it moved from Wednesday 30 October 2030, 09:00–10:30 CET to …. The link to join online changed.'"""
        parts = []
        if self.moved is not None:
            (old_start, old_end), (new_start, new_end) = self.moved
            parts.append(
                _(
                    "it moved from %(old)s to %(new)s.",
                    old=timeutil.format_when(old_start, old_end, zone),
                    new=timeutil.format_when(new_start, new_end, zone),
                )
            )
        if self.link == "changed":
            parts.append(_("The link to join online changed.") if parts else _("the link to join online changed."))
        elif self.link == "removed":
            parts.append(_("The join link was removed.") if parts else _("the join link was removed."))
        return " ".join(parts)


def manage_url(token: str) -> str:
    """The private link to a registration's manage page."""
    return external_url("registration.manage", token=token)


def session_url(session: EventSession) -> str:
    return external_url("agenda.session_page", slug=session.event.slug, session_id=session.id)


def invite_ics(registration: Registration, *, method: str, now: datetime) -> str:
    """The iTIP message for this attendee: same UID forever, the registration's current SEQUENCE."""
    session = registration.session
    event = session.event
    description = f"{localised(event, 'title')}\n{session_url(session)}"
    if method == "REQUEST" and session.join_url:
        description = f"{_('Join online:')} {session.join_url}\n\n{description}"
    slot = Slot(
        uid=identity.registration_uid(registration),
        sequence=identity.registration_sequence(registration),
        summary=localised(session, "title"),
        start=session.starts_at,
        end=session.ends_at,
        description=description,
        # The join link goes only into invites for a seat, never into a cancellation.
        location=identity.location(session, join_link=method == "REQUEST"),
        url=session_url(session),
    )
    organizer_email, organizer_name = identity.organizer(event)
    calendar = invite_calendar(
        slot,
        method=method,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendee_email=registration.email,
        attendee_name=registration.full_name,
        stamp=now,
    )
    return to_bytes(calendar).decode("utf-8")


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
    ics_method: str | None = None,
    manage_link: str | None = None,
    **context,
) -> OutboxMessage:
    session = registration.session
    if manage_link is not None:
        context["manage_link"] = link_placeholder(1)
    body_text, body_html = _render(template, registration, **context)
    message = new_message(
        kind=kind,
        to_address=registration.email,
        to_name=registration.full_name,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=invite_ics(registration, method=ics_method, now=now) if ics_method else None,
        ics_method=ics_method,
        private_links=[manage_link] if manage_link is not None else (),
        not_before=now,
        event=session.event,
        session=session,
        registration=registration,
    )
    # The service's clock, so "sent recently" checks agree with the caller's `now`.
    message.created_at = now
    return message


def _render(template: str, registration: Registration, **context) -> tuple[str, str]:
    """templates/mail/<template>.txt and .html for this attendee and their session as it is now."""
    session = registration.session
    context = dict(
        registration=registration,
        session=session,
        event=session.event,
        session_link=session_url(session),
        **context,
    )
    return render_template(f"mail/{template}.txt", **context), render_template(f"mail/{template}.html", **context)


@to_attendee
def queue_confirmation(registration: Registration, token: str, *, now: datetime) -> OutboxMessage:
    """A seat: the invite and the manage link. Its reminders are planned apart (`plan_reminders`)."""
    return _queue(
        "confirmation",
        registration,
        kind="confirmation",
        subject=_("Registered: %(title)s", title=localised(registration.session, "title")),
        now=now,
        ics_method="REQUEST",
        manage_link=manage_url(token),
    )


@to_attendee
def queue_waitlisted(registration: Registration, token: str, place: int, *, now: datetime) -> OutboxMessage:
    """On the waiting list: the place and the manage link, no invite (no seat yet)."""
    return _queue(
        "waitlisted",
        registration,
        kind="waitlisted",
        subject=_("Waiting list: %(title)s", title=localised(registration.session, "title")),
        now=now,
        manage_link=manage_url(token),
        place=place,
    )


@to_attendee
def queue_promoted(registration: Registration, *, now: datetime) -> OutboxMessage:
    """A seat freed up and this waitlisted attendee took it: "you are in" with the invite."""
    return _queue(
        "promoted",
        registration,
        kind="promoted",
        subject=_("You are in: %(title)s", title=localised(registration.session, "title")),
        now=now,
        ics_method="REQUEST",
    )


@to_attendee
def queue_manage_link(registration: Registration, token: str, *, now: datetime) -> OutboxMessage:
    return _queue(
        "manage_link",
        registration,
        kind="manage_link",
        subject=_("Your registration link: %(title)s", title=localised(registration.session, "title")),
        now=now,
        manage_link=manage_url(token),
    )


@to_attendee
def queue_registration_cancelled(registration: Registration, *, now: datetime, had_seat: bool) -> OutboxMessage:
    """The attendee cancelled: METHOD:CANCEL if they held a seat (and so an invite), plain text otherwise."""
    return _queue(
        "registration_cancelled",
        registration,
        kind="cancellation",
        subject=_("Cancelled: %(title)s", title=localised(registration.session, "title")),
        now=now,
        ics_method="CANCEL" if had_seat else None,
        had_seat=had_seat,
    )


@to_attendee
def queue_update(registration: Registration, change: SessionChange, *, now: datetime) -> OutboxMessage:
    """The session moved or its join link changed: REQUEST, same UID, higher SEQUENCE, what changed."""
    return _queue(
        "update",
        registration,
        kind="update",
        subject=_("Updated: %(title)s", title=localised(registration.session, "title")),
        now=now,
        ics_method="REQUEST",
        change=change.text(registration.session.event.timezone),
    )


@to_attendee
def queue_waitlist_update(
    registration: Registration, change: SessionChange, place: int, *, now: datetime
) -> OutboxMessage:
    """The session moved while this attendee waits for a seat: what changed and their place, no invite (they hold
    no seat, so there is no calendar entry to update) and no join link (only seats see it)."""
    return _queue(
        "waitlist_update",
        registration,
        kind="waitlist_update",
        subject=_("Changed: %(title)s", title=localised(registration.session, "title")),
        now=now,
        change=change.text(registration.session.event.timezone),
        place=place,
    )


@to_attendee
def queue_session_cancelled(registration: Registration, *, now: datetime, reason: str = "") -> OutboxMessage:
    """The session is called off: METHOD:CANCEL to confirmed attendees, a plain note to the waiting list."""
    return _queue(
        "session_cancelled",
        registration,
        kind="session_cancelled",
        subject=_("Called off: %(title)s", title=localised(registration.session, "title")),
        now=now,
        ics_method="CANCEL" if registration.is_confirmed else None,
        reason=reason,
    )


# Reminders are written when they fall due, never before: a registration (or a seat taken from the waiting
# list) adds one row per reminder that names its registration and kind, with no subject or body, due at its
# time. The worker (app/mail/delivery.py) asks `reminder_obsolete` whether it still stands, and if so has it
# composed by `compose_reminder` from the registration and session as they are then: the current title, time,
# zone and join link, with nothing to re-plan when they change. A moved session only re-times its rows
# (`retime_reminders`); a cancelled registration or session cancels them, and the worker drops any that
# slipped through with the reason.


@dataclass(frozen=True)
class ReminderText:
    """A reminder as it goes out now."""

    to_name: str
    subject: str
    body_text: str
    body_html: str
    #: The private links its bodies' placeholders stand for (app/mail/outbox.py): a new manage link.
    private_links: tuple[str, ...] = ()
    #: The hash of that link's token. Only a hash is ever stored, so the link cannot be written again: the
    #: worker gives it to the registration when the reminder is recorded sent (the earlier link then stops
    #: working), never before, so a reminder that could not be sent leaves the earlier link working.
    manage_token_hash: str | None = None


#: Why the worker drops a reminder that fell due, as the outbox page shows it (the log says the key).
DROPPED = {
    "no_registration": "Not sent: the registration is gone or its personal data was erased.",
    "no_seat": "Not sent: the registration no longer holds a seat.",
    "called_off": "Not sent: the session was called off.",
    "started": "Not sent: the session had already started.",
    "superseded": "Not sent: its time had passed; the next reminder goes instead.",
}


def reminder_times(session: EventSession) -> dict[str, datetime]:
    """When each reminder of this session falls due, by kind."""
    return {kind: session.starts_at - before for kind, before in REMINDERS.items()}


def plan_reminders(registration: Registration, *, now: datetime) -> list[OutboxMessage]:
    """Add the reminders still ahead of `now` to the caller's transaction: due rows, no text yet.

    The registration must have its id (flushed)."""
    planned = [_planned(registration, kind, due, now=now) for kind, due in reminder_times(registration.session).items()]
    planned = [message for message in planned if message is not None]
    db.session.add_all(planned)
    return planned


def _planned(registration: Registration, kind: str, due: datetime, *, now: datetime) -> OutboxMessage | None:
    if due <= now:
        return None
    session = registration.session
    message = new_message(
        kind=kind,
        to_address=registration.email,
        to_name=registration.full_name,
        subject="",
        body_text="",
        not_before=due,
        event=session.event,
        session=session,
        registration=registration,
    )
    message.created_at = now
    return message


def retime_reminders(session: EventSession, registrations: list[Registration], *, now: datetime) -> None:
    """The session moved: the reminders of its confirmed `registrations` follow it, with no text composed.

    A reminder not sent yet takes its new time, or is cancelled if that time has passed; a registration whose
    reminder went out already (the session moved later) or never had one gets one if its new time is ahead."""
    times = reminder_times(session)
    ids = [registration.id for registration in registrations]
    pending = {
        (message.registration_id, message.kind): message
        for message in db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.registration_id.in_(ids),
                OutboxMessage.kind.in_(list(REMINDERS)),
                # A row being sent moves too: should its worker find it early now, it puts it back (delivery.py).
                OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRYING, OutboxStatus.SENDING]),
            )
        )
    }
    for registration in registrations:
        for kind, due in times.items():
            message = pending.get((registration.id, kind))
            if message is None:
                planned = _planned(registration, kind, due, now=now)
                if planned is not None:
                    db.session.add(planned)
            elif due > now:
                message.not_before = due
            else:
                message.status, message.last_error = OutboxStatus.CANCELLED, DROPPED["superseded"]


def reminder_obsolete(registration: Registration | None, kind: str, *, now: datetime) -> str | None:
    """Why a reminder that fell due must not go out (a key of DROPPED), or None if it still stands."""
    if registration is None or registration.is_anonymised:
        return "no_registration"
    if registration.status != RegistrationStatus.CONFIRMED:
        return "no_seat"
    session = registration.session
    if session.is_cancelled or session.event.status == EventStatus.CANCELLED:
        return "called_off"
    if now >= session.starts_at:
        return "started"
    # Only one reminder at a time: once a shorter one is due, the longer one has nothing to add.
    if any(now >= session.starts_at - before for before in REMINDERS.values() if before < REMINDERS[kind]):
        return "superseded"
    return None


@to_attendee
def compose_reminder(registration: Registration, kind: str) -> ReminderText:
    """The reminder as it goes out now, from the registration and its session as they are now, with a new
    manage link (to see, change or cancel): its bodies hold the placeholder, the link is in `private_links`."""
    session = registration.session
    lead = _LEADS[kind]()
    token = new_token()
    body_text, body_html = _render("reminder", registration, lead=lead, manage_link=link_placeholder(1))
    return ReminderText(
        to_name=registration.full_name,
        subject=_("Reminder: %(title)s starts %(lead)s", title=localised(session, "title"), lead=lead),
        body_text=body_text,
        body_html=body_html,
        private_links=(manage_url(token),),
        manage_token_hash=hash_token(token),
    )
