"""Load the MPF Exchange Event demo from its YAML data file."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from app import timeutil
from app.activity import Actor, CommandActor, record
from app.extensions import db
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Note,
    NoteRevision,
    Organiser,
    Person,
    Role,
    Typology,
)
from app.security import hash_password
from app.text import normalise_email

DEMO_FILE = Path(__file__).parent / "data" / "mpf-exchange-event.yaml"
#: The exchange event is held this many days before the online follow-up.
DAYS_BEFORE_FOLLOW_UP = 16


@dataclass
class DemoResult:
    event: Event
    created: bool


def demo_dates(today: date) -> tuple[date, date]:
    """The exchange event's day and the follow-up's: the next 30 October whose event day is still ahead."""
    follow_up = date(today.year, 10, 30)
    while follow_up - timedelta(days=DAYS_BEFORE_FOLLOW_UP) <= today:
        follow_up = date(follow_up.year + 1, 10, 30)
    return follow_up - timedelta(days=DAYS_BEFORE_FOLLOW_UP), follow_up


def load_demo(
    *, today: date, now: datetime, path: Path = DEMO_FILE, by: Actor = CommandActor("flask demo load")
) -> DemoResult:
    """Create the demo event once; when its slug already exists nothing changes."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    existing = db.session.scalar(select(Event).where(Event.slug == data["slug"]))
    if existing is not None:
        return DemoResult(existing, created=False)

    event_day, follow_up_day = demo_dates(today)
    days = {"event": event_day, "follow_up": follow_up_day}
    tz = data["timezone"]
    event = Event(
        slug=data["slug"],
        title=data["title"],
        description=data.get("description", ""),
        title_fr=data.get("title_fr"),
        description_fr=data.get("description_fr"),
        venue=data.get("venue", ""),
        timezone=tz,
        starts_on=event_day,
        ends_on=follow_up_day,
        status=EventStatus.PUBLISHED,
        contact_name=data.get("contact_name", ""),
        contact_email=data.get("contact_email", ""),
        typologies_published=data.get("typologies_published", False),
    )
    db.session.add(event)
    people = _event_people(event, data["people"])
    if "organiser" in data:
        event.organisers.append(_demo_organiser(data["organiser"]))
    items_by_key: dict[str, AgendaItem] = {}
    sessions_by_key: dict[str, EventSession] = {}
    for session_data in data["sessions"]:
        day = days[session_data["day"]]
        session = EventSession(
            event=event,
            title=session_data["title"],
            description=session_data.get("description", ""),
            title_fr=session_data.get("title_fr"),
            description_fr=session_data.get("description_fr"),
            starts_at=_at(day, session_data["starts"], tz),
            ends_at=_at(day, session_data["ends"], tz),
            location=session_data.get("location", ""),
            is_online=session_data.get("online", False),
            join_url=session_data.get("join_url"),
        )
        db.session.add(session)
        if "key" in session_data:
            sessions_by_key[session_data["key"]] = session
        registration = session_data.get("registration")
        if registration:
            session.registration_enabled = True
            session.capacity = registration["capacity"]
            session.waitlist_enabled = registration.get("waitlist", True)
            session.registration_opens_at = now
            session.registration_closes_at = session.starts_at
        if "follows_up" in session_data:
            session.follows_up_item = items_by_key[session_data["follows_up"]]
        for position, item_data in enumerate(session_data.get("items", [])):
            item = AgendaItem(
                session=session,
                title=item_data["title"],
                title_fr=item_data.get("title_fr"),
                description_fr=item_data.get("description_fr"),
                kind=ItemKind(item_data["kind"]),
                starts_at=_at(day, item_data["starts"], tz),
                ends_at=_at(day, item_data["ends"], tz),
                description=item_data.get("description", ""),
                typology=item_data.get("typology"),
                position=position,
            )
            db.session.add(item)
            for order, appearance in enumerate(item_data.get("people", [])):
                db.session.add(
                    Appearance(
                        item=item, person=people[appearance["person"]], role=Role(appearance["role"]), position=order
                    )
                )
            if "key" in item_data:
                items_by_key[item_data["key"]] = item
    _typologies(event, data.get("typologies", []), items_by_key)
    _notes(data.get("notes", {}), items_by_key, sessions_by_key, now=now)
    record(by=by, event=event, action="event.loaded", summary="Loaded the demo event from its data file.", now=now)
    return DemoResult(event, created=True)


def _typologies(event: Event, typologies: list, items: dict[str, AgendaItem]) -> None:
    """The event's classification, each category with the projects (presentations) placed in it."""
    for position, fields in enumerate(typologies):
        typology = Typology(
            event=event,
            name=fields["name"],
            name_fr=fields.get("name_fr"),
            description=fields.get("description", ""),
            description_fr=fields.get("description_fr"),
            position=position,
        )
        typology.items = [items[key] for key in fields.get("items", [])]
        db.session.add(typology)


def _notes(notes: dict, items: dict[str, AgendaItem], sessions: dict[str, EventSession], *, now: datetime) -> None:
    """Notes as a rapporteur would have written them, each with its first version in the history."""
    targets = [(items[k], None, body) for k, body in notes.get("items", {}).items()]
    targets += [(None, sessions[k], body) for k, body in notes.get("sessions", {}).items()]
    for item, session, body in targets:
        note = Note(item=item, session=session, body=body, version=1, updated_at=now)
        note.revisions = [NoteRevision(version=1, body=body, saved_at=now, saved_by_name="flask demo load")]
        db.session.add(note)


def _event_people(event: Event, people_data: dict) -> dict[str, Person]:
    """The event's own records of its people (people belong to one event's programme)."""
    people = {}
    for key, fields in people_data.items():
        values = dict(fields)
        if values.get("email"):
            values["email"] = normalise_email(values["email"])
        person = Person(event=event, **values)
        db.session.add(person)
        people[key] = person
    return people


def _demo_organiser(fields: dict) -> Organiser:
    organiser = db.session.scalar(select(Organiser).where(Organiser.email == fields["email"]))
    if organiser is None:
        organiser = Organiser(
            email=fields["email"], name=fields["name"], password_hash=hash_password(fields["password"])
        )
        db.session.add(organiser)
    return organiser


def _at(day: date, clock: str, zone_name: str) -> datetime:
    return timeutil.local_datetime(day, time.fromisoformat(clock), zone_name)
