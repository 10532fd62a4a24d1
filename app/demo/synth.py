"""A large synthetic event for the benchmark and the drills, written with bulk inserts.

Tokens are derived from the slug so that the benchmark can build private URLs; never use synthetic
events for real people.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select, update

from app import timeutil
from app.activity import CommandActor, record
from app.extensions import db
from app.models import (
    AgendaItem,
    Appearance,
    AttendeeGroup,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Organiser,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    Speaker,
    new_uid,
)
from app.security import hash_password, hash_token

ZONE = "Europe/Brussels"
#: Kinds given to the items in turn; breaks get nobody on stage.
KINDS = [ItemKind.PRESENTATION, ItemKind.PANEL, ItemKind.PRESENTATION, ItemKind.DISCUSSION, ItemKind.BREAK]
GROUPS = list(AttendeeGroup)
SYNTH_PASSWORD = "synth-organiser-password"


@dataclass
class SynthResult:
    event: Event
    created: bool
    online_session: EventSession
    organiser_email: str


def feed_token(slug: str, person_number: int) -> str:
    """The private feed token of synthetic person n (1-based)."""
    return f"{slug}-feed-{person_number}"


def manage_token(slug: str, registration_number: int) -> str:
    """The private manage token of synthetic registration n (1-based)."""
    return f"{slug}-manage-{registration_number}"


def organiser_email(slug: str) -> str:
    return f"organiser@{slug}.example.org"


def synthesise_event(
    *,
    slug: str,
    first_day: date,
    now: datetime,
    items: int = 200,
    sessions: int = 5,
    people: int = 120,
    registrations: int = 3000,
    password: str = SYNTH_PASSWORD,
) -> SynthResult:
    """Create a published event of `sessions` sessions (the last one online, open, holding
    `registrations` confirmed registrations and room for as many again), `items` agenda items spread over
    the sessions, and `people` people appearing in them; when the slug exists nothing changes."""
    if sessions < 1:
        raise ValueError("at least one session is needed")
    existing = db.session.scalar(select(Event).where(Event.slug == slug))
    if existing is not None:
        return SynthResult(existing, False, existing.sessions[-1], organiser_email(slug))

    event = Event(
        slug=slug,
        title=f"Synthetic Exchange Event ({slug})",
        description="A large generated event for load tests.",
        venue="Brussels",
        timezone=ZONE,
        starts_on=first_day,
        ends_on=_online_day(first_day, sessions),
        status=EventStatus.PUBLISHED,
        contact_name="Synthetic organiser",
        contact_email=organiser_email(slug),
    )
    organiser = db.session.scalar(select(Organiser).where(Organiser.email == organiser_email(slug)))
    if organiser is None:
        organiser = Organiser(
            email=organiser_email(slug), name="Synthetic organiser", password_hash=hash_password(password)
        )
    event.organisers.append(organiser)
    db.session.add(event)
    event_sessions = [_session(event, number, sessions, first_day, registrations, now) for number in range(sessions)]
    db.session.add_all(event_sessions)
    db.session.flush()

    person_ids = _insert_people(event, slug, people, now)
    item_ids = _insert_items(event_sessions, items)
    _insert_appearances(item_ids, person_ids)
    online = event_sessions[-1]
    _insert_registrations(slug, online, registrations, now)
    summary = f"Generated the event for load tests: {items} items, {people} people, {registrations} registrations."
    record(by=CommandActor("flask demo synth"), event=event, action="event.generated", summary=summary, now=now)
    return SynthResult(event, True, online, organiser_email(slug))


def refresh_statistics() -> None:
    """Give PostgreSQL's planner the bulk-loaded rows at once (VACUUM ANALYZE), as one does after a bulk load.

    Until autovacuum comes by, the planner believes the 3,000 registrations are a handful: it sorts the
    whole session for a page of the organiser's list instead of walking the index, and counts without an
    index-only scan. SQLite's planner needs no statistics for these queries.
    """
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(
            "VACUUM (ANALYZE) registrations, agenda_items, appearances, people, speakers, event_sessions"
        )


def _online_day(first_day: date, sessions: int) -> date:
    """The day after the last in-person day (or the first day when the online session is the only one)."""
    return first_day + timedelta(days=(sessions - 2) // 2 + 1) if sessions > 1 else first_day


def _session(event: Event, number: int, count: int, first_day: date, registrations: int, now: datetime):
    """In-person sessions two a day (morning, afternoon); the last session is online the day after."""
    if number == count - 1:
        day = _online_day(first_day, count)
        starts, ends = time(10, 0), time(17, 0)
    else:
        day = first_day + timedelta(days=number // 2)
        starts, ends = (time(8, 0), time(12, 30)) if number % 2 == 0 else (time(13, 30), time(18, 0))
    session = EventSession(
        event=event,
        title=f"Session {number + 1}" if number < count - 1 else "Online follow-up session",
        description="Generated for load tests.",
        starts_at=timeutil.local_datetime(day, starts, ZONE),
        ends_at=timeutil.local_datetime(day, ends, ZONE),
        location="Room A" if number < count - 1 else "",
    )
    if number == count - 1:
        session.is_online = True
        session.join_url = "https://meet.example.org/synthetic"
        session.registration_enabled = True
        session.capacity = max(registrations * 2, 100)
        session.waitlist_enabled = True
        session.registration_opens_at = now
        session.registration_closes_at = session.starts_at
    return session


def _insert_people(event: Event, slug: str, count: int, now: datetime) -> list[int]:
    """The event's people, and a speaker row for each address holding the feed token the benchmark uses."""
    rows = [
        {
            "event_id": event.id,
            "honorific": ("Ms", "Mr", "Dr")[n % 3],
            "name": f"Speaker {n:03d}",
            "position": "Project Manager",
            "organisation": f"Organisation {n % 17 + 1}",
            "email": f"speaker{n}@{slug}.example.org",
            "bio": "A generated speaker.",
        }
        for n in range(1, count + 1)
    ]
    if not rows:
        return []
    speakers = [
        {
            "email": row["email"],
            "feed_token_hash": hash_token(feed_token(slug, n)),
            "session_version": 0,
            "created_at": now,
            "updated_at": now,
        }
        for n, row in enumerate(rows, start=1)
    ]
    db.session.execute(insert(Speaker), speakers)
    return list(db.session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), rows))


def _insert_items(event_sessions: list[EventSession], count: int) -> list[tuple[int, ItemKind]]:
    rows = []
    per_session = [
        count // len(event_sessions) + (1 if i < count % len(event_sessions) else 0) for i in range(len(event_sessions))
    ]
    number = 0
    for session, n_items in zip(event_sessions, per_session, strict=True):
        if not n_items:
            continue
        slot = (session.ends_at - session.starts_at) / n_items
        for position in range(n_items):
            kind = KINDS[number % len(KINDS)]
            starts = session.starts_at + slot * position
            rows.append(
                {
                    "session_id": session.id,
                    "title": f"{kind.label} {number + 1}",
                    "kind": kind,
                    "starts_at": starts,
                    "ends_at": starts + slot,
                    "description": "Generated item.",
                    "position": position,
                }
            )
            number += 1
    if not rows:
        return []
    ids = db.session.scalars(insert(AgendaItem).returning(AgendaItem.id, sort_by_parameter_order=True), rows)
    return list(zip(ids, (row["kind"] for row in rows), strict=True))


def _insert_appearances(items: list[tuple[int, ItemKind]], person_ids: list[int]) -> None:
    """Each talk gets one speaker, each panel a moderator and three panellists, people taken in turn."""
    if not person_ids:
        return
    rows = []
    turn = 0
    for item_id, kind in items:
        if kind == ItemKind.BREAK:
            continue
        roles = (
            [Role.MODERATOR, Role.PANELLIST, Role.PANELLIST, Role.PANELLIST]
            if kind == ItemKind.PANEL
            else [Role.SPEAKER]
        )
        chosen: list[int] = []
        for role in roles:
            person_id = person_ids[turn % len(person_ids)]
            turn += 1
            if person_id in chosen:
                continue
            chosen.append(person_id)
            rows.append(
                {
                    "item_id": item_id,
                    "person_id": person_id,
                    "role": role,
                    "position": len(chosen) - 1,
                    "uid": new_uid(),
                }
            )
    if rows:
        db.session.execute(insert(Appearance), rows)


def _insert_registrations(slug: str, session: EventSession, count: int, now: datetime) -> None:
    rows = [
        {
            "session_id": session.id,
            "full_name": f"Attendee {n:04d}",
            "email": f"attendee{n}@{slug}.example.com",
            "email_normalised": f"attendee{n}@{slug}.example.com",
            "organisation": f"Ministry {n % 40 + 1}",
            "group": GROUPS[n % len(GROUPS)],
            "question": "What comes next?" if n % 7 == 0 else "",
            "consent_version": "2026-11",
            "consented_at": now - timedelta(seconds=count - n),
            "status": RegistrationStatus.CONFIRMED,
            "confirmed_at": now - timedelta(seconds=count - n),
            "manage_token_hash": hash_token(manage_token(slug, n)),
            "uid": new_uid(),
            "created_at": now - timedelta(seconds=count - n),
            "updated_at": now - timedelta(seconds=count - n),
        }
        for n in range(1, count + 1)
    ]
    if rows:
        db.session.execute(insert(Registration), rows)
    db.session.execute(update(EventSession).where(EventSession.id == session.id).values(seats_taken=count))
