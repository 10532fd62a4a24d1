"""Plain builders for test data: obvious defaults, every field overridable, committed."""

import io
from datetime import UTC, date, datetime, timedelta
from itertools import count

from app.extensions import db
from app.materials import checks, services, storage
from app.models import (
    AgendaItem,
    Appearance,
    AttendeeGroup,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Material,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    Speaker,
)
from app.models.base import utcnow
from app.security import hash_token
from tests.material_samples import pdf

_seq = count(1)
#: A fixed day well in the future, so nothing is "past" by accident.
DAY = date(2030, 10, 30)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A UTC datetime on the test day."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _save(obj):
    db.session.add(obj)
    db.session.commit()
    return obj


def make_event(**fields) -> Event:
    n = next(_seq)
    values = dict(
        slug=f"event-{n}",
        title=f"Exchange Event {n}",
        venue="Brussels",
        timezone="Europe/Brussels",
        starts_on=DAY,
        ends_on=DAY,
        status=EventStatus.PUBLISHED,
        contact_name="MPF Team",
        contact_email="mpf@example.org",
    )
    values.update(fields)
    return _save(Event(**values))


def make_session(event: Event | None = None, **fields) -> EventSession:
    values = dict(title=f"Session {next(_seq)}", starts_at=at(8), ends_at=at(12))
    values.update(fields)
    return _save(EventSession(event=event or make_event(), **values))


def make_online_session(event: Event | None = None, **fields) -> EventSession:
    """An open online session with a capacity, like the report's 30 October follow-up."""
    values = dict(
        title="Looking Ahead: online follow-up session",
        starts_at=at(8),
        ends_at=at(9, 30),
        is_online=True,
        join_url="https://meet.example.org/looking-ahead",
        registration_enabled=True,
        capacity=10,
        waitlist_enabled=True,
        registration_opens_at=at(0, day=DAY - timedelta(days=60)),
        registration_closes_at=at(8),
    )
    values.update(fields)
    return make_session(event, **values)


def make_item(session: EventSession | None = None, **fields) -> AgendaItem:
    session = session or make_session()
    values = dict(
        title=f"Item {next(_seq)}",
        kind=ItemKind.PRESENTATION,
        starts_at=session.starts_at,
        ends_at=session.starts_at + timedelta(minutes=30),
    )
    values.update(fields)
    return _save(AgendaItem(session=session, **values))


def make_person(event: Event, **fields) -> Person:
    """A person of `event`'s programme (people belong to one event); emails are stored lower-case."""
    n = next(_seq)
    values = dict(
        honorific="Ms",
        name=f"Person {n}",
        position="Project Manager",
        organisation="ICMPD",
        email=f"person{n}@example.org",
    )
    values.update(fields)
    if values["email"]:
        values["email"] = values["email"].strip().lower()
    return _save(Person(event=event, **values))


def make_appearance(item: AgendaItem, person: Person | None = None, **fields) -> Appearance:
    """The person (by default a new one of the item's event) in the item; they must be of the item's event."""
    event = item.session.event
    person = person or make_person(event)
    assert person.event_id == event.id, "a person appears only in their own event's items"
    values = dict(role=Role.SPEAKER, position=len(item.appearances))
    values.update(fields)
    return _save(Appearance(item=item, person=person, **values))


def make_speaker(email: str, **fields) -> Speaker:
    """The speaker row of an address (normally made when a sign-in link is first sent)."""
    return _save(Speaker(email=email.strip().lower(), **fields))


def make_registration(session: EventSession, token: str | None = None, **fields) -> Registration:
    """A registration stored directly (no seat accounting): use the services to test the rules."""
    n = next(_seq)
    email = fields.pop("email", f"attendee{n}@example.com")
    values = dict(
        full_name=f"Attendee {n}",
        email=email,
        email_normalised=email.lower(),
        organisation="Ministry of Interior",
        group=AttendeeGroup.PARTNER_COUNTRY,
        consent_version="2026-11",
        status=RegistrationStatus.CONFIRMED,
        manage_token_hash=hash_token(token or f"token-{n}"),
    )
    values.update(fields)
    return _save(Registration(session=session, **values))


def make_material(
    session: EventSession,
    item: AgendaItem | None = None,
    *,
    by,
    visibility: str = "public",
    data: bytes | None = None,
    name: str = "slides.pdf",
) -> Material:
    """A material stored as an upload stores it (checked by content, written to MATERIALS_DIR, recorded, committed);
    by default a small PDF."""
    data = data if data is not None else pdf()
    checked = checks.check_file(io.BytesIO(data), name, max_bytes=services.max_bytes())
    stored = storage.write(io.BytesIO(data), checked.kind)
    material = services.add_material(
        session, item=item, checked=checked, stored_name=stored, visibility=visibility, by=by, now=utcnow()
    )
    db.session.commit()
    return material
