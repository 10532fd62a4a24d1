"""Building an agenda: events, sessions, agenda items, people and appearances; publishing.

Every public function here is one use case and never commits: the organiser's screen commits it once
(app.transaction.use_case), or rolls all of it back when a rule breaks. Timeline problems (overlaps, items
outside their session, a person in two places at once) are warnings, computed before saving by
`timeline.check_timeline` so that the organiser can look and confirm; they are not errors, because real agendas
sometimes overlap on purpose (a moderator who also gives the opening remarks).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from app import timeutil
from app.activity import record
from app.agenda import reach
from app.agenda.timeline import TimelineWarning
from app.agenda.translated import FIELD_NAMES, FRENCH_FIELDS, clean_translations
from app.calendar import ical, identity
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import in_language, surname_key
from app.mail import speaker_messages
from app.models import (
    ActivityEntry,
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Organiser,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    SlotNotice,
)
from app.organiser.services import can_manage
from app.registration import services as registration_services
from app.speakers import services as speaker_services
from app.text import InvalidEmail, normalise_email
from app.wording import count

EVENT_FIELDS = (
    "title",
    "slug",
    "description",
    "venue",
    "timezone",
    "starts_on",
    "ends_on",
    "contact_name",
    "contact_email",
    *FRENCH_FIELDS,
)
SESSION_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "location",
    "is_online",
    "join_url",
    "registration_enabled",
    "capacity",
    "waitlist_enabled",
    "registration_opens_at",
    "registration_closes_at",
    *FRENCH_FIELDS,
)
ITEM_FIELDS = ("title", "kind", "starts_at", "ends_at", "description", "location", "typology", *FRENCH_FIELDS)
PERSON_FIELDS = ("honorific", "name", "position", "organisation", "email", "bio")


def _snapshot(obj, names: tuple[str, ...]) -> dict:
    return {name: getattr(obj, name) for name in names}


def _changed(obj, before: dict) -> list[str]:
    """The names of the fields that differ from the snapshot `before`, for the activity log."""
    return [
        FIELD_NAMES.get(name, name.replace("_", " ")) for name, value in before.items() if getattr(obj, name) != value
    ]


class SlugTaken(DomainError):
    default_message = _l("Another event already uses this web address.")


def _tell_people(items: list[AgendaItem], change: str, now: datetime) -> int:
    """The speakers' updated invites (or cancellations) for these items, in the caller's transaction, to
    exactly the appearances the previews count (app.agenda.reach). Returns how many emails were queued."""
    told = reach.appearances_to_tell(items)
    for appearance in told:
        _notify(appearance, change, now)
    return len(told)


def _notify(appearance: Appearance, change: str, now: datetime) -> None:
    """The speaker's email of one slot, and the record of what they were sent (what a republish compares)."""
    if speaker_services.notify_slot_changed(appearance, change=change, now=now) is not None:
        _remember(appearance, cancelled=change == reach.CANCELLED, now=now)


def _remember(appearance: Appearance, *, cancelled: bool, now: datetime) -> SlotNotice:
    """Keep what the slot's email just said (app.agenda.reach.slot_fingerprint) under the slot's UID."""
    notice = db.session.scalar(select(SlotNotice).where(SlotNotice.uid == appearance.uid))
    if notice is None:
        notice = SlotNotice(uid=appearance.uid, event_id=appearance.item.session.event_id)
        db.session.add(notice)
    title, session_title, role, starts_at, ends_at, place = reach.slot_fingerprint(appearance)
    # A cancelled slot's appearance may go (taken out of the item): the UID is what matches it.
    notice.appearance_id = None if cancelled else appearance.id
    notice.person_id = appearance.person_id
    notice.to_address, notice.to_name = appearance.person.email, appearance.person.display_name
    notice.item_title, notice.session_title, notice.role = title, session_title, role
    notice.starts_at, notice.ends_at, notice.location = starts_at, ends_at, place
    notice.sequence, notice.cancelled, notice.sent_at = appearance.sequence, cancelled, now
    return notice


def _cancel_gone_slot(notice: SlotNotice, event: Event, now: datetime) -> None:
    """The cancellation of a slot the speaker was sent and that is gone: built from what they were sent, with
    the same UID and a higher SEQUENCE, so their calendar removes the entry."""
    notice.sequence += 1
    organizer_email, organizer_name = identity.organizer(event)
    # In the speaker's language, with the words of their invites (app.speakers.services._slot_for).
    with in_language(speaker_messages.speaker_language(notice.to_address)):
        role = reach.role_label(notice.role)
        slot = ical.Slot(
            uid=identity.uid(notice.uid),
            sequence=notice.sequence,
            summary=_("%(title)s (%(role)s)", title=notice.item_title, role=role),
            start=notice.starts_at,
            end=notice.ends_at,
            description="\n".join(
                (_("Session: %(title)s", title=notice.session_title), _("Event: %(title)s", title=event.title))
            ),
            location=notice.location,
            cancelled=True,
        )
    calendar = ical.invite_calendar(
        slot,
        method="CANCEL",
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendee_email=notice.to_address,
        attendee_name=notice.to_name,
        stamp=now,
    )
    speaker_messages.queue_gone_slot_cancelled(
        notice, event, role=reach.role_label(notice.role), ics=ical.to_bytes(calendar).decode("utf-8")
    )
    notice.appearance_id, notice.cancelled, notice.sent_at = None, True, now


# --- events -------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "event"


def _check_event(event: Event) -> None:
    if not timeutil.is_valid_zone(event.timezone):
        raise ValidationFailed(_("“%(zone)s” is not a time zone we know.", zone=event.timezone))
    if event.ends_on < event.starts_on:
        raise ValidationFailed(_("The event cannot end before it starts."))
    if not (timeutil.is_plausible_day(event.starts_on) and timeutil.is_plausible_day(event.ends_on)):
        raise ValidationFailed(
            _(
                "The event's days must lie between the years %(first)d and %(last)d.",
                first=timeutil.EARLIEST_DAY.year,
                last=timeutil.LATEST_DAY.year,
            )
        )
    if event.id is not None:
        for session in event.sessions:
            _check_within_event_days(
                event,
                session.starts_at,
                session.ends_at,
                what=_("Its session “%(title)s”", title=session.title),
                hint=" " + _("Move it first."),
            )
    clash = db.session.scalar(select(Event.id).where(Event.slug == event.slug, Event.id != (event.id or 0)))
    if clash is not None:
        raise SlugTaken(_("Another event already uses the web address “%(slug)s”.", slug=event.slug))


def create_event(*, by: Organiser, now: datetime, **fields) -> Event:
    """A draft event, managed by whoever created it."""
    values = clean_translations({name: fields[name] for name in EVENT_FIELDS if name in fields}, title_length=200)
    values["slug"] = slugify(values.get("slug") or values["title"])
    with db.session.no_autoflush:
        event = Event(status=EventStatus.DRAFT, created_at=now, updated_at=now, **values)
        db.session.add(event)
        event.organisers.append(by)
        _check_event(event)
    record(
        by=by,
        event=event,
        action="event.created",
        summary=f"Created the event “{event.title}” as a draft.",
        target=event,
        now=now,
    )
    return event


def update_event(event: Event, *, by: Organiser, now: datetime, **fields) -> Event:
    """Change an event's details; the web address stays unless a new one is given."""
    before = _snapshot(event, EVENT_FIELDS)
    fields = clean_translations(fields, title_length=200)
    with db.session.no_autoflush:
        for name in EVENT_FIELDS:
            if name in fields and (fields[name] is not None or name in FRENCH_FIELDS):
                setattr(event, name, slugify(fields[name]) if name == "slug" else fields[name])
        _check_event(event)
    event.updated_at = now
    if changed := _changed(event, before):
        record(
            by=by,
            event=event,
            action="event.updated",
            summary=f"Changed the event's {', '.join(changed)}.",
            target=event,
            now=now,
        )
    return event


def set_event_status(event: Event, status: EventStatus, *, by: Organiser, now: datetime) -> Event:
    """Publish (visible to the public and in feeds, and the speakers told: see `publish_event`), return to
    draft, or mark an event cancelled."""
    publishing = status == EventStatus.PUBLISHED and event.status != EventStatus.PUBLISHED
    # Computed from the programme as the caller's transaction has it (flushed), as the publish step shows it.
    told = reach.who_is_told_of_publishing(event) if publishing else None
    with db.session.no_autoflush:
        if status == EventStatus.PUBLISHED and not event.sessions:
            raise ValidationFailed(_("Add at least one session before publishing the event."))
        event.status = status
    event.updated_at = now
    summary = _STATUS_SUMMARIES[status]
    if told is not None:
        _tell_programme(event, told, now)
        emails, people = count(told.emails, "slot message"), count(told.people, "person", "people")
        summary += f" Emailed {emails} to {people}." if told.emails else ""
    record(by=by, event=event, action=f"event.{status.value}", summary=summary, target=event, now=now)
    return event


def _tell_programme(event: Event, told: reach.PublishReach, now: datetime) -> None:
    """Send each person exactly the slot messages the publish step showed (reach.who_is_told_of_publishing)."""
    for person in told.told:
        for slot in person.changes:
            if slot.appearance is not None:
                _notify(slot.appearance, slot.change, now)
            else:
                _cancel_gone_slot(slot.notice, event, now)


_STATUS_SUMMARIES = {
    EventStatus.PUBLISHED: "Published the event.",
    EventStatus.DRAFT: "Returned the event to draft: the public no longer sees it.",
    EventStatus.CANCELLED: "Marked the event cancelled.",
}


def publish_event(event: Event, *, by: Organiser, now: datetime) -> Event:
    """Make a draft visible on the public site and in the calendar feeds, and email each speaker with an
    address what changed in their slots since they were last told (their invites on the first publish; on
    publishing again only updates, new invites and cancellations): app.agenda.reach.who_is_told_of_publishing."""
    return set_event_status(event, EventStatus.PUBLISHED, by=by, now=now)


# --- sessions -----------------------------------------------------------------------------------


def _check_within_event_days(
    event: Event, starts_at: datetime, ends_at: datetime, *, what: str, hint: str = ""
) -> None:
    """A session lies within the event's days, in the event's zone (it may end at midnight after the last)."""
    first, last = event.starts_on, event.ends_on
    if not (timeutil.is_plausible_day(first) and timeutil.is_plausible_day(last)):
        raise ValidationFailed(
            _(
                "The event's days must lie between the years %(first)d and %(last)d.",
                first=timeutil.EARLIEST_DAY.year,
                last=timeutil.LATEST_DAY.year,
            )
        )
    earliest = timeutil.local_datetime(first, time.min, event.timezone)
    latest = timeutil.local_datetime(last + timedelta(days=1), time.min, event.timezone)
    if starts_at < earliest or ends_at > latest:
        long_date = timeutil.format_long_date
        days = (
            long_date(first)
            if first == last
            else _("%(first)s to %(last)s", first=long_date(first), last=long_date(last))
        )
        raise ValidationFailed(
            _(
                "%(what)s must lie within the event's days (%(days)s, %(zone)s).",
                what=what,
                days=days,
                zone=event.timezone,
            )
            + hint
        )


def _check_session(session: EventSession) -> None:
    if session.ends_at <= session.starts_at:
        raise ValidationFailed(_("The session must end after it starts."))
    _check_within_event_days(session.event, session.starts_at, session.ends_at, what=_("The session"))
    if session.capacity is not None and session.capacity < 0:
        raise ValidationFailed(_("The capacity cannot be negative."))
    opens, closes = session.registration_opens_at, session.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise ValidationFailed(_("Registration must close after it opens."))
    if session.is_online and session.registration_enabled and not session.join_url:
        raise ValidationFailed(_("An online session open for registration needs a join link."))


def create_session(event: Event, *, by: Organiser, now: datetime, **fields) -> EventSession:
    """A session of the event; online ones carry a join link, open ones a capacity and a window."""
    values = clean_translations({name: fields[name] for name in SESSION_FIELDS if name in fields}, title_length=200)
    with db.session.no_autoflush:
        session = EventSession(event=event, updated_at=now, **values)
        db.session.add(session)
        if "follows_up_item_id" in fields:
            session.follows_up_item_id = fields["follows_up_item_id"]
        _check_session(session)
    event.updated_at = now
    with in_language("en"):  # the activity log is a record, written in English
        when = timeutil.format_when(session.starts_at, session.ends_at, event.timezone)
    record(
        by=by,
        event=event,
        action="session.created",
        summary=f"Added the session “{session.title}” ({when}).",
        target=session,
        now=now,
    )
    return session


def _shift_session_items(session: EventSession, delta: timedelta, now: datetime) -> None:
    for item in session.items:
        item.starts_at += delta
        item.ends_at += delta
        item.version += 1
        item.updated_at = now


def update_session(
    session: EventSession, *, by: Organiser, now: datetime, move_items: bool = True, **fields
) -> EventSession:
    """Change a session. A move, a new join link or a new capacity go through the registration services,
    which lock the session row and put the attendees' updates (or promotions) in the outbox in the same
    transaction as the change; when the session moves its items move with it if asked.

    One transaction, which the caller commits: a rule that breaks anywhere in it leaves the session as it was,
    with no email queued, once the caller rolls back. The capacity is checked in one place, by change_capacity
    under the session's lock, against the seats taken by then (a registration may have taken one since the
    organiser opened the form), so it may break after the move and the new link were already written.
    """
    starts_at = fields.pop("starts_at", session.starts_at)
    ends_at = fields.pop("ends_at", session.ends_at)
    join_url = reach.normalised_join_url(fields.pop("join_url", session.join_url))
    capacity = fields.pop("capacity", session.capacity)
    if ends_at <= starts_at:
        raise ValidationFailed(_("The session must end after it starts."))
    _check_within_event_days(session.event, starts_at, ends_at, what=_("The session"))
    is_online = fields.get("is_online", session.is_online)
    if is_online and fields.get("registration_enabled", session.registration_enabled) and not join_url:
        raise ValidationFailed(_("An online session open for registration needs a join link."))
    change = reach.session_change(
        session, starts_at=starts_at, ends_at=ends_at, join_url=join_url, move_items=move_items
    )
    with db.session.no_autoflush:
        if change.items_move:
            _shift_session_items(session, starts_at - session.starts_at, now)
        details = _apply_session_details(session, fields, now)
        if change.tells_speakers:
            # The speakers' invites carry the times and the join link; they go with the change below.
            _tell_people_with_link(session, join_url, now)
    if details:
        record(
            by=by,
            event=session.event,
            action="session.updated",
            summary=f"Changed the {', '.join(details)} of the session “{session.title}”.",
            target=session,
            now=now,
        )
    if change.moved:
        # A new link goes with the move: one update per attendee, not two.
        link = join_url if change.link_changed else registration_services.KEEP_LINK
        registration_services.reschedule_session(
            session, starts_at=starts_at, ends_at=ends_at, join_url=link, by=by, now=now
        )
    elif change.link_changed:
        registration_services.change_join_link(session, join_url, by=by, now=now)
    if capacity != session.capacity:
        registration_services.change_capacity(session, capacity, by=by, now=now)
    return session


def _apply_session_details(session: EventSession, fields: dict, now: datetime) -> list[str]:
    """Sets the session's details; returns the names of those that changed."""
    changed = []
    names = ("title", "description", "location", "is_online", "registration_enabled", "waitlist_enabled")
    fields = clean_translations(fields, title_length=200)
    for name in (*names, "registration_opens_at", "registration_closes_at", *FRENCH_FIELDS):
        if name in fields and getattr(session, name) != fields[name]:
            setattr(session, name, fields[name])
            changed.append(FIELD_NAMES.get(name, name.replace("_", " ")))
    opens, closes = session.registration_opens_at, session.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise ValidationFailed(_("Registration must close after it opens."))
    if changed:
        session.version += 1
        session.updated_at = now
        session.event.updated_at = now
    return changed


def _tell_people_with_link(session: EventSession, join_url: str | None, now: datetime) -> None:
    # The speaker's invite is built from the session as it will be: set the new link for the build only,
    # then put the old one back so that change_join_link sees the change and tells the attendees.
    old = session.join_url
    session.join_url = join_url
    _tell_people(list(session.items), "moved", now)
    session.join_url = old


def cancel_session(session: EventSession, *, reason: str, by: Organiser, now: datetime) -> EventSession:
    """Call a session off; the attendees' and the speakers' cancellations go in the same transaction."""
    session.event.updated_at = now
    _tell_people(list(session.items), "cancelled", now)
    return registration_services.cancel_session(session, reason=reason, by=by, now=now)


# --- agenda items -------------------------------------------------------------------------------


def _check_item(item: AgendaItem) -> None:
    if item.ends_at <= item.starts_at:
        raise ValidationFailed(_("The item must end after it starts."))
    if not item.title.strip():
        raise ValidationFailed(_("Give the item a title."))


class ItemOfCancelledSession(DomainError):
    default_message = _l("This item's session is cancelled: its items stay as they were when it was called off.")


def create_item(session: EventSession, *, by: Organiser, now: datetime, **fields) -> AgendaItem:
    """An agenda item in a session; timeline warnings are checked beforehand with `check_timeline`."""
    if session.is_cancelled:
        raise ItemOfCancelledSession()
    values = clean_translations({name: fields[name] for name in ITEM_FIELDS if name in fields}, title_length=300)
    values.setdefault("kind", ItemKind.OTHER)
    position = 1 + max((i.position for i in session.items), default=-1)
    with db.session.no_autoflush:
        item = AgendaItem(session=session, position=position, updated_at=now, **values)
        db.session.add(item)
        _check_item(item)
    session.event.updated_at = now
    with in_language("en"):  # the activity log is a record, written in English
        when = timeutil.format_range(item.starts_at, item.ends_at, session.event.timezone)
    record(
        by=by,
        event=session.event,
        action="item.created",
        summary=f"Added “{item.title}” ({when}) to “{session.title}”.",
        target=item,
        now=now,
    )
    return item


def plan_item_change(
    item: AgendaItem, starts_at: datetime, ends_at: datetime, *, shift_later: bool
) -> dict[int, tuple[datetime, datetime]]:
    """The new times of the item and, when asked, of the later items of its session, moved by as much as
    the item's end moved, so that the gaps after it stay as they were."""
    plan = {item.id: (starts_at, ends_at)}
    if shift_later:
        delta = ends_at - item.ends_at
        for other in item.session.items:
            if other.id != item.id and other.starts_at >= item.ends_at and delta:
                plan[other.id] = (other.starts_at + delta, other.ends_at + delta)
    return plan


def update_item(item: AgendaItem, *, by: Organiser, now: datetime, shift_later: bool = False, **fields) -> AgendaItem:
    """Change an item; with shift_later the later items of its session move by as much as its end moved."""
    if item.session.is_cancelled:
        raise ItemOfCancelledSession()
    starts_at = fields.get("starts_at", item.starts_at)
    ends_at = fields.get("ends_at", item.ends_at)
    plan = plan_item_change(item, starts_at, ends_at, shift_later=shift_later)
    by_id = {other.id: other for other in item.session.items}
    moved = reach.items_moved(list(item.session.items), plan)
    before = _snapshot(item, ITEM_FIELDS)
    fields = clean_translations(fields, title_length=300)
    with db.session.no_autoflush:
        changed = False
        for name in ITEM_FIELDS:
            if name in fields and getattr(item, name) != fields[name]:
                setattr(item, name, fields[name])
                changed = True
        _check_item(item)
        if changed:
            item.version += 1
            item.updated_at = now
        for other_id, (start, end) in plan.items():
            if other_id == item.id:
                continue
            other = by_id[other_id]
            other.starts_at, other.ends_at = start, end
            other.version += 1
            other.updated_at = now
        _tell_people(moved, "moved", now)
    item.session.event.updated_at = now
    if what := _changed(item, before):
        record(
            by=by,
            event=item.session.event,
            action="item.updated",
            summary=_item_change(item, what, len(plan) - 1),
            target=item,
            now=now,
        )
    return item


def _item_change(item: AgendaItem, changed: list[str], shifted: int) -> str:
    zone = item.session.event.timezone
    summary = f"Changed the {', '.join(changed)} of “{item.title}”"
    if "starts at" in changed or "ends at" in changed:
        with in_language("en"):  # the activity log is a record, written in English
            summary += f" (now {timeutil.format_range(item.starts_at, item.ends_at, zone)})"
    return summary + (f"; {count(shifted, 'later item')} moved with it." if shifted else ".")


def reorder_item(item: AgendaItem, direction: str, *, by: Organiser, now: datetime) -> AgendaItem:
    """Swap an item with the one before ("up") or after ("down") it: each keeps its length, the pair keeps
    its start, the gap between them and its end, so nothing after them moves."""
    items = list(item.session.items)
    index = items.index(item)
    other_index = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other_index < len(items):
        raise ValidationFailed(_("This item cannot move further that way."))
    first, second = sorted((item, items[other_index]), key=lambda i: (i.starts_at, i.position, i.id))
    gap = second.starts_at - first.ends_at
    start = first.starts_at
    first_length, second_length = first.ends_at - first.starts_at, second.ends_at - second.starts_at
    second.starts_at, second.ends_at = start, start + second_length
    first.starts_at = second.ends_at + gap
    first.ends_at = first.starts_at + first_length
    first.position, second.position = second.position, first.position
    for moved in (first, second):
        moved.version += 1
        moved.updated_at = now
    _tell_people([first, second], "moved", now)
    item.session.event.updated_at = now
    record(
        by=by,
        event=item.session.event,
        action="item.reordered",
        summary=f"Moved “{item.title}” {direction}, swapping it with “{items[other_index].title}”.",
        target=item,
        now=now,
    )
    return item


def delete_item(item: AgendaItem, *, by: Organiser, now: datetime) -> None:
    """Remove an item and its appearances; its speakers get a cancellation of their slot. The items of a
    cancelled session stay, as the record of what was called off."""
    if item.session.is_cancelled:
        raise ItemOfCancelledSession()
    item.session.event.updated_at = now
    _tell_people([item], "cancelled", now)
    record(
        by=by,
        event=item.session.event,
        action="item.deleted",
        summary=f"Removed “{item.title}” from “{item.session.title}”.",
        target=item,
        now=now,
    )
    db.session.delete(item)


# --- people and appearances ---------------------------------------------------------------------


def _check_person(person: Person) -> None:
    if not person.name.strip():
        raise ValidationFailed(_("Give the person's name."))
    if person.email:
        clash = db.session.scalar(
            select(Person.id).where(
                Person.event_id == person.event_id, Person.email == person.email, Person.id != (person.id or 0)
            )
        )
        if clash is not None:
            raise ValidationFailed(_("Someone else in this event already has the email %(email)s.", email=person.email))


def _normalised_email(value: str | None) -> str | None:
    """A person's address as speakers are known by (app.text.normalise_email); None when left blank."""
    if not (value or "").strip():
        return None
    try:
        return normalise_email(value)
    except InvalidEmail as error:
        raise ValidationFailed(error.message) from None


def create_person(event: Event, *, by: Organiser, now: datetime, **fields) -> Person:
    """A speaker, panellist, moderator or chair of this event's programme; one person can appear in many of
    its items."""
    values = {name: fields[name] for name in PERSON_FIELDS if name in fields}
    values["email"] = _normalised_email(values.get("email"))
    with db.session.no_autoflush:
        person = Person(event_id=event.id, created_at=now, updated_at=now, **values)
        _check_person(person)
        db.session.add(person)
    record(
        by=by,
        event=event,
        action="person.created",
        summary=f"Added {person.name} to the people.",
        target=person,
        now=now,
    )
    return person


def update_person(person: Person, *, by: Organiser, now: datetime, **fields) -> Person:
    """Change a person's details: only this event's record of them, never another event's."""
    before = _snapshot(person, PERSON_FIELDS)
    with db.session.no_autoflush:
        for name in PERSON_FIELDS:
            if name in fields:
                value = fields[name]
                if name == "email":
                    value = _normalised_email(value)
                setattr(person, name, value)
        _check_person(person)
    person.updated_at = now
    if changed := _changed(person, before):
        summary = f"Changed the {', '.join(changed)} of {person.display_name}."
        record(by=by, event=person.event, action="person.updated", summary=summary, target=person, now=now)
    return person


def _copy_person(person: Person, event: Event, *, now: datetime) -> Person:
    """A new record of the same human in `event`; the original stays as it is. Never commits."""
    copy = Person(
        event_id=event.id,
        created_at=now,
        updated_at=now,
        **{name: getattr(person, name) for name in PERSON_FIELDS},
    )
    _check_person(copy)
    db.session.add(copy)
    db.session.flush()
    return copy


def add_appearance(item: AgendaItem, person: Person, role: Role, *, by: Organiser, now: datetime) -> Appearance:
    """Put a person in an item with a role, after the ones already there; in a published event they get the
    slot's invite at once (in a draft, nobody relies on the agenda yet).

    A person of another event the organiser manages is copied into this event first (the appearance is the
    copy's); a person of an event they do not manage is not found.
    """
    event = item.session.event
    if person.event_id != event.id:
        if not can_manage(by, person.event):
            raise NotFound(_("No such person."))
        with db.session.no_autoflush:
            if person.email and any(p.email == person.email for p in event.people):
                raise ValidationFailed(
                    _(
                        "This event already has someone with the email %(email)s: "
                        "choose them among the people of this event.",
                        email=person.email,
                    )
                )
            source = person.event.title
            person = _copy_person(person, event, now=now)
            summary = f"Added {person.name} to the people, copied from “{source}”."
            record(by=by, event=event, action="person.copied", summary=summary, target=person, now=now)
    if any(a.person_id == person.id for a in item.appearances):
        raise ValidationFailed(_("%(name)s is already in “%(title)s”.", name=person.display_name, title=item.title))
    appearance = Appearance(item=item, person=person, role=role, position=len(item.appearances))
    db.session.add(appearance)
    item.version += 1
    item.updated_at = now
    item.session.event.updated_at = now
    if item.session.event.status == EventStatus.PUBLISHED:
        db.session.flush()  # the invite's UID comes from the appearance's id
        _notify(appearance, reach.ADDED, now)
    summary = f"Put {person.display_name} in “{item.title}” as {role.value}."
    record(by=by, event=item.session.event, action="appearance.added", summary=summary, target=appearance, now=now)
    return appearance


def remove_appearance(appearance: Appearance, *, by: Organiser, now: datetime) -> None:
    """Take a person out of an item; they get a cancellation of their slot if the event is published."""
    item = appearance.item
    if item.session.event.status == EventStatus.PUBLISHED:
        _notify(appearance, reach.CANCELLED, now)
    summary = f"Took {appearance.person.display_name} out of “{item.title}”."
    record(by=by, event=item.session.event, action="appearance.removed", summary=summary, target=appearance, now=now)
    db.session.delete(appearance)
    item.version += 1
    item.updated_at = now
    item.session.event.updated_at = now


def people_of_event(event: Event) -> list[Person]:
    """The event's people, with their appearances (in this event, as every record is) and answers."""
    query = (
        select(Person)
        .where(Person.event_id == event.id)
        .order_by(Person.name, Person.id)
        .options(selectinload(Person.appearances).joinedload(Appearance.item))
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class PeopleToPick:
    """Who "add an existing person" offers: this event's people, and people of the organiser's other events
    (picking one of those copies them into this event)."""

    own: list[Person]
    others: list[Person]


def surname(person: Person) -> str:
    """The last word of the person's name ("Ana María López" -> "López"): what the picker sorts on."""
    words = person.name.split()
    return words[-1] if words else ""


def _by_surname(person: Person) -> tuple:
    """Surname, then name, in the Unicode collation order ("Škarnulis" before "Tangney"), then the id."""
    return (*surname_key(person.name), person.id)


def _matches(person: Person, words: list[str]) -> bool:
    """Every word is part of the person's name or organisation (case and accents as typed)."""
    text = f"{person.name} {person.organisation}".casefold()
    return all(word in text for word in words)


def people_to_pick(event: Event, *, by: Organiser, search: str = "") -> PeopleToPick:
    """This event's people, and the people of the other events `by` manages, one per email address (the latest
    changed record) and none whose address this event already has; each list sorted by surname. A `search`
    keeps those whose name (surname included) or organisation holds every word of it."""
    words = search.casefold().split()
    own = sorted((p for p in people_of_event(event) if _matches(p, words)), key=_by_surname)
    query = (
        select(Person)
        .join(Event, Event.id == Person.event_id)
        .where(Person.event_id != event.id)
        .order_by(Person.updated_at.desc(), Person.id.desc())
        .options(contains_eager(Person.event))
    )
    if not by.is_admin:
        query = query.where(Event.organisers.any(Organiser.id == by.id))
    taken = {p.email for p in own if p.email}
    others = []
    for person in db.session.scalars(query):
        if person.email:
            if person.email in taken:
                continue
            taken.add(person.email)
        if _matches(person, words):
            others.append(person)
    others.sort(key=lambda p: (*_by_surname(p), p.event.title))
    return PeopleToPick(own, others)


def get_person(event: Event, person_id: int) -> Person:
    """A person of this event; another event's person is not found."""
    person = db.session.get(Person, person_id)
    if person is None or person.event_id != event.id:
        raise NotFound(_("No such person."))
    return person


# --- deleting what nothing depends on, and dates in the past -------------------------------------
#
# Deleting is for mistakes: a draft nobody has seen, a session nobody registered for, an item. Whatever people
# already rely on is cancelled instead, which keeps its records and tells them.


class NotDeletable(DomainError):
    default_message = _l("This cannot be deleted.")


def _registration_count(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(*conditions)) or 0


def was_ever_published(event: Event) -> bool:
    """The activity log says the event was public once: published, or cancelled (a cancelled event is public), or
    returned to draft, which only a published event can be (set_event_status records every change of status)."""
    public = [f"event.{status.value}" for status in EventStatus]
    published = select(ActivityEntry.id).where(ActivityEntry.event_id == event.id, ActivityEntry.action.in_(public))
    return db.session.scalar(published.limit(1)) is not None


def event_deletion_refusals(event: Event) -> list[str]:
    """Why the event cannot be deleted; empty when it can: a draft, never published, with no registration of any
    kind (a published event may be in people's calendars and feeds; registrations are records of people)."""
    reasons = []
    if event.status != EventStatus.DRAFT:
        reasons.append(_("Only a draft can be deleted; this event is %(status)s.", status=event.status.label.lower()))
    elif was_ever_published(event):
        reasons.append(
            _("It was published once, so people may have its pages, invites or feed entries: keep it as a draft.")
        )
    registrations = _registration_count(Registration.session_id.in_([s.id for s in event.sessions]))
    if registrations:
        reasons.append(
            ngettext(
                "Its sessions hold %(num)d registration (cancelled ones included).",
                "Its sessions hold %(num)d registrations (cancelled ones included).",
                registrations,
            )
        )
    return reasons


def delete_event(event: Event, *, by: Organiser, now: datetime) -> None:
    """Delete a draft nothing depends on (event_deletion_refusals), with its sessions, items, people and log.
    The deletion itself is logged outside any event, so that the entry outlives it."""
    if reasons := event_deletion_refusals(event):
        raise NotDeletable(" ".join([_("This event cannot be deleted."), *reasons]))
    sessions = len(event.sessions)
    items = sum(len(s.items) for s in event.sessions)
    record(
        by=by,
        event=None,
        action="event.deleted",
        summary=f"Deleted the draft event “{event.title}” ({event.slug}) with {count(sessions, 'session')} "
        f"and {count(items, 'agenda item')}.",
        target=event,
        now=now,
    )
    db.session.delete(event)


def sessions_with_registrations(event: Event) -> set[int]:
    """The ids of the event's sessions that hold a registration of any kind (and so cannot be deleted)."""
    return set(
        db.session.scalars(
            select(Registration.session_id)
            .join(EventSession, EventSession.id == Registration.session_id)
            .where(EventSession.event_id == event.id)
            .distinct()
        )
    )


def session_deletion_refusals(session: EventSession) -> list[str]:
    """Why the session cannot be deleted; empty when it can: nobody ever registered for it (a registration,
    even a cancelled one, is a person's record and their emails refer to the session)."""
    registrations = _registration_count(Registration.session_id == session.id)
    if registrations:
        return [
            ngettext(
                "It holds %(num)d registration (cancelled ones included): cancel the session instead, which tells "
                "its attendees and keeps their records.",
                "It holds %(num)d registrations (cancelled ones included): cancel the session instead, which tells "
                "its attendees and keeps their records.",
                registrations,
            )
        ]
    return []


def delete_session(session: EventSession, *, by: Organiser, now: datetime) -> None:
    """Delete a session nobody registered for, with its items and their appearances; once the event is
    published, the speakers of its items get a cancellation of their slot (none again if it was cancelled)."""
    if reasons := session_deletion_refusals(session):
        raise NotDeletable(" ".join([_("This session cannot be deleted."), *reasons]))
    event = session.event
    if not session.is_cancelled:
        _tell_people(list(session.items), "cancelled", now)
    event.updated_at = now
    record(
        by=by,
        event=event,
        action="session.deleted",
        summary=f"Deleted the session “{session.title}” with {count(len(session.items), 'agenda item')}.",
        target=session,
        now=now,
    )
    db.session.delete(session)


def registrations_held(event: Event) -> reach.Reach:
    """The event's registrations still held (confirmed, waiting), and the speakers' appearances with an address
    that slot emails would reach: what the status pages say is, or is not, told."""
    rows = db.session.execute(
        select(Registration.status, func.count())
        .join(EventSession, EventSession.id == Registration.session_id)
        .where(EventSession.event_id == event.id, Registration.active(), Registration.anonymised_at.is_(None))
        .group_by(Registration.status)
    ).all()
    counts = dict(rows)
    items = [item for s in event.sessions for item in s.items]
    return reach.Reach(
        confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        speakers=sum(1 for item in items for a in item.appearances if a.person.email),
    )


def sessions_following_up(item: AgendaItem) -> list[EventSession]:
    """The sessions that name this item as the one they follow up (the link goes when the item does)."""
    return list(db.session.scalars(select(EventSession).where(EventSession.follows_up_item_id == item.id)))


def past_date_warnings(
    what: str,
    *,
    now: datetime,
    timezone: str,
    ends_on: date | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> list[TimelineWarning]:
    """A warning, not an error, when what is being saved ends before now: an old event typed in for the record is
    fine, a wrong year is the usual mistake."""
    if starts_at is not None and ends_at is not None and ends_at <= now:
        when = timeutil.format_when(starts_at, ends_at, timezone)
    elif ends_on is not None and ends_on < timeutil.to_zone(now, timezone).date():
        when = timeutil.format_long_date(ends_on)
    else:
        return []
    message = _("%(what)s ends in the past (%(when)s). Check the date, or save anyway.", what=what, when=when)
    return [TimelineWarning("past", message, ())]
