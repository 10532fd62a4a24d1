"""Organiser accounts: create, disable, authenticate, reset a forgotten password, who manages what."""

from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from app.activity import Actor, record
from app.errors import InvalidToken, NotFound, ValidationFailed
from app.extensions import db
from app.mail.outbox import enqueue_message
from app.models import Event, EventSession, Organiser

#: Compared against when no account matches, so a wrong email costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 12
RESET_MAX_AGE_SECONDS = 3600


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _find_by_email(email: str) -> Organiser | None:
    return db.session.scalar(select(Organiser).where(func.lower(Organiser.email) == normalise_email(email)))


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def create_organiser(
    email: str, password: str, *, name: str = "", is_admin: bool = False, by: Actor, now: datetime
) -> Organiser:
    """A new account; the password is stored only as Werkzeug's default salted hash."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise ValidationFailed("Give an email address.")
    if _find_by_email(email) is not None:
        raise ValidationFailed(f"An account for {email} already exists.")
    _check_password_strength(password)
    organiser = Organiser(email=email, name=name, password_hash=generate_password_hash(password), is_admin=is_admin)
    db.session.add(organiser)
    summary = f"Created the {'admin ' if is_admin else ''}organiser account {email}."
    record(by=by, event=None, action="organiser.created", summary=summary, target=organiser, now=now)
    db.session.commit()
    return organiser


def disable_organiser(email: str, *, by: Actor, now: datetime) -> Organiser:
    """A disabled account cannot sign in, and its open sessions end at their next request."""
    organiser = _find_by_email(email)
    if organiser is None:
        raise NotFound(f"No account for {normalise_email(email)}.")
    organiser.is_disabled = True
    for event in organiser.events or [None]:  # each event they managed learns it; else the account's own entry
        summary = f"Disabled the organiser account {organiser.email}."
        record(by=by, event=event, action="organiser.disabled", summary=summary, target=organiser, now=now)
    db.session.commit()
    return organiser


def authenticate_organiser(email: str, password: str) -> Organiser | None:
    """The active account with this email and password, else None (the same answer for every failure)."""
    organiser = _find_by_email(email)
    if organiser is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(organiser.password_hash, password) or organiser.is_disabled:
        return None
    return organiser


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="organiser-password-reset")


def _reset_fingerprint(organiser: Organiser) -> str:
    # Part of the current hash: once the password changes, every earlier link stops working.
    return organiser.password_hash[-16:]


def request_password_reset(email: str, *, secret_key: str, base_url: str, now: datetime) -> None:
    """Email a reset link when an active account exists; say nothing either way (no account enumeration)."""
    organiser = _find_by_email(email)
    if organiser is None or organiser.is_disabled:
        return
    token = _serializer(secret_key).dumps({"id": organiser.id, "fp": _reset_fingerprint(organiser)})
    link = f"{base_url.rstrip('/')}/organiser/reset/{token}"
    enqueue_message(
        kind="organiser_password_reset",
        to_address=organiser.email,
        to_name=organiser.name,
        subject="Reset your organiser password",
        body_text=(
            "Someone (we hope you) asked to reset the password of your organiser account.\n\n"
            f"Choose a new password here within the hour:\n{link}\n\n"
            "If you did not ask for this, ignore this message: your password stays as it is.\n"
        ),
        not_before=now,
    )
    db.session.commit()


def reset_password(token: str, new_password: str, *, secret_key: str) -> Organiser:
    """Set a new password from a reset link; the link works once and for an hour."""
    try:
        data = _serializer(secret_key).loads(token, max_age=RESET_MAX_AGE_SECONDS)
    except (SignatureExpired, BadSignature) as error:
        raise InvalidToken("This reset link is not valid or has expired. Ask for a new one.") from error
    organiser = db.session.get(Organiser, data.get("id")) if isinstance(data, dict) else None
    if organiser is None or organiser.is_disabled or data.get("fp") != _reset_fingerprint(organiser):
        raise InvalidToken("This reset link is not valid or has expired. Ask for a new one.")
    _check_password_strength(new_password)
    organiser.password_hash = generate_password_hash(new_password)
    db.session.commit()
    return organiser


def can_manage(organiser: Organiser, event: Event) -> bool:
    """Organisers manage the events they are listed on; an admin manages every event."""
    return organiser.is_admin or any(o.id == organiser.id for o in event.organisers)


def managed_event(organiser: Organiser, event_id: int, *options) -> Event | None:
    """The event, in one query, if `organiser` manages it (`can_manage`); None if not or if there is none."""
    query = select(Event).where(Event.id == event_id).options(*options)
    if not organiser.is_admin:
        query = query.where(Event.organisers.any(Organiser.id == organiser.id))
    return db.session.scalar(query)


#: Built once, with bound parameters: SQLAlchemy keeps a statement's cache key on the object, and building
#: and keying it again on every request cost twice as much as running it.
_MANAGED_SESSION = (
    select(EventSession)
    .join(EventSession.event)
    .options(contains_eager(EventSession.event))
    .where(EventSession.id == bindparam("session_id"))
)
_MANAGED_SESSION_OF = _MANAGED_SESSION.where(Event.organisers.any(Organiser.id == bindparam("organiser_id")))


def managed_session(organiser: Organiser, session_id: int) -> EventSession | None:
    """The session with its event, in one query, if `organiser` manages the event; None if not or if there
    is none."""
    if organiser.is_admin:
        return db.session.scalar(_MANAGED_SESSION, {"session_id": session_id})
    return db.session.scalar(_MANAGED_SESSION_OF, {"session_id": session_id, "organiser_id": organiser.id})


def managed_events(organiser: Organiser) -> list[Event]:
    query = select(Event).order_by(Event.starts_on.desc(), Event.id)
    if not organiser.is_admin:
        query = query.where(Event.organisers.any(Organiser.id == organiser.id))
    return list(db.session.scalars(query))


def add_event_organiser(event: Event, email: str, *, by: Actor, now: datetime) -> Organiser:
    """List an organiser on an event, so that they manage it too."""
    organiser = _find_by_email(email)
    if organiser is None:
        raise NotFound(f"No account for {normalise_email(email)}.")
    if organiser not in event.organisers:
        event.organisers.append(organiser)
        summary = f"Listed {organiser.name or organiser.email} as an organiser of the event."
        record(by=by, event=event, action="event.organiser_added", summary=summary, target=organiser, now=now)
    db.session.commit()
    return organiser


def find_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(f"No event with the web address “{slug}”.")
    return event
