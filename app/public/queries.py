"""Read queries for the public pages and feeds: what a visitor may see, loaded in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.i18n import surname_key
from app.models import AgendaItem, Appearance, Event, EventSession, EventStatus, Person, Role


def upcoming_events(*, today: date) -> list[Event]:
    """Published and cancelled events that have not ended yet; drafts never show."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.status != EventStatus.DRAFT, Event.ends_on >= today)
            .order_by(Event.starts_on, Event.id)
        )
    )


_EVENTS_VERSION_SQL = text(
    """
SELECT count(e.id), max(e.updated_at),
       sum(e.id * CASE e.status WHEN 'published' THEN 1 WHEN 'cancelled' THEN 2 ELSE 3 END)
  FROM events e
"""
)


def events_version() -> tuple:
    """A fingerprint of the events table, which is all the list of upcoming events shows."""
    return tuple(db.session.execute(_EVENTS_VERSION_SQL).one())


def _agenda_options():
    sessions = selectinload(Event.sessions)
    return (
        sessions.joinedload(EventSession.follows_up_item),
        sessions.selectinload(EventSession.items)
        .selectinload(AgendaItem.appearances)
        .joinedload(Appearance.person, innerjoin=True),
    )


def public_event(slug: str) -> Event | None:
    """The event with its whole agenda (sessions, items, people) in four queries, whatever its size.

    None for unknown slugs and drafts: a draft is not public anywhere.
    """
    return db.session.scalar(
        select(Event).where(Event.slug == slug, Event.status != EventStatus.DRAFT).options(*_agenda_options())
    )


def find_session(event: Event, session_id: int) -> EventSession | None:
    return next((s for s in event.sessions if s.id == session_id), None)


def find_item(event: Event, item_id: int) -> AgendaItem | None:
    return next((i for s in event.sessions for i in s.items if i.id == item_id), None)


@dataclass(frozen=True)
class Slot:
    """One appearance of a person, with the item and session it belongs to."""

    appearance: Appearance
    item: AgendaItem
    session: EventSession


@dataclass
class Speaker:
    """A person on the event's agenda and their slots, in agenda order."""

    person: Person
    slots: list[Slot]


def event_speakers(event: Event) -> list[Speaker]:
    """Everyone who appears on the agenda, by surname, from the already loaded agenda (no query)."""
    by_person: dict[int, Speaker] = {}
    for session in event.sessions:
        for item in session.items:
            for appearance in item.appearances:
                speaker = by_person.setdefault(appearance.person_id, Speaker(appearance.person, []))
                speaker.slots.append(Slot(appearance, item, session))
    # Unicode collation order ("Škarnulis" before "Tangney"), not character codes.
    return sorted(by_person.values(), key=lambda s: (*surname_key(s.person.name), s.person.id))


def find_speaker(event: Event, person_id: int) -> Speaker | None:
    return next((s for s in event_speakers(event) if s.person.id == person_id), None)


def last_change(event: Event) -> datetime:
    """When the agenda's items or people last changed, from the loaded agenda: the feeds' DTSTAMP.

    Sessions are left out: their row also changes with every seat taken, which says nothing new to a
    calendar, and would otherwise change the feed's bytes (and ETag) at every registration.
    """
    stamps = [event.updated_at]
    for session in event.sessions:
        for item in session.items:
            stamps.append(item.updated_at)
            stamps.extend(a.person.updated_at for a in item.appearances)
    return max(stamps)


#: One round trip that changes whenever anything the public agenda shows changes: the event row, the
#: sessions, items and appearances (counts, last updated_at, versions, checksums of ids, roles and order),
#: the people on it and its materials (which of them are public). Plain SQL, so that building it costs
#: nothing on the hot path.
_AGENDA_VERSION_SQL = text(
    f"""
SELECT 0, e.id, e.updated_at, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
  FROM events e WHERE e.slug = :slug AND e.status != 'draft'
UNION ALL
SELECT 1, count(s.id), max(s.updated_at), sum(s.version), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
  FROM events e JOIN event_sessions s ON s.event_id = e.id WHERE e.slug = :slug
UNION ALL
SELECT 2, count(i.id), max(i.updated_at), sum(i.version), sum(i.id * (i.position + 1)), CAST(NULL AS BIGINT)
  FROM events e JOIN event_sessions s ON s.event_id = e.id JOIN agenda_items i ON i.session_id = s.id
 WHERE e.slug = :slug
UNION ALL
SELECT 3, count(a.id), max(p.updated_at), sum(a.id * (a.position + 1)),
       sum(a.id * {Role.sql_number("a.role")}),
       sum(a.id * a.person_id)
  FROM events e JOIN event_sessions s ON s.event_id = e.id JOIN agenda_items i ON i.session_id = s.id
  JOIN appearances a ON a.item_id = i.id JOIN people p ON p.id = a.person_id
 WHERE e.slug = :slug
UNION ALL
SELECT 4, count(m.id), max(m.updated_at), sum(m.id * CASE m.visibility WHEN 'public' THEN 1 ELSE 2 END),
       CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
  FROM events e JOIN materials m ON m.event_id = e.id WHERE e.slug = :slug
"""
)


def agenda_version(slug: str) -> tuple | None:
    """A fingerprint of everything the public agenda of `slug` shows; None for unknown slugs and drafts.

    A page or feed rendered for one fingerprint can be served again until the fingerprint changes.
    """
    rows = sorted(tuple(row) for row in db.session.execute(_AGENDA_VERSION_SQL, {"slug": slug}))
    if not rows or rows[0][0] != 0:
        return None
    return tuple(rows)


def has_materials(version: tuple) -> bool:
    """Whether the event of an agenda version (`agenda_version`) has any material, public or not."""
    return any(row[0] == 4 and row[1] for row in version)
