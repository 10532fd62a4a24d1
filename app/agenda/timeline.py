"""Timeline checks: items that overlap in their session, lie outside it, need a person in two places at once, or
share a room with another session or item at the same time.

They are warnings, computed before saving so that the organiser can look and confirm; they are not errors,
because real agendas sometimes overlap on purpose (a moderator who also gives the opening remarks).
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app import timeutil
from app.extensions import db
from app.models import AgendaItem, Appearance, Event, EventSession, Person

#: The id given to an item that is not saved yet, in previews.
NEW_ITEM = 0


@dataclass(frozen=True)
class TimelineWarning:
    """A problem in the timeline, fit to show to the organiser."""

    kind: str  # overlap, outside_session, double_booked, room_clash
    message: str
    item_ids: tuple[int, ...]
    #: The sessions a room clash involves as a whole (a session booked in a room), besides any items.
    session_ids: tuple[int, ...] = ()


@dataclass
class _Slot:
    item_id: int
    title: str
    session: EventSession
    starts_at: datetime
    ends_at: datetime
    person_ids: set[int] = field(default_factory=set)
    location: str = ""


@dataclass(frozen=True)
class _Booking:
    """A room taken for a time: by a session as a whole, or by an item held somewhere else than its session."""

    room: str
    label: str
    session_id: int
    item_id: int | None
    starts_at: datetime
    ends_at: datetime


def room_key(location: str | None) -> str:
    """Two locations name the same room when they differ only in case and spaces ("Room 2" and " room2 ")."""
    return "".join((location or "").split()).casefold()


def check_timeline(
    event: Event,
    *,
    changes: dict[int, tuple[datetime, datetime]] | None = None,
    new_item: dict | None = None,
    add_people: dict[int, set[int]] | None = None,
    locations: dict[int, str] | None = None,
) -> list[TimelineWarning]:
    """Warnings for the event's timeline as it is, or as it would be after `changes` (item id to new times),
    `locations` (item id to new location) and with `new_item` (session, title, starts_at, ends_at, location,
    person_ids) added. With changes or a new item, only the warnings that involve them are returned: those are
    the ones the organiser is about to cause."""
    changes = changes or {}
    locations = locations or {}
    slots: list[_Slot] = []
    for session in event.sessions:
        for item in session.items:
            start, end = changes.get(item.id, (item.starts_at, item.ends_at))
            person_ids = {a.person_id for a in item.appearances} | (add_people or {}).get(item.id, set())
            location = locations.get(item.id, item.location) or ""
            slots.append(_Slot(item.id, item.title, session, start, end, person_ids, location))
    if new_item is not None:
        slots.append(
            _Slot(
                NEW_ITEM,
                new_item["title"],
                new_item["session"],
                new_item["starts_at"],
                new_item["ends_at"],
                set(new_item.get("person_ids", ())),
                new_item.get("location") or "",
            )
        )
    zone = event.timezone
    warnings: list[TimelineWarning] = []

    by_session: dict[int, list[_Slot]] = defaultdict(list)
    for slot in slots:
        by_session[slot.session.id].append(slot)
        session = slot.session
        if slot.starts_at < session.starts_at or slot.ends_at > session.ends_at:
            warnings.append(
                TimelineWarning(
                    "outside_session",
                    _(
                        "“%(item)s” (%(item_time)s) lies outside its session “%(session)s” (%(session_time)s).",
                        item=slot.title,
                        item_time=timeutil.format_range(slot.starts_at, slot.ends_at, zone),
                        session=session.title,
                        session_time=timeutil.format_range(session.starts_at, session.ends_at, zone),
                    ),
                    (slot.item_id,),
                )
            )
    for session_slots in by_session.values():
        for a, b in _overlapping_pairs(session_slots):
            warnings.append(
                TimelineWarning(
                    "overlap",
                    _(
                        "“%(first)s” (%(first_time)s) and “%(second)s” (%(second_time)s) overlap in “%(session)s”.",
                        first=a.title,
                        first_time=timeutil.format_range(a.starts_at, a.ends_at, zone),
                        second=b.title,
                        second_time=timeutil.format_range(b.starts_at, b.ends_at, zone),
                        session=a.session.title,
                    ),
                    (a.item_id, b.item_id),
                )
            )
    warnings.extend(_double_bookings(slots, zone))
    warnings.extend(_room_clashes(event, slots, zone))
    if changes or locations or new_item is not None:
        touched = set(changes) | set(locations) | ({NEW_ITEM} if new_item is not None else set())
        warnings = [w for w in warnings if touched.intersection(w.item_ids)]
    return warnings


def _overlapping_pairs(slots: list[_Slot]) -> Iterator[tuple[_Slot, _Slot]]:
    """Each pair of slots that overlap in time, the earlier first (sorted once, then a sweep)."""
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.item_id))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.starts_at >= a.ends_at:
                break
            yield a, b


def _double_bookings(slots: list[_Slot], zone: str) -> list[TimelineWarning]:
    person_ids = set().union(*(slot.person_ids for slot in slots)) if slots else set()
    if not person_ids:
        return []
    # The same people's items in other events count too: nobody can be in two places at once.
    known = {slot.item_id for slot in slots}
    others = db.session.execute(
        select(Appearance.person_id, AgendaItem)
        .join(AgendaItem, Appearance.item_id == AgendaItem.id)
        .where(Appearance.person_id.in_(person_ids))
    ).all()
    per_person: dict[int, list[_Slot]] = defaultdict(list)
    for slot in slots:
        for person_id in slot.person_ids:
            per_person[person_id].append(slot)
    for person_id, item in others:
        if item.id not in known:
            per_person[person_id].append(_Slot(item.id, item.title, item.session, item.starts_at, item.ends_at))
    names = {p.id: p.display_name for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    warnings = []
    for person_id, person_slots in per_person.items():
        for a, b in _overlapping_pairs(person_slots):
            warnings.append(
                TimelineWarning(
                    "double_booked",
                    _(
                        "%(name)s is in “%(first)s” and “%(second)s” at the same time (%(time)s).",
                        name=names.get(person_id) or _("Someone"),
                        first=a.title,
                        second=b.title,
                        time=timeutil.format_range(max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at), zone),
                    ),
                    (a.item_id, b.item_id),
                )
            )
    return warnings


#: A session's times and location as an edit would leave them: session id to (starts_at, ends_at, location).
_SessionPlaces = dict[int, tuple[datetime, datetime, str]]


def session_room_clashes(
    session: EventSession, *, starts_at: datetime, ends_at: datetime, location: str | None, move_items: bool
) -> list[TimelineWarning]:
    """The room clashes that saving the session with these times and location would cause: the session's own
    room, and the rooms of its items (which move with it when `move_items`)."""
    shift = starts_at - session.starts_at if move_items else None
    slots = []
    for each in session.event.sessions:
        for item in each.items:
            start, end = item.starts_at, item.ends_at
            if each.id == session.id and shift:
                start, end = start + shift, end + shift
            slots.append(_Slot(item.id, item.title, each, start, end, location=item.location or ""))
    places = {session.id: (starts_at, ends_at, location or "")}
    own_items = {item.id for item in session.items}
    return [
        w
        for w in _room_clashes(session.event, slots, session.event.timezone, places)
        if session.id in w.session_ids or own_items.intersection(w.item_ids)
    ]


#: Stands for the session being added in its room clashes (no session has id 0).
NEW_SESSION = 0


def new_session_room_clashes(
    event: Event, *, title: str, starts_at: datetime, ends_at: datetime, location: str | None
) -> list[TimelineWarning]:
    """The room clashes that adding a session with these times and location to the event would cause."""
    if not room_key(location or ""):
        return []
    slots = [
        _Slot(item.id, item.title, each, item.starts_at, item.ends_at, location=item.location or "")
        for each in event.sessions
        for item in each.items
    ]
    new = _Booking(
        (location or "").strip(), _("the new session “%(title)s”", title=title), NEW_SESSION, None, starts_at, ends_at
    )
    return [w for w in _room_clashes(event, slots, event.timezone, extra=[new]) if NEW_SESSION in w.session_ids]


def _bookings(event: Event, slots: list[_Slot], places: _SessionPlaces) -> list[_Booking]:
    """The rooms taken: each session with a location for its whole time, and each item held in another room
    than its session's (an item without a location is in its session's room). Cancelled sessions free theirs."""
    bookings = []
    for session in event.sessions:
        starts_at, ends_at, location = places.get(session.id, (session.starts_at, session.ends_at, session.location))
        if not session.is_cancelled and room_key(location):
            bookings.append(
                _Booking(
                    location.strip(),
                    _("the session “%(title)s”", title=session.title),
                    session.id,
                    None,
                    starts_at,
                    ends_at,
                )
            )
    for slot in slots:
        room = room_key(slot.location)
        session_location = places.get(slot.session.id, (None, None, slot.session.location))[2]
        if slot.session.is_cancelled or not room or room == room_key(session_location):
            continue
        bookings.append(
            _Booking(
                slot.location.strip(), f"“{slot.title}”", slot.session.id, slot.item_id, slot.starts_at, slot.ends_at
            )
        )
    return bookings


def _room_clashes(
    event: Event,
    slots: list[_Slot],
    zone: str,
    places: _SessionPlaces | None = None,
    extra: list[_Booking] | None = None,
) -> list[TimelineWarning]:
    """Two sessions, or items of two sessions, in the same room at overlapping times. Items of one session that
    overlap are already warned as an overlap, so only bookings of different sessions clash."""
    by_room: dict[str, list[_Booking]] = defaultdict(list)
    for booking in _bookings(event, slots, places or {}) + (extra or []):
        by_room[room_key(booking.room)].append(booking)
    warnings = []
    for bookings in by_room.values():
        ordered = sorted(bookings, key=lambda b: (b.starts_at, b.session_id, b.item_id or 0))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if b.starts_at >= a.ends_at:
                    break
                if a.session_id == b.session_id:
                    continue
                warnings.append(
                    TimelineWarning(
                        "room_clash",
                        _(
                            "%(first)s (%(first_time)s) and %(second)s (%(second_time)s) are both in “%(room)s” at "
                            "the same time.",
                            first=f"{a.label[0].upper()}{a.label[1:]}",
                            first_time=timeutil.format_range(a.starts_at, a.ends_at, zone),
                            second=b.label,
                            second_time=timeutil.format_range(b.starts_at, b.ends_at, zone),
                            room=a.room,
                        ),
                        tuple(x.item_id for x in (a, b) if x.item_id is not None),
                        tuple(x.session_id for x in (a, b) if x.item_id is None),
                    )
                )
    return warnings
