"""Registration rules: seats, the waiting list, manage links, and the changes organisers make to a session.

Every service that changes a session's seats first locks the session row (the capacity row is the lock:
without it, count-then-insert overbooked six times over under concurrency on PostgreSQL; see
docs/architecture.md), and adds its emails to the outbox in the same transaction. None of them commits: the
edge that called them does, once per use case (app.transaction.use_case), and the lock is held until then.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app import i18n, timeutil
from app.activity import record
from app.calendar import identity
from app.errors import (
    AlreadyRegistered,
    CapacityTooLow,
    DomainError,
    InvalidToken,
    RegistrationClosed,
    SessionCancelled,
    SessionFull,
    ValidationFailed,
)
from app.extensions import db
from app.mail import messages
from app.models import (
    AttendeeGroup,
    EventSession,
    EventStatus,
    Organiser,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    SessionStatus,
    new_uid,
    utcnow,
)
from app.privacy import services as privacy
from app.security import hash_token, new_token
from app.text import MAX_EMAIL_LENGTH, InvalidEmail, clean_line, clean_text, has_control_characters, normalise_email
from app.wording import count

#: A second "already registered" within this window sends no new email (double clicks, retries, abuse).
MANAGE_LINK_RESEND_WINDOW = timedelta(minutes=10)

#: Limits shared with the form, so the rules hold for every caller.
LIMITS = {
    "full_name": 200,
    "email": MAX_EMAIL_LENGTH,
    "organisation": 200,
    "question": 2000,
    "accessibility_needs": 1000,
}


class RegistrationState(enum.StrEnum):
    """What the session page offers: a form, or a clear reason why not."""

    OPEN = "open"
    WAITLIST = "waitlist"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    FULL = "full"
    CANCELLED = "cancelled"
    NOT_OFFERED = "not_offered"


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    #: The private manage token; only its hash is stored, so this is the only chance to show it.
    token: str
    #: Place on the waiting list (1 is next), None when confirmed.
    place: int | None


def registration_state(session: EventSession, *, now: datetime) -> RegistrationState:
    """Whether registering is possible now, and if not, why."""
    if session.is_cancelled or session.event.status == EventStatus.CANCELLED:
        return RegistrationState.CANCELLED
    if not session.registration_enabled or session.event.status != EventStatus.PUBLISHED:
        return RegistrationState.NOT_OFFERED
    if session.registration_opens_at is not None and now < session.registration_opens_at:
        return RegistrationState.NOT_YET_OPEN
    closes_at = session.registration_closes_at or session.starts_at
    if now >= closes_at:
        return RegistrationState.CLOSED
    if session.capacity is not None and session.seats_taken >= session.capacity:
        return RegistrationState.WAITLIST if session.waitlist_enabled else RegistrationState.FULL
    return RegistrationState.OPEN


def waitlist_place(registration: Registration) -> int | None:
    """1 for the next person to get a seat; None when not on the waiting list."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.session_id == registration.session_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.waitlisted_at < registration.waitlisted_at,
                and_(Registration.waitlisted_at == registration.waitlisted_at, Registration.id < registration.id),
            ),
        )
    )
    return ahead + 1


def find_by_token(token: str) -> Registration:
    """The registration a manage link points to; a wrong or unknown token is the same InvalidToken."""
    if not token or len(token) > 100:
        raise InvalidToken()
    registration = db.session.scalar(select(Registration).where(Registration.manage_token_hash == hash_token(token)))
    if registration is None:
        raise InvalidToken()
    return registration


def register_attendee(
    session: EventSession,
    *,
    full_name: str,
    email: str,
    organisation: str = "",
    group: AttendeeGroup | str = AttendeeGroup.OTHER,
    question: str = "",
    accessibility_needs: str = "",
    consent: bool,
    timezone: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> RegistrationResult:
    """A seat if one is free, else a place on the waiting list (if the session has one), with the email.

    Registering an email again never makes a second registration: a fresh manage link goes to that
    address (at most once per MANAGE_LINK_RESEND_WINDOW) and AlreadyRegistered, saying whether one went, is
    raised, an error that keeps its changes (the edge commits the fresh link before the error travels on).
    Without `now`, the clock is read once the session row is locked, so the waiting list's times follow
    the order in which registrations took the lock.
    """
    fields = _clean_fields(
        full_name=full_name,
        organisation=organisation,
        question=question,
        accessibility_needs=accessibility_needs,
    )
    email, email_normalised = _clean_email(email)
    if not consent:
        raise ValidationFailed(_("Please agree to the privacy notice to register."))
    group = _group(group)
    timezone = timezone if timeutil.is_valid_zone(timezone) else None
    # The language the attendee registered in: every later email to them is written in it.
    language = language if i18n.is_available(language) else None

    token = new_token()
    registration = Registration(
        session=session,
        uid=new_uid(),
        sequence=0,
        email=email,
        email_normalised=email_normalised,
        group=group,
        consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        timezone=timezone,
        language=language,
        manage_token_hash=hash_token(token),
        **fields,
    )
    session = _lock(session)
    now = now or utcnow()
    state = registration_state(session, now=now)
    if state not in (RegistrationState.OPEN, RegistrationState.WAITLIST):
        # Someone registered already is told so (with a fresh link) even where a newcomer is refused.
        _tell_if_registered(session, email_normalised, now=now)
    if state in (RegistrationState.CANCELLED, RegistrationState.NOT_OFFERED, RegistrationState.CLOSED):
        raise RegistrationClosed()
    if state == RegistrationState.NOT_YET_OPEN:
        opens = timeutil.format_datetime(session.registration_opens_at, session.event.timezone)
        raise RegistrationClosed(_("Registration for this session opens on %(when)s.", when=opens))
    if state == RegistrationState.FULL:
        raise SessionFull(_("This session is full and has no waiting list."))

    try:
        # The partial unique index is the duplicate check: one active registration per address and session. The
        # savepoint keeps the transaction, and the session's lock, when the index refuses: the fresh link is kept.
        with db.session.begin_nested():
            registration.consented_at = registration.created_at = now
            if state == RegistrationState.OPEN:
                _confirm(registration, now=now)
            else:
                registration.status = RegistrationStatus.WAITLISTED
                registration.waitlisted_at = now
            db.session.add(registration)
    except IntegrityError as error:
        _tell_if_registered(session, email_normalised, now=now)
        raise AlreadyRegistered() from error
    # One message composed, once, from the session as the lock shows it; the reminders are rows with no text.
    place = waitlist_place(registration)
    if registration.is_confirmed:
        messages.queue_confirmation(registration, token, now=now)
        messages.plan_reminders(registration, now=now)
    else:
        messages.queue_waitlisted(registration, token, place, now=now)
    outcome = "a seat" if registration.is_confirmed else f"place {place} on the waiting list"
    summary = f"Registration {registration.id} for “{session.title}”: {outcome}."
    record(
        by=registration,
        event=session.event,
        action="registration.created",
        summary=summary,
        target=registration,
        now=now,
    )
    return RegistrationResult(registration, token, place)


def _tell_if_registered(session: EventSession, email_normalised: str, *, now: datetime) -> None:
    """If this address already holds an active registration for the session: a fresh manage link to it (see
    `_resend_manage_link`), and AlreadyRegistered, which keeps it. The session row is locked."""
    existing = db.session.scalar(
        select(Registration).where(
            Registration.session_id == session.id,
            Registration.email_normalised == email_normalised,
            Registration.active(),
        )
    )
    if existing is not None:
        sent = _resend_manage_link(existing, now=now)
        raise AlreadyRegistered(link_sent=sent)


def update_registration(
    registration: Registration,
    *,
    full_name: str,
    organisation: str,
    group: AttendeeGroup | str,
    question: str,
    accessibility_needs: str,
    timezone: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """The attendee corrects their details or question; the email address (the key) stays."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_("This registration is cancelled and can no longer be changed."))
    fields = _clean_fields(
        full_name=full_name, organisation=organisation, question=question, accessibility_needs=accessibility_needs
    )
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.group = _group(group)
    registration.timezone = timezone if timeutil.is_valid_zone(timezone) else None
    registration.updated_at = now = now or utcnow()
    summary = f"Registration {registration.id} for “{registration.session.title}”: the attendee changed their details."
    record(
        by=registration,
        event=registration.session.event,
        action="registration.updated",
        summary=summary,
        target=registration,
        now=now,
    )
    return registration


def cancel_registration(
    registration: Registration, *, by: Organiser | None = None, now: datetime | None = None
) -> Registration:
    """Cancel and free the seat, which the first on the waiting list takes in the same transaction.

    `by` is the organiser who cancels; None is the attendee, from their manage link. The accessibility needs
    (health data) are cleared at once: a cancelled registration has no use for them."""
    now = now or utcnow()
    session = _lock(registration.session)
    db.session.refresh(registration)
    if refusal := cancellation_refusal(registration):
        raise DomainError(refusal)
    promoted = _cancel(registration, session, now=now, notify=True)
    _record_cancelled(registration, session, promoted, by=by, now=now)
    return registration


def cancellation_refusal(registration: Registration) -> str | None:
    """Why cancel_registration would refuse this registration now, for the page that asks first; None if not."""
    if registration.status == RegistrationStatus.CANCELLED:
        return _("This registration is already cancelled.")
    if registration.is_anonymised:
        return _("The personal data of this registration is erased: nobody can be told.")
    return None


def who_moves_up(registration: Registration) -> list[Registration]:
    """Who takes a seat if this registration is cancelled now, as `_cancel` and `_promote_waitlisted` decide: when
    it holds a seat and the session goes ahead, the waiting list in order, as many as there are then free seats
    (all of them without a capacity). For the page that asks first; the cancellation decides under the lock."""
    session = registration.session
    if not registration.is_confirmed or session.is_cancelled:
        return []
    free = None if session.capacity is None else session.capacity - (session.seats_taken - 1)
    if free is not None and free <= 0:
        return []
    waiting = _waiting_list(session)
    return list(db.session.scalars(waiting if free is None else waiting.limit(free)))


def erase_registration(registration: Registration, *, by: Organiser | None = None, now: datetime | None = None) -> None:
    """Erase the attendee's personal data on request: cancelled as a cancellation is (the seat goes to the
    first on the waiting list in the same transaction), then anonymised with its mail (app.privacy.services).

    `by` is the organiser who erases on the attendee's request; None is the attendee, from their manage link.
    No email is sent, not even the cancellation: it would keep the address in the outbox, which the erasure
    must not. The manage link stops working."""
    now = now or utcnow()
    session = _lock(registration.session)
    db.session.refresh(registration)
    if registration.is_anonymised:
        raise DomainError(_("The personal data of this registration is already erased."))
    promoted = []
    if registration.status != RegistrationStatus.CANCELLED:
        promoted = _cancel(registration, session, now=now, notify=False)
    db.session.flush()
    privacy.anonymise_registrations(Registration.id == registration.id, now=now)
    who = "Erased" if by is not None else "The attendee erased"
    summary = f"{who} the personal data of registration {registration.id} for “{session.title}”{_moved_up(promoted)}."
    record(
        by=by or registration,
        event=session.event,
        action="registration.erased",
        summary=summary,
        target=registration,
        now=now,
    )


def change_capacity(session: EventSession, capacity: int | None, *, by, now: datetime | None = None) -> list:
    """Set the number of seats (None: no limit); new seats go to the waiting list in order. Returns the promoted."""
    now = now or utcnow()
    session = _lock(session)
    if session.is_cancelled:
        raise SessionCancelled()
    if capacity is not None and capacity < 0:
        raise ValidationFailed(_("The capacity cannot be negative."))
    if capacity is not None and capacity < session.seats_taken:
        raise CapacityTooLow(
            _(
                "The capacity cannot be lower than the %(taken)d seats already taken: cancel registrations first.",
                taken=session.seats_taken,
            )
        )
    old, session.capacity = session.capacity, capacity
    promoted = _promote_waitlisted(session, now=now)
    if capacity != old or promoted:
        summary = (
            f"Changed the capacity of “{session.title}” from {_seats(old)} to {_seats(capacity)}{_moved_up(promoted)}."
        )
        record(by=by, event=session.event, action="session.capacity_changed", summary=summary, target=session, now=now)
    return promoted


#: `reschedule_session(join_url=...)` left out: the move keeps the join link as it is.
KEEP_LINK = object()


def reschedule_session(
    session: EventSession,
    *,
    starts_at: datetime,
    ends_at: datetime,
    join_url: str | None | object = KEEP_LINK,
    by,
    now: datetime | None = None,
) -> EventSession:
    """Move the session; confirmed attendees get an updated invite and their reminders move with it (re-timed:
    their text is written when they fall due). A new join link given with the move goes in the same one update
    per attendee, not in a second email. The waiting list gets a note of the move, without an invite or the
    link (only seats see it)."""
    now = now or utcnow()
    if ends_at <= starts_at:
        raise ValidationFailed(_("The session must end after it starts."))
    if join_url is not KEEP_LINK:
        join_url = _checked_join_url(join_url)
    session = _lock(session)
    if join_url is not KEEP_LINK and join_url != session.join_url:
        if (session.starts_at, session.ends_at) == (starts_at, ends_at):
            return change_join_link(session, join_url, by=by, now=now)
        _set_join_link(session, join_url, by=by, now=now)
        link = _link_change(join_url)
    else:
        link = None
    if session.is_cancelled:
        raise DomainError(_("This session is cancelled."))
    if (session.starts_at, session.ends_at) == (starts_at, ends_at):
        return session
    old = timeutil.format_when(session.starts_at, session.ends_at, session.event.timezone)
    change = messages.SessionChange(moved=((session.starts_at, session.ends_at), (starts_at, ends_at)), link=link)
    session.starts_at, session.ends_at = starts_at, ends_at
    if session.registration_closes_at is not None and session.registration_closes_at > starts_at:
        session.registration_closes_at = starts_at
        if session.registration_opens_at is not None and session.registration_opens_at >= starts_at:
            session.registration_opens_at = None
    new = timeutil.format_when(starts_at, ends_at, session.event.timezone)
    confirmed = _update_confirmed(session, change, now=now)
    _update_waitlisted(session, change.without_link(), now=now)
    messages.retime_reminders(session, confirmed, now=now)
    summary = f"Moved the session “{session.title}” from {old} to {new}."
    record(by=by, event=session.event, action="session.moved", summary=summary, target=session, now=now)
    return session


def change_join_link(session: EventSession, join_url: str | None, *, by, now: datetime | None = None) -> EventSession:
    """A new join link; confirmed attendees get an updated invite (reminders carry it: they are written when due)."""
    now = now or utcnow()
    join_url = _checked_join_url(join_url)
    session = _lock(session)
    if session.join_url == join_url:
        return session
    if session.is_cancelled:
        raise SessionCancelled()
    _set_join_link(session, join_url, by=by, now=now)
    _update_confirmed(session, messages.SessionChange(link=_link_change(join_url)), now=now)
    return session


def _checked_join_url(join_url: str | None) -> str | None:
    join_url = (join_url or "").strip() or None
    if join_url is not None and (not join_url.startswith(("https://", "http://")) or has_control_characters(join_url)):
        raise ValidationFailed(_("The join link must be a web address starting with https://."))
    return join_url


def _set_join_link(session: EventSession, join_url: str | None, *, by, now: datetime) -> None:
    session.join_url = join_url
    summary = f"{'Changed' if join_url else 'Removed'} the join link of “{session.title}”."
    record(by=by, event=session.event, action="session.join_link_changed", summary=summary, target=session, now=now)


def _link_change(join_url: str | None) -> str:
    """What an attendee's update says of a new join link (messages.SessionChange writes it out)."""
    return "changed" if join_url else "removed"


def cancel_session(session: EventSession, *, reason: str = "", by, now: datetime | None = None) -> EventSession:
    """Call the session off: METHOD:CANCEL to every confirmed attendee, a note to the waiting list."""
    now = now or utcnow()
    session = _lock(session)
    if session.is_cancelled:
        raise DomainError(_("This session is already cancelled."))
    session.status = SessionStatus.CANCELLED
    session.version += 1
    reason = clean_line(reason)[:500]
    told = 0
    for registration in _active_registrations(session):
        _cancel_reminders(registration)
        if registration.is_confirmed:
            identity.raise_registration_sequence(registration)
        messages.queue_session_cancelled(registration, now=now, reason=reason)
        told += 1
    # The session will not take place: its attendees' accessibility needs (health data) have no use left.
    db.session.execute(
        update(Registration)
        .where(Registration.session_id == session.id, Registration.accessibility_needs != "")
        .values(accessibility_needs="")
    )
    summary = f"Called off the session “{session.title}”; {count(told, 'registrant')} told." + (
        f" Reason: {reason}" if reason else ""
    )
    record(by=by, event=session.event, action="session.cancelled", summary=summary, target=session, now=now)
    return session


def promote_registration(registration: Registration, *, by: Organiser, now: datetime) -> Registration:
    """An organiser gives a waitlisted attendee a free seat now, out of turn; they get the "you are in" invite."""
    session = _lock(registration.session)
    db.session.refresh(registration)
    if session.is_cancelled:
        raise SessionCancelled()
    if registration.status != RegistrationStatus.WAITLISTED or registration.is_anonymised:
        raise DomainError(
            _("%(name)s is not on the waiting list.", name=registration.full_name)
            if registration.full_name
            else _("This registration is not on the waiting list.")
        )
    if session.capacity is not None and session.seats_taken >= session.capacity:
        raise SessionFull(_("No seat is free: raise the capacity first, or cancel someone."))
    _give_seat(registration, now=now)
    summary = f"Gave registration {registration.id} a seat in “{session.title}”, out of turn."
    record(by=by, event=session.event, action="registration.promoted", summary=summary, target=registration, now=now)
    return registration


# Helpers: like the services, they never commit.


def _record_cancelled(registration: Registration, session: EventSession, promoted: list, *, by, now: datetime) -> None:
    who = "Cancelled" if by is not None else "The attendee cancelled"
    summary = f"{who} registration {registration.id} for “{session.title}”{_moved_up(promoted)}."
    record(
        by=by or registration,
        event=session.event,
        action="registration.cancelled",
        summary=summary,
        target=registration,
        now=now,
    )


def _seats(capacity: int | None) -> str:
    return "no limit" if capacity is None else str(capacity)


def _moved_up(promoted: list[Registration]) -> str:
    """The registrations that took a freed seat, by id (never by name)."""
    if not promoted:
        return ""
    return "; moved up from the waiting list: registration " + ", ".join(str(r.id) for r in promoted)


def _lock(session: EventSession) -> EventSession:
    """Lock the session row (SELECT ... FOR UPDATE; BEGIN IMMEDIATE on SQLite) and read it fresh.

    Reading it fresh resets its relationships: the event already loaded in this transaction is put back
    rather than read again."""
    event = session.__dict__.get("event")
    locked = db.session.execute(
        select(EventSession)
        .where(EventSession.id == session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if event is not None:
        set_committed_value(locked, "event", event)
    return locked


def _cancel(registration: Registration, session: EventSession, *, now: datetime, notify: bool) -> list[Registration]:
    """The cancellation itself, the session row locked: the seat freed and given on (returns who moved up),
    the needs cleared."""
    had_seat = registration.is_confirmed
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.accessibility_needs = ""
    _cancel_reminders(registration)
    if had_seat:
        session.seats_taken -= 1
    if session.is_cancelled:
        # Everyone already had the session's cancellation; nothing more to send or to promote.
        return []
    if had_seat:
        identity.raise_registration_sequence(registration)
    if notify:
        messages.queue_registration_cancelled(registration, now=now, had_seat=had_seat)
    return _promote_waitlisted(session, now=now) if had_seat else []


def _confirm(registration: Registration, *, now: datetime) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    registration.session.seats_taken += 1


def _promote_waitlisted(session: EventSession, *, now: datetime) -> list[Registration]:
    """Give free seats to the waiting list in order, each with their invite; the session row is locked."""
    promoted = []
    if session.is_cancelled:
        return promoted
    while session.capacity is None or session.seats_taken < session.capacity:
        registration = db.session.scalar(_waiting_list(session).limit(1))
        if registration is None:
            break
        _give_seat(registration, now=now)
        promoted.append(registration)
    return promoted


def seats_given_by_capacity(session: EventSession, capacity: int | None) -> int:
    """How many on the waiting list setting this capacity would move up (change_capacity's promotion, counted
    without doing it): as many as the new free seats, at most the waiting list."""
    if session.is_cancelled or capacity == session.capacity:
        return 0
    waiting = db.session.scalar(select(func.count()).select_from(_waiting_list(session).subquery()))
    free = waiting if capacity is None else max(capacity - session.seats_taken, 0)
    return min(waiting, free)


def _waiting_list(session: EventSession):
    """The session's waiting list in the order seats go to it (erased registrations wait for nothing)."""
    return (
        select(Registration)
        .where(
            Registration.session_id == session.id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.anonymised_at.is_(None),
        )
        .order_by(Registration.waitlisted_at, Registration.id)
    )


def _give_seat(registration: Registration, *, now: datetime) -> None:
    """A waitlisted attendee takes a seat: the "you are in" invite, and the reminders planned."""
    _confirm(registration, now=now)
    registration.updated_at = now
    db.session.flush()
    messages.queue_promoted(registration, now=now)
    messages.plan_reminders(registration, now=now)


def _update_confirmed(session: EventSession, change: messages.SessionChange, *, now: datetime) -> list[Registration]:
    """An updated invite to each confirmed attendee (higher SEQUENCE); returns them."""
    session.version += 1
    confirmed = [registration for registration in _active_registrations(session) if registration.is_confirmed]
    for registration in confirmed:
        identity.raise_registration_sequence(registration)
        messages.queue_update(registration, change, now=now)
    return confirmed


def _update_waitlisted(session: EventSession, change: messages.SessionChange, *, now: datetime) -> None:
    """Those waiting for a seat hear of a move too (they may still get one), with their place in the queue."""
    waiting = db.session.scalars(
        reached_registrations(session)
        .where(Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
    )
    for place, registration in enumerate(waiting, 1):
        messages.queue_waitlist_update(registration, change, place, now=now)


def reached_registrations(session: EventSession) -> Select[tuple[Registration]]:
    """The registrations a change to the session reaches (app.agenda.reach counts them for the previews)."""
    return select(Registration).where(
        Registration.session_id == session.id,
        Registration.status != RegistrationStatus.CANCELLED,
        # Anonymised at the retention date: nobody left to write to.
        Registration.anonymised_at.is_(None),
    )


def _active_registrations(session: EventSession) -> list[Registration]:
    return list(db.session.scalars(reached_registrations(session).order_by(Registration.id)))


def _cancel_reminders(registration: Registration) -> None:
    """Reminders not yet sent are superseded: the registration ended or the session was called off."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.kind.in_(list(messages.REMINDERS)),
            OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRYING]),
        )
        .values(status=OutboxStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


def _resend_manage_link(registration: Registration, *, now: datetime) -> bool:
    recent = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.kind.in_(messages.MANAGE_LINK_KINDS),
            OutboxMessage.created_at > now - MANAGE_LINK_RESEND_WINDOW,
        )
    )
    if recent:
        return False
    token = new_token()
    registration.manage_token_hash = hash_token(token)
    messages.queue_manage_link(registration, token, now=now)
    return True


def new_manage_url(registration: Registration) -> str:
    """A fresh manage link for the registration, as its URL: the old link stops working."""
    token = new_token()
    registration.manage_token_hash = hash_token(token)
    return messages.manage_url(token)


def _field_name(name: str) -> str:
    """A field's name inside a sentence, in the current language."""
    names = {
        "full_name": _("full name"),
        "email": _("email"),
        "organisation": _("organisation"),
        "question": _("question"),
        "accessibility_needs": _("accessibility needs"),
    }
    return names.get(name, name.replace("_", " "))


def _clean_fields(**fields: str) -> dict[str, str]:
    """Trimmed, within limits, no control characters (line breaks and tabs only in the free texts, as LF)."""
    cleaned = {}
    for name, value in fields.items():
        value = (value or "").strip()
        multiline = name in ("question", "accessibility_needs")
        if has_control_characters(value, multiline=multiline):
            raise ValidationFailed(
                _("The %(field)s contains characters that are not allowed.", field=_field_name(name))
            )
        if len(value) > LIMITS[name]:
            raise ValidationFailed(
                _("The %(field)s is longer than %(num)d characters.", field=_field_name(name), num=LIMITS[name])
            )
        cleaned[name] = clean_text(value) if multiline else value
    if not cleaned.get("full_name", "x"):
        raise ValidationFailed(_("Please give your full name."))
    return cleaned


def _clean_email(email: str) -> tuple[str, str]:
    """The address as typed (trimmed), which mail goes to, and as registrations compare it (normalise_email)."""
    email = (email or "").strip()
    try:
        return email, normalise_email(email)
    except InvalidEmail:
        raise ValidationFailed(_("Please give a valid email address.")) from None


def _group(group: AttendeeGroup | str) -> AttendeeGroup:
    try:
        return AttendeeGroup(group)
    except ValueError as error:
        raise ValidationFailed(_("Please choose the group you belong to.")) from error
