"""Speakers' rules: sign-in links, their slots, answers, profile, calendar feed and invites, questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from app import i18n, timeutil
from app.activity import record
from app.calendar import ical, identity
from app.errors import InvalidToken, LinkExpired, LinkUsed, NotASpeaker, NotFound, ValidationFailed
from app.extensions import db
from app.mail import organiser_messages, speaker_messages
from app.models import (
    AgendaItem,
    Appearance,
    AppearanceResponse,
    Event,
    EventSession,
    EventStatus,
    OutboxMessage,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    SessionStatus,
    Speaker,
    SpeakerLoginToken,
)
from app.security import hash_token, new_token, use_link_once
from app.text import clean_text, well_formed_email
from app.urls import external_url

#: The kind of the sign-in link's message (a message sent again needs a fresh link).
LINK_KIND = speaker_messages.SIGN_IN_LINK_KIND


# --- speakers and sign-in links --------------------------------------------------------------------


def _address(email: str | None) -> str:
    """The address as speakers are known by (app.text.normalise_email); empty for a malformed one, which is
    nobody's."""
    return well_formed_email(email) or ""


def _with_email(address: str):
    """People records of the human with this (normalised) address, in any event."""
    return func.lower(Person.email) == address


def is_speaker_email(email: str) -> bool:
    """Someone with this email (any case) appears in at least one published event."""
    address = _address(email)
    if not address:
        return False
    found = db.session.scalar(
        select(Appearance.id)
        .join(Person, Person.id == Appearance.person_id)
        .join(Event, Event.id == Person.event_id)
        .where(_with_email(address), Event.status == EventStatus.PUBLISHED)
        .limit(1)
    )
    return found is not None


def find_speaker(email: str) -> Speaker | None:
    """The speaker row of this address, if there is one."""
    address = _address(email)
    return db.session.scalar(select(Speaker).where(Speaker.email == address)) if address else None


def _ensure_speaker(address: str, *, now: datetime) -> Speaker:
    """The speaker row of an address, made on first use; two requests making it at once both get the one row."""
    values = {"email": address, "session_version": 0, "created_at": now, "updated_at": now}
    insert = sqlite_insert if db.session.get_bind().dialect.name == "sqlite" else postgresql_insert
    db.session.execute(insert(Speaker).values(**values).on_conflict_do_nothing(index_elements=["email"]))
    return db.session.scalars(select(Speaker).where(Speaker.email == address)).one()


def profile_person(speaker: Speaker) -> Person | None:
    """The speaker's record their pages start from: the most recently updated one in a published event."""
    return db.session.scalar(
        select(Person)
        .join(Event, Event.id == Person.event_id)
        .where(_with_email(speaker.email), Event.status == EventStatus.PUBLISHED)
        .order_by(Person.updated_at.desc(), Person.id.desc())
        .limit(1)
    )


def speaker_events(speaker: Speaker) -> list[Event]:
    """The published events holding a record of the speaker: the ones their profile changes."""
    return list(
        db.session.scalars(
            select(Event)
            .join(Person, Person.event_id == Event.id)
            .where(_with_email(speaker.email), Event.status == EventStatus.PUBLISHED)
            .distinct()
            .order_by(Event.starts_on, Event.id)
        )
    )


def _published_records(speaker: Speaker) -> list[Person]:
    """The speaker's records (their email) in published events."""
    return list(
        db.session.scalars(
            select(Person)
            .join(Event, Event.id == Person.event_id)
            .where(_with_email(speaker.email), Event.status == EventStatus.PUBLISHED)
            .order_by(Person.event_id, Person.id)
        )
    )


def request_sign_in_link(email: str, *, now: datetime) -> None:
    """Email a sign-in link if the address is a speaker's; otherwise do nothing, and say nothing either way."""
    if not is_speaker_email(email):
        return
    _issue_link(_ensure_speaker(_address(email), now=now), now=now)


def send_sign_in_link(person: Person, *, by, now: datetime) -> OutboxMessage:
    """An organiser sends a person of their event a fresh sign-in link, to that person's address.

    Only for someone who appears in this (published) event: the link opens the slots of everyone with the
    address, and an organiser may only start that from their own programme.
    """
    appears = any(a.person_id == person.id for a in person.appearances)
    if not person.email or person.event.status != EventStatus.PUBLISHED or not appears:
        raise NotASpeaker()
    message = _issue_link(_ensure_speaker(_address(person.email), now=now), now=now)
    summary = f"Sent {person.display_name} a sign-in link to the speaker pages."
    record(by=by, event=person.event, action="person.sign_in_link_sent", summary=summary, target=person, now=now)
    return message


def send_sign_in_link_to(email: str, *, by, now: datetime) -> tuple[Speaker, OutboxMessage]:
    """The CLI sends a speaker (someone in a published event) a fresh sign-in link; each event listing them
    records it."""
    if not is_speaker_email(email):
        raise NotASpeaker(f"No speaker of a published event has the address {_address(email) or email}.")
    speaker = _ensure_speaker(_address(email), now=now)
    message = _issue_link(speaker, now=now)
    for person in _published_records(speaker):
        summary = f"Sent {person.display_name} a sign-in link to the speaker pages."
        record(by=by, event=person.event, action="person.sign_in_link_sent", summary=summary, target=person, now=now)
    return speaker, message


def display_name(speaker: Speaker) -> str:
    person = profile_person(speaker)
    return person.display_name if person is not None else speaker.email


def _issue_link(speaker: Speaker, *, now: datetime) -> OutboxMessage:
    url = _new_sign_in_url(speaker, now=now)
    return speaker_messages.queue_sign_in_link(speaker.email, profile_person(speaker), url)


def new_sign_in_url(person: Person, *, now: datetime) -> str:
    """A fresh single-use sign-in link for the speaker with the person's address; never commits."""
    return _new_sign_in_url(_ensure_speaker(_address(person.email), now=now), now=now)


def _new_sign_in_url(speaker: Speaker, *, now: datetime) -> str:
    """A fresh single-use sign-in link for the speaker (only its hash is stored); never commits."""
    token = new_token()
    expires_at = now + timedelta(minutes=current_app.config["SPEAKER_LINK_MINUTES"])
    db.session.add(
        SpeakerLoginToken(speaker=speaker, token_hash=hash_token(token), created_at=now, expires_at=expires_at)
    )
    return external_url("speakers.use_link", token=token)


def check_sign_in_link(token: str, *, now: datetime) -> SpeakerLoginToken:
    """The link's record if it can still be used; reading it changes nothing (mail scanners open links)."""
    record = db.session.scalar(select(SpeakerLoginToken).where(SpeakerLoginToken.token_hash == hash_token(token)))
    if record is None:
        raise InvalidToken(_("This sign-in link is not valid. It may have been copied incompletely."))
    if record.used_at is not None:
        raise LinkUsed()
    if record.expires_at <= now:
        raise LinkExpired()
    return record


def sign_in_with_link(token: str, *, now: datetime, language: str | None = None) -> Speaker:
    """Use the link once: a single conditional UPDATE, so of many concurrent uses exactly one wins. The language
    the speaker signs in with becomes the one their emails are written in."""
    speaker_id = use_link_once(SpeakerLoginToken, SpeakerLoginToken.speaker_id, token, now=now)
    if speaker_id is None:
        check_sign_in_link(token, now=now)  # raises the precise reason
        raise LinkUsed()  # pragma: no cover - used by another request between the two statements
    speaker = db.session.get_one(Speaker, speaker_id)
    remember_language(speaker, language)
    return speaker


def remember_language(speaker: Speaker, language: str | None) -> None:
    """The language the speaker signs in with, or switches their pages to, is the one their emails are
    written in."""
    if i18n.is_available(language) and speaker.language != language:
        speaker.language = language


def sign_out_everywhere(speaker: Speaker, *, now: datetime) -> int:
    """End every signed-in session of the speaker, in every browser: the version their cookies hold is
    no longer the speaker's. Returns the new version."""
    speaker.session_version += 1
    speaker.updated_at = now
    return speaker.session_version


# --- slots -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerSlot:
    """One appearance with what the speaker needs around it."""

    appearance: Appearance
    others: list[Appearance]
    before: AgendaItem | None
    after: AgendaItem | None

    @property
    def item(self) -> AgendaItem:
        return self.appearance.item

    @property
    def session(self) -> EventSession:
        return self.appearance.item.session

    @property
    def event(self) -> Event:
        return self.appearance.item.session.event

    @property
    def place(self) -> str:
        return self.item.location or self.session.location or self.event.venue

    @property
    def join_url(self) -> str | None:
        """Only for online sessions, and only ever shown to the people who speak in them."""
        if self.session.is_online and not self.session.is_cancelled:
            return self.session.join_url
        return None

    @property
    def is_cancelled(self) -> bool:
        return self.session.is_cancelled


def list_slots(speaker: Speaker) -> list[SpeakerSlot]:
    """Every appearance, in a published event, of a person record with the speaker's email, in time order,
    loaded in a fixed number of queries."""
    appearances = db.session.scalars(
        select(Appearance)
        .join(Person, Person.id == Appearance.person_id)
        .join(AgendaItem, AgendaItem.id == Appearance.item_id)
        .join(EventSession, EventSession.id == AgendaItem.session_id)
        .join(Event, Event.id == EventSession.event_id)
        .where(_with_email(speaker.email), Event.status == EventStatus.PUBLISHED)
        .order_by(AgendaItem.starts_at, AgendaItem.id)
        .options(
            joinedload(Appearance.person),
            joinedload(Appearance.item).options(
                joinedload(AgendaItem.session).options(
                    joinedload(EventSession.event), selectinload(EventSession.items)
                ),
                selectinload(AgendaItem.appearances).joinedload(Appearance.person),
            ),
        )
    ).all()
    slots = []
    for appearance in appearances:
        siblings = appearance.item.session.items
        index = siblings.index(appearance.item)
        slots.append(
            SpeakerSlot(
                appearance=appearance,
                others=[a for a in appearance.item.appearances if a.person_id != appearance.person_id],
                before=siblings[index - 1] if index > 0 else None,
                after=siblings[index + 1] if index + 1 < len(siblings) else None,
            )
        )
    return slots


def _is_own(speaker: Speaker, appearance: Appearance) -> bool:
    return _address(appearance.person.email) == speaker.email


def get_own_appearance(speaker: Speaker, appearance_id: int) -> Appearance:
    """The appearance if it is of a record with the speaker's email, in a published event; anyone else's is
    simply not found."""
    appearance = db.session.get(Appearance, appearance_id)
    if (
        appearance is None
        or not _is_own(speaker, appearance)
        or appearance.item.session.event.status != EventStatus.PUBLISHED
    ):
        raise NotFound(_("This slot was not found among yours."))
    return appearance


def set_speaker_timezone(speaker: Speaker, zone_name: str, *, now: datetime) -> None:
    """Remember the zone the speaker reads their times in."""
    if not timeutil.is_valid_zone(zone_name):
        raise ValidationFailed(_("Choose a time zone from the list."))
    speaker.timezone = zone_name
    speaker.updated_at = now


def respond_to_slot(appearance: Appearance, *, response: str, note: str, by: Speaker, now: datetime) -> None:
    """The speaker confirms or declines a slot, with an optional note to the organisers."""
    if not _is_own(by, appearance):
        raise NotFound(_("This slot was not found among yours."))
    try:
        answer = AppearanceResponse(response)
    except ValueError:
        raise ValidationFailed(_("Choose confirm or decline.")) from None
    if answer == AppearanceResponse.PENDING:
        raise ValidationFailed(_("Choose confirm or decline."))
    declined_before = appearance.response == AppearanceResponse.DECLINED
    appearance.response = answer
    appearance.response_note = (note or "").strip()
    appearance.responded_at = now
    item = appearance.item
    # The speaker answers through their record in this event: the log names that record.
    person = appearance.person
    summary = (
        f"{person.display_name} {answer.value} “{item.title}”{' with a note' if appearance.response_note else ''}."
    )
    record(
        by=person, event=item.session.event, action="appearance.answered", summary=summary, target=appearance, now=now
    )
    # The organisers hear of a decline, and of an acceptance after one: the slot needs them either way.
    if answer == AppearanceResponse.DECLINED or declined_before:
        organiser_messages.queue_speaker_answer(appearance, now=now)


def update_profile(
    speaker: Speaker,
    *,
    honorific: str,
    name: str,
    position: str,
    organisation: str,
    bio: str,
    by: Speaker,
    now: datetime,
) -> list[Event]:
    """The speaker keeps how their name is written, position, organisation and bio current, in every published
    event that has a record of them (their email); returns those events. Drafts keep the organisers' text:
    the speaker does not know of them yet.

    The bio is stored as typed and sanitised when shown (app.speakers.sanitise.render_bio).
    """
    if by.id != speaker.id:
        raise NotFound(_("This profile was not found."))
    if not name.strip():
        raise ValidationFailed(_("Enter your name."))
    values = {
        "honorific": honorific.strip(),
        "name": name.strip(),
        "position": position.strip(),
        "organisation": organisation.strip(),
        "bio": clean_text(bio).strip(),
    }
    for person in _published_records(speaker):
        changed = [field for field, value in values.items() if getattr(person, field) != value]
        for field, value in values.items():
            setattr(person, field, value)
        person.updated_at = now
        if changed:
            # Each event's organisers see the change to their own record, made by the speaker through it.
            summary = f"{person.display_name} changed their {', '.join(changed)} on the speaker pages."
            record(
                by=person, event=person.event, action="person.profile_updated", summary=summary, target=person, now=now
            )
    events = speaker_events(speaker)
    return events


# --- calendar --------------------------------------------------------------------------------------


def _slot_for(appearance: Appearance) -> ical.Slot:
    """The speaker's slot as one VEVENT: the same UID and SEQUENCE in their feed, download and invites."""
    item, session = appearance.item, appearance.item.session
    event = session.event
    lines = [
        _("Your role: %(role)s", role=appearance.role.label),
        _("Session: %(title)s", title=i18n.localised(session, "title")),
        _("Event: %(title)s", title=i18n.localised(event, "title")),
    ]
    others = [a for a in item.appearances if a.person_id != appearance.person_id]
    if others:
        people = _("; ").join(_("%(name)s (%(role)s)", name=a.person.display_name, role=a.role.label) for a in others)
        lines.append(_("With: %(people)s", people=people))
    if session.is_online and session.join_url and not session.is_cancelled:
        lines.append(_("Join: %(url)s", url=session.join_url))
    # A declined slot still happens: it stays in the feed as it is (no STATUS:CANCELLED), its title saying so.
    declined = appearance.response == AppearanceResponse.DECLINED
    if declined:
        lines.insert(0, _("You declined this slot; the organisers were told."))
    return ical.Slot(
        uid=identity.appearance_uid(appearance),
        sequence=identity.appearance_sequence(appearance),
        summary=(
            _("Declined: %(title)s (%(role)s)", title=i18n.localised(item, "title"), role=appearance.role.label)
            if declined
            else _("%(title)s (%(role)s)", title=i18n.localised(item, "title"), role=appearance.role.label)
        ),
        start=item.starts_at,
        end=item.ends_at,
        description="\n".join(lines),
        location=identity.location(session, item=item, join_link=True),
        cancelled=session.is_cancelled,
    )


def slot_download_method(appearance: Appearance) -> str:
    """What the speaker's "Add to calendar" download of a slot is: the invite, or once the session is called
    off the cancellation they were emailed (same SEQUENCE), so opening it never brings the slot back."""
    return "CANCEL" if appearance.item.session.is_cancelled else "REQUEST"


def slot_invite(appearance: Appearance, *, method: str = "REQUEST", now: datetime) -> str:
    """The iTIP invite (or cancellation) of one slot for its speaker, as iCalendar text."""
    organizer_email, organizer_name = identity.organizer(appearance.item.session.event)
    calendar = ical.invite_calendar(
        _slot_for(appearance),
        method=method,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendee_email=appearance.person.email or "",
        attendee_name=appearance.person.display_name,
        stamp=now,
    )
    return ical.to_bytes(calendar).decode("utf-8")


def _feed_name(slots: list[SpeakerSlot], speaker: Speaker) -> str:
    """The name on the speaker's latest-changed record among their slots (what the feed's fingerprint covers)."""
    people = [slot.appearance.person for slot in slots]
    if not people:
        return speaker.email
    return max(people, key=lambda p: (p.updated_at, p.id)).display_name


def speaker_feed(speaker: Speaker) -> bytes:
    """All the speaker's slots as a subscribable feed, in the speaker's stored language (calendar apps poll it
    without one); the same data always gives the same bytes."""
    with i18n.in_language(speaker.language):
        return _speaker_feed(speaker)


def _speaker_feed(speaker: Speaker) -> bytes:
    slots = list_slots(speaker)
    stamps = [speaker.created_at, speaker.updated_at]
    for slot in slots:
        stamps += [slot.appearance.person.updated_at, slot.item.updated_at, slot.session.updated_at]
        stamps.append(slot.event.updated_at)
    calendar = ical.feed_calendar(
        identity.feed_uid(f"speaker-{speaker.id}"),
        _("%(name)s: speaking slots", name=_feed_name(slots, speaker)),
        [_slot_for(slot.appearance) for slot in slots],
        stamp=max(stamps),
        refresh=timedelta(minutes=current_app.config["FEED_REFRESH_MINUTES"]),
    )
    return ical.to_bytes(calendar)


#: One round trip that changes whenever anything `speaker_feed` shows changes: the speaker's row (feed token,
#: time zone, session version), each appearance in a published event of a record with the speaker's email
#: (SEQUENCE, role, answer, the record's profile) with its item's, session's and event's version and updated_at, and
#: the other people on those items (order, role, profile). Plain SQL with one row per slot, so no sum can hide
#: two changes cancelling out.
_FEED_VERSION_SQL = text(
    f"""
SELECT 0, sp.id, 0, 0, 0, 0, sp.created_at, sp.updated_at, sp.updated_at, sp.updated_at, ''
  FROM speakers sp WHERE sp.id = :speaker
UNION ALL
SELECT 1, a.id, a.sequence,
       {Role.sql_number("a.role")},
       i.version, s.version, i.updated_at, s.updated_at, e.updated_at, p.updated_at, a.response
  FROM speakers sp JOIN people p ON lower(p.email) = sp.email
  JOIN appearances a ON a.person_id = p.id JOIN agenda_items i ON i.id = a.item_id
  JOIN event_sessions s ON s.id = i.session_id JOIN events e ON e.id = s.event_id
 WHERE sp.id = :speaker AND e.status = 'published'
UNION ALL
SELECT 2, o.id, o.item_id, o.person_id,
       {Role.sql_number("o.role")},
       o.position, q.updated_at, q.updated_at, q.updated_at, q.updated_at, ''
  FROM speakers sp JOIN people p ON lower(p.email) = sp.email
  JOIN appearances a ON a.person_id = p.id
  JOIN appearances o ON o.item_id = a.item_id AND o.person_id != a.person_id
  JOIN people q ON q.id = o.person_id
 WHERE sp.id = :speaker
 ORDER BY 1, 2
"""
)


def speaker_feed_version(speaker_id: int) -> tuple | None:
    """A fingerprint of exactly what `speaker_feed` shows for the speaker, in one query; None if unknown.

    Equal fingerprints give equal feed bytes, so a feed rendered for one can be served again until it changes.
    """
    rows = tuple(tuple(row) for row in db.session.execute(_FEED_VERSION_SQL, {"speaker": speaker_id}))
    if not rows or rows[0][0] != 0:
        return None
    return rows


def reset_feed_token(speaker: Speaker, *, now: datetime) -> str:
    """A new secret feed address; the old one stops working. Returns the token (only its hash is kept)."""
    token = new_token()
    speaker.feed_token_hash = hash_token(token)
    speaker.updated_at = now
    # Only the speaker themselves can do this, from their own pages.
    for person in _published_records(speaker):
        summary = f"{person.display_name} made a new private calendar feed address; the old one stopped working."
        record(by=person, event=person.event, action="person.feed_reset", summary=summary, target=person, now=now)
    return token


def find_speaker_by_feed_token(token: str) -> Speaker | None:
    owner = feed_owner(token)
    return None if owner is None else db.session.get(Speaker, owner[0])


def feed_owner(token: str) -> tuple[int] | None:
    """`(speaker_id,)` for a feed token, None for a wrong one: the shape the render cache remembers."""
    if not token or len(token) > 100:
        return None
    speaker_id = db.session.scalar(select(Speaker.id).where(Speaker.feed_token_hash == hash_token(token)))
    return None if speaker_id is None else (speaker_id,)


def _speaker_zone(email: str | None) -> str | None:
    """The time zone the human with this address chose on their speaker pages, if any."""
    address = _address(email)
    if not address:
        return None
    return db.session.scalar(select(Speaker.timezone).where(Speaker.email == address))


def notify_slot_changed(appearance: Appearance, *, change: str, now: datetime) -> OutboxMessage | None:
    """Queue the speaker's first invite (change="added"), updated invite ("moved") or cancellation ("cancelled").

    A change raises the slot's one SEQUENCE (app.calendar.identity), emailed or not, so the speaker's feed and
    invites never go back. A slot of a called-off session gets no invite any more, only cancellations. Never
    commits: it belongs to the organiser's transaction. Returns None when nothing is sent (no email address,
    or an invite to a called-off session).
    """
    if change not in speaker_messages.SLOT_CHANGES:
        raise ValueError(f"unknown change {change!r}")
    session = appearance.item.session
    if change != "cancelled" and session.is_cancelled:
        return None
    if change == "added":
        identity.hold_appearance_sequence(appearance)
    else:
        identity.raise_appearance_sequence(appearance)
    person = appearance.person
    if not person.email:
        return None
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    zone = timeutil.zone_or(_speaker_zone(person.email), session.event.timezone)
    # The invite's words (its title and description) in the speaker's language, as the message's.
    with i18n.in_language(speaker_messages.speaker_language(_address(person.email))):
        ics = slot_invite(appearance, method=method, now=now)
    return speaker_messages.queue_slot_changed(appearance, change=change, zone=zone, ics=ics, ics_method=method)


def notify_item_changed(item: AgendaItem, *, change: str, now: datetime) -> list[OutboxMessage]:
    """notify_slot_changed for everyone in an agenda item (a moved or cancelled item); never commits."""
    messages = [notify_slot_changed(appearance, change=change, now=now) for appearance in item.appearances]
    return [message for message in messages if message is not None]


# --- questions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A registrant's question as a speaker sees it: never the registrant's email address."""

    text: str
    asked_by: str
    organisation: str
    asked_at: datetime
    session_title: str
    #: The event's time zone, to show `asked_at` in when the speaker chose none.
    zone: str


def list_questions(speaker: Speaker) -> list[Question]:
    """Questions of active registrants of the online sessions whose items the speaker (any of their records)
    appears in, newest first."""
    session_ids = (
        select(AgendaItem.session_id)
        .join(Appearance, Appearance.item_id == AgendaItem.id)
        .join(Person, Person.id == Appearance.person_id)
        .join(EventSession, EventSession.id == AgendaItem.session_id)
        .join(Event, Event.id == EventSession.event_id)
        .where(
            _with_email(speaker.email),
            EventSession.is_online.is_(True),
            EventSession.status == SessionStatus.SCHEDULED,
            Event.status == EventStatus.PUBLISHED,
        )
    )
    rows = db.session.execute(
        select(
            Registration.question,
            Registration.full_name,
            Registration.organisation,
            Registration.created_at,
            EventSession.title,
            Event.timezone,
        )
        .join(EventSession, EventSession.id == Registration.session_id)
        .join(Event, Event.id == EventSession.event_id)
        .where(
            Registration.session_id.in_(session_ids),
            Registration.status != RegistrationStatus.CANCELLED,
            func.length(func.trim(Registration.question)) > 0,
        )
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    ).all()
    return [Question(row[0].strip(), *row[1:]) for row in rows]
