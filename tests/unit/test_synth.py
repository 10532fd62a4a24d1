"""The synthetic event for load tests: the numbers asked for, consistent seats, reachable tokens, idempotent."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text

from app.demo.synth import feed_token, manage_token, refresh_statistics, synthesise_event
from app.extensions import db
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    Organiser,
    Person,
    Registration,
    RegistrationStatus,
    Speaker,
)
from app.security import hash_token
from tests.conftest import DATABASE_URL

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
FIRST_DAY = date(2027, 3, 1)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _small(**overrides):
    values = dict(slug="small", first_day=FIRST_DAY, now=NOW, items=12, sessions=3, people=5, registrations=7)
    values.update(overrides)
    return synthesise_event(**values)


def test_synthesise_event_creates_the_numbers_asked_for(app_context):
    result = _small()

    assert result.created is True
    assert _count(EventSession) == 3
    assert _count(AgendaItem) == 12
    assert _count(Person) == 5
    assert _count(Registration, Registration.status == RegistrationStatus.CONFIRMED) == 7
    assert [len(s.items) for s in result.event.sessions] == [4, 4, 4]


def test_synthesise_event_keeps_seats_taken_equal_to_confirmed_registrations(app_context):
    online = _small().online_session

    db.session.refresh(online)

    assert online.is_online is True
    assert online.registration_enabled is True
    assert online.seats_taken == 7
    assert online.capacity == 100
    assert online.seats_left == 93
    assert online.registration_closes_at == online.starts_at


def test_synthesise_event_puts_every_item_inside_its_session_in_order(app_context):
    event = _small().event

    for session in event.sessions:
        assert session.items[0].starts_at == session.starts_at
        assert session.items[-1].ends_at == session.ends_at
        for before, after in zip(session.items, session.items[1:], strict=False):
            assert before.ends_at == after.starts_at
    assert event.ends_on == date(2027, 3, 2)
    assert [s.starts_at.date() for s in event.sessions] == [date(2027, 3, 1), date(2027, 3, 1), date(2027, 3, 2)]


def test_synthesise_event_gives_panels_a_moderator_and_breaks_nobody(app_context):
    event = _small().event
    items = [item for session in event.sessions for item in session.items]

    panels = [i for i in items if i.kind == "panel"]
    breaks = [i for i in items if i.kind == "break"]

    assert [a.role for a in panels[0].appearances] == ["moderator", "panellist", "panellist", "panellist"]
    assert all(b.appearances == [] for b in breaks)
    assert _count(Appearance) == 19  # 12 items: 2 breaks, 3 panels of 4 people, 7 talks of 1


def test_synthesise_event_tokens_open_the_right_rows(app_context):
    _small()

    speaker = db.session.scalar(select(Speaker).where(Speaker.feed_token_hash == hash_token(feed_token("small", 2))))
    registration = db.session.scalar(
        select(Registration).where(Registration.manage_token_hash == hash_token(manage_token("small", 7)))
    )

    assert speaker.email == "speaker2@small.example.org"
    people = db.session.scalars(select(Person).where(Person.email == speaker.email)).all()
    assert [p.event.slug for p in people] == ["small"]
    assert registration.email == "attendee7@small.example.com"


def test_synthesise_event_twice_changes_nothing(app_context):
    first = _small()
    second = _small(items=50)

    assert second.created is False
    assert second.event.id == first.event.id
    assert _count(Event) == 1
    assert _count(AgendaItem) == 12
    assert _count(Organiser) == 1
    assert first.event.organisers[0].email == "organiser@small.example.org"


def test_demo_synth_command_prints_what_it_made(runner):
    result = runner.invoke(
        args=["demo", "synth", "--slug", "cli", "--items", "10", "--people", "4", "--registrations", "3"]
    )

    assert result.exit_code == 0
    assert result.output.startswith("Generated /events/cli/ (online session ")
    assert result.output.rstrip().endswith("organiser organiser@cli.example.org).")


@pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="planner statistics of PostgreSQL")
def test_refresh_statistics_tells_postgresqls_planner_how_many_rows_were_loaded(app_context):
    _small(registrations=40)
    db.session.commit()

    refresh_statistics()

    estimate = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'registrations'"))
    assert estimate == 40
