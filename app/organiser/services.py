"""Organiser accounts: create, disable, authenticate, reset a forgotten password, who manages what."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from app import i18n
from app.activity import Actor, record
from app.errors import InvalidToken, LinkExpired, LinkUsed, NotFound, ValidationFailed
from app.extensions import db
from app.mail import organiser_messages
from app.models import Event, EventSession, Organiser, PasswordResetToken, utcnow
from app.security import hash_password, hash_token, new_token, use_link_once
from app.text import InvalidEmail, normalise_email, well_formed_email
from app.urls import external_url

#: Compared against when no account matches, so a wrong email costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 12
#: How long a password-reset link works.
RESET_LINK_LIFETIME = timedelta(hours=1)
#: The kind of the reset link's message (a message sent again needs a fresh link).
RESET_KIND = organiser_messages.PASSWORD_RESET_KIND
_RESET_INVALID = _l("This reset link is not valid or has expired. Ask for a new one.")


class WrongPassword(ValidationFailed):
    default_message = _l("The current password is not right.")


def _address(email: str) -> str:
    """The address as accounts are known by (app.text.normalise_email), or as typed when malformed (to say so)."""
    return well_formed_email(email) or email.strip()


def _find_by_email(email: str) -> Organiser | None:
    address = well_formed_email(email)
    if address is None:
        return None
    return db.session.scalar(select(Organiser).where(func.lower(Organiser.email) == address))


def active_organiser(email: str) -> Organiser | None:
    """The account with this email (any case) unless it is disabled."""
    organiser = _find_by_email(email)
    return None if organiser is None or organiser.is_disabled else organiser


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_("The password must have at least %(num)s characters.", num=MIN_PASSWORD_LENGTH))


def create_organiser(
    email: str, password: str, *, name: str = "", is_admin: bool = False, by: Actor, now: datetime
) -> Organiser:
    """A new account; the password is stored only as Werkzeug's default salted hash."""
    try:
        email = normalise_email(email)
    except InvalidEmail:
        raise ValidationFailed("Give an email address.") from None
    if _find_by_email(email) is not None:
        raise ValidationFailed(f"An account for {email} already exists.")
    _check_password_strength(password)
    organiser = Organiser(email=email, name=name, password_hash=hash_password(password), is_admin=is_admin)
    db.session.add(organiser)
    summary = f"Created the {'admin ' if is_admin else ''}organiser account {email}."
    record(by=by, event=None, action="organiser.created", summary=summary, target=organiser, now=now)
    return organiser


def disable_organiser(email: str, *, by: Actor, now: datetime) -> Organiser:
    """A disabled account cannot sign in, and its open sessions end at their next request."""
    organiser = _find_by_email(email)
    if organiser is None:
        raise NotFound(f"No account for {_address(email)}.")
    organiser.is_disabled = True
    for event in organiser.events or [None]:  # each event they managed learns it; else the account's own entry
        summary = f"Disabled the organiser account {organiser.email}."
        record(by=by, event=event, action="organiser.disabled", summary=summary, target=organiser, now=now)
    organiser.session_version += 1
    return organiser


def organiser_for_session(session_id: str) -> Organiser | None:
    """The active organiser a session (`Organiser.get_id()`, "id:version") belongs to, None once the account's
    session version has moved on (signed out, password changed or reset, disabled) or for anything else."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit() and len(user_id) <= 10 and len(version) <= 10):
        return None
    organiser = db.session.get(Organiser, int(user_id))
    if organiser is None or not organiser.is_active or organiser.session_version != int(version):
        return None
    return organiser


def end_sessions(organiser: Organiser, *, now: datetime) -> None:
    """Sign out everywhere: every session of the account, in every browser, ends at its next request."""
    organiser.session_version += 1


def change_password(organiser: Organiser, current_password: str, new_password: str, *, now: datetime) -> Organiser:
    """A new password, given the current one; every other session of the account ends (the caller signs
    this one in again with the new session version)."""
    if not check_password_hash(organiser.password_hash, current_password):
        raise WrongPassword()
    _check_password_strength(new_password)
    if check_password_hash(organiser.password_hash, new_password):
        raise ValidationFailed(_("Choose a password different from the current one."))
    organiser.password_hash = hash_password(new_password)
    organiser.session_version += 1
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


def remember_language(organiser: Organiser, language: str | None) -> None:
    """The language the organiser signs in with, or switches the back office to, is the one their emails are
    written in."""
    if i18n.is_available(language) and organiser.language != language:
        organiser.language = language


def request_password_reset(email: str, *, now: datetime) -> None:
    """Email a reset link when an active account exists; say nothing either way (no account enumeration)."""
    organiser = active_organiser(email)
    if organiser is None:
        return
    organiser_messages.queue_password_reset(organiser, new_reset_link(organiser, now=now), now=now)


def new_reset_link(organiser: Organiser, *, now: datetime) -> str:
    """A fresh single-use reset link for the account, valid RESET_LINK_LIFETIME: an opaque 256-bit token of
    which only the sha256 is stored. Never commits."""
    token = new_token()
    db.session.add(
        PasswordResetToken(
            organiser_id=organiser.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + RESET_LINK_LIFETIME,
        )
    )
    return external_url("organiser.reset_password", token=token)


def check_reset_token(token: str, *, now: datetime) -> PasswordResetToken:
    """The link's record if it can still be used; reading it changes nothing (mail scanners open links)."""
    record = None
    if token and len(token) <= 100:
        record = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token)))
    if record is None or record.organiser.is_disabled:
        raise InvalidToken(_RESET_INVALID)
    if record.used_at is not None:
        raise LinkUsed(_("This reset link has already been used. Ask for a new one if you need to."))
    if record.expires_at <= now:
        raise LinkExpired(_("This reset link has expired. Ask for a new one."))
    return record


def reset_password(token: str, new_password: str, *, now: datetime | None = None) -> Organiser:
    """Set a new password from a reset link. The link works once and for an hour (one conditional UPDATE, so
    of concurrent uses exactly one wins), and using it ends the account's other reset links."""
    now = now or utcnow()
    _check_password_strength(new_password)
    organiser_id = None
    if token and len(token) <= 100:
        organiser_id = use_link_once(PasswordResetToken, PasswordResetToken.organiser_id, token, now=now)
    organiser = db.session.get(Organiser, organiser_id) if organiser_id is not None else None
    if organiser is None or organiser.is_disabled:  # the edge rolls back the link's use
        check_reset_token(token, now=now)  # raises the precise reason
        raise LinkUsed(_("This reset link has already been used."))  # pragma: no cover - a concurrent use won
    organiser.password_hash = hash_password(new_password)
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.organiser_id == organiser.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    organiser.session_version += 1  # every session of the account ends, wherever it was copied to
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
        raise NotFound(f"No account for {_address(email)}.")
    if organiser not in event.organisers:
        event.organisers.append(organiser)
        summary = f"Listed {organiser.name or organiser.email} as an organiser of the event."
        record(by=by, event=event, action="event.organiser_added", summary=summary, target=organiser, now=now)
    return organiser


def find_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(f"No event with the web address “{slug}”.")
    return event
