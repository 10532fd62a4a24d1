"""Timeline checks: items that overlap in their session, lie outside it, or need a person in two places at once.

They are warnings, computed before saving so that the organiser can look and confirm; they are not errors,
because real agendas sometimes overlap on purpose (a moderator who also gives the opening remarks).
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app import timeutil
from app.extensions import db
from app.models import AgendaItem, Appearance, Event, EventSession, Person

#: The id given to an item that is not saved yet, in previews.
NEW_ITEM = 0


@dataclass(frozen=True)
class TimelineWarning:
    """A problem in the timeline, fit to show to the organiser."""

    kind: str  # overlap, outside_session, double_booked
    message: str
    item_ids: tuple[int, ...]


@dataclass
class _Slot:
    item_id: int
    title: str
    session: EventSession
    starts_at: datetime
    ends_at: datetime
    person_ids: set[int] = field(default_factory=set)


def check_timeline(
    event: Event,
    *,
    changes: dict[int, tuple[datetime, datetime]] | None = None,
    new_item: dict | None = None,
    add_people: dict[int, set[int]] | None = None,
) -> list[TimelineWarning]:
    """Warnings for the event's timeline as it is, or as it would be after `changes` (item id to new times)
    and with `new_item` (session, title, starts_at, ends_at, person_ids) added. With changes or a new item,
    only the warnings that involve them are returned: those are the ones the organiser is about to cause."""
    changes = changes or {}
    slots: list[_Slot] = []
    for session in event.sessions:
        for item in session.items:
            start, end = changes.get(item.id, (item.starts_at, item.ends_at))
            person_ids = {a.person_id for a in item.appearances} | (add_people or {}).get(item.id, set())
            slots.append(_Slot(item.id, item.title, session, start, end, person_ids))
    if new_item is not None:
        slots.append(
            _Slot(
                NEW_ITEM,
                new_item["title"],
                new_item["session"],
                new_item["starts_at"],
                new_item["ends_at"],
                set(new_item.get("person_ids", ())),
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
                    f"“{slot.title}” ({timeutil.format_range(slot.starts_at, slot.ends_at, zone)}) lies outside "
                    f"its session “{session.title}” "
                    f"({timeutil.format_range(session.starts_at, session.ends_at, zone)}).",
                    (slot.item_id,),
                )
            )
    for session_slots in by_session.values():
        for a, b in _overlapping_pairs(session_slots):
            warnings.append(
                TimelineWarning(
                    "overlap",
                    f"“{a.title}” ({timeutil.format_range(a.starts_at, a.ends_at, zone)}) and “{b.title}” "
                    f"({timeutil.format_range(b.starts_at, b.ends_at, zone)}) overlap in “{a.session.title}”.",
                    (a.item_id, b.item_id),
                )
            )
    warnings.extend(_double_bookings(slots, zone))
    if changes or new_item is not None:
        touched = set(changes) | ({NEW_ITEM} if new_item is not None else set())
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
                    f"{names.get(person_id, 'Someone')} is in “{a.title}” and “{b.title}” at the same time "
                    f"({timeutil.format_range(max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at), zone)}).",
                    (a.item_id, b.item_id),
                )
            )
    return warnings
