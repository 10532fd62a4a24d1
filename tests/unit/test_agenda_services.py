"""Agenda building: events, sessions, items, people, appearances and publishing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.agenda import services
from app.errors import CapacityTooLow, ValidationFailed
from app.extensions import db
from app.models import ActivityEntry, Event, EventSession, EventStatus, OutboxMessage, Role
from app.registration.services import register_attendee
from app.transaction import use_case
from tests.factories import DAY, at, make_appearance, make_item, make_online_session, make_person, make_session
from tests.http.conftest import make_organiser

NOW = datetime(2030, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def organiser(app_context):
    return make_organiser()


def _event(organiser, **fields) -> Event:
    values = dict(
        title="MPF Exchange Event",
        venue="Brussels",
        timezone="Europe/Brussels",
        starts_on=date(2030, 10, 14),
        ends_on=date(2030, 10, 30),
        contact_email="mpf@example.org",
    )
    values.update(fields)
    return services.create_event(by=organiser, now=NOW, **values)


# --- events and publishing ----------------------------------------------------------------------


def test_create_event_is_a_draft_managed_by_its_creator_with_a_slug_from_the_title(organiser):
    event = _event(organiser, title="MPF Exchange Event: Migração & Mobilidade")

    assert event.status == EventStatus.DRAFT
    assert event.slug == "mpf-exchange-event-migracao-mobilidade"
    assert event.organisers == [organiser]


def test_create_event_refuses_a_taken_slug_and_an_unknown_zone(organiser):
    with use_case():
        _event(organiser, slug="mpf")

    with pytest.raises(services.SlugTaken, match="“mpf”"), use_case():
        _event(organiser, slug="MPF")
    with pytest.raises(ValidationFailed, match="“Mars/Olympus” is not a time zone we know."), use_case():
        _event(organiser, slug="other", timezone="Mars/Olympus")
    assert db.session.scalars(select(Event.slug)).all() == ["mpf"]


def test_publish_event_needs_a_session_then_makes_it_published(organiser):
    event = _event(organiser)

    with pytest.raises(ValidationFailed, match="Add at least one session"):
        services.publish_event(event, by=organiser, now=NOW)
    make_session(event)
    services.publish_event(event, by=organiser, now=NOW)

    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED


# --- sessions -----------------------------------------------------------------------------------


def test_create_online_session_with_capacity_and_window(organiser):
    event = _event(organiser)

    session = services.create_session(
        event,
        by=organiser,
        now=NOW,
        title="Looking Ahead: online follow-up",
        starts_at=at(9),
        ends_at=at(10, 30),
        is_online=True,
        join_url="https://meet.example.org/x",
        registration_enabled=True,
        capacity=100,
        registration_opens_at=at(9) - timedelta(days=20),
        registration_closes_at=at(8),
    )

    assert (session.capacity, session.seats_taken, session.is_online) == (100, 0, True)
    assert session.join_url == "https://meet.example.org/x"


def test_create_session_refuses_an_open_online_session_without_join_link(organiser):
    event = _event(organiser)

    with pytest.raises(ValidationFailed, match="needs a join link"):
        services.create_session(
            event, by=organiser, now=NOW, title="Online", starts_at=at(9), ends_at=at(10),
            is_online=True, registration_enabled=True,
        )  # fmt: skip


def test_update_session_moves_its_items_with_it_when_asked(organiser):
    session = make_session(starts_at=at(8), ends_at=at(10))
    item = make_item(session, starts_at=at(8), ends_at=at(8, 30))

    services.update_session(session, by=organiser, now=NOW, starts_at=at(9), ends_at=at(11), move_items=True)

    assert (item.starts_at, item.ends_at, item.version) == (at(9), at(9, 30), 1)
    assert session.version == 1


def test_update_session_refuses_a_capacity_below_the_seats_taken(organiser):
    session = make_session(capacity=10, seats_taken=7, registration_enabled=True)

    with pytest.raises(CapacityTooLow, match="lower than the 7 seats already taken"), use_case():
        services.update_session(session, by=organiser, now=NOW, capacity=6)
    assert session.capacity == 10


def _outbox() -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.status).order_by(OutboxMessage.id)
    ).all()


def test_update_session_moved_relinked_and_below_its_seats_leaves_everything_as_it_was_and_queues_nothing(
    organiser,
):
    session = make_online_session(capacity=5)
    item = make_item(session, starts_at=at(8), ends_at=at(8, 30))
    make_appearance(item)
    registered = at(9, day=DAY - timedelta(days=10))
    for email in ("a@example.com", "b@example.com"):
        with use_case():
            register_attendee(session, full_name="Attendee", email=email, consent=True, now=registered)
    before = _outbox()

    # The move and the new link go through (with their invites) before the capacity breaks under the lock.
    with pytest.raises(CapacityTooLow, match="lower than the 2 seats already taken"), use_case():
        services.update_session(
            session, by=organiser, now=registered, starts_at=at(10), ends_at=at(11),
            join_url="https://meet.example.org/new-room", capacity=1,
        )  # fmt: skip

    assert _outbox() == before  # no invite queued, no reminder superseded
    session = db.session.get(EventSession, session.id)
    assert (session.starts_at, session.ends_at, session.join_url) == (
        at(8),
        at(9, 30),
        "https://meet.example.org/looking-ahead",
    )
    assert (session.capacity, session.seats_taken, session.version) == (5, 2, 0)
    assert (item.starts_at, item.version) == (at(8), 0)
    assert db.session.scalars(select(ActivityEntry.action).where(ActivityEntry.action.like("session.%"))).all() == []


def test_update_session_moved_and_relinked_sends_each_attendee_one_update_naming_both(organiser):
    session = make_online_session(capacity=5)
    registered = at(9, day=DAY - timedelta(days=10))
    for email in ("a@example.com", "b@example.com"):
        with use_case():
            register_attendee(session, full_name="Attendee", email=email, consent=True, now=registered)
    before = {row.id for row in _outbox()}

    with use_case():
        services.update_session(
            session, by=organiser, now=registered, starts_at=at(10), ends_at=at(11),
            join_url="https://meet.example.org/new-room",
        )  # fmt: skip

    updates = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "update").order_by(OutboxMessage.to_address)
    ).all()
    assert [(m.to_address, m.id in before) for m in updates] == [("a@example.com", False), ("b@example.com", False)]
    assert all("it moved from" in m.body_text and "The link to join online changed." in m.body_text for m in updates)
    session = db.session.get(EventSession, session.id)
    assert (session.starts_at, session.join_url) == (at(10), "https://meet.example.org/new-room")
    assert db.session.scalars(
        select(ActivityEntry.action).where(ActivityEntry.action.like("session.%")).order_by(ActivityEntry.id)
    ).all() == ["session.join_link_changed", "session.moved"]


# --- items: shifting and reordering -------------------------------------------------------------


def _three_items(session):
    return [
        make_item(session, title="Opening", starts_at=at(8), ends_at=at(8, 15), position=0),
        make_item(session, title="Presentation", starts_at=at(8, 15), ends_at=at(8, 45), position=1),
        make_item(session, title="Panel", starts_at=at(9), ends_at=at(10), position=2),
    ]


def test_update_item_with_shift_later_moves_the_later_items_by_as_much_as_its_end(organiser):
    opening, presentation, panel = _three_items(make_session(starts_at=at(8), ends_at=at(11)))

    services.update_item(opening, by=organiser, now=NOW, shift_later=True, ends_at=at(8, 25))

    assert (opening.starts_at, opening.ends_at) == (at(8), at(8, 25))
    assert (presentation.starts_at, presentation.ends_at) == (at(8, 25), at(8, 55))
    assert (panel.starts_at, panel.ends_at) == (at(9, 10), at(10, 10))
    assert [i.version for i in (opening, presentation, panel)] == [1, 1, 1]


def test_update_item_without_shift_later_leaves_the_others(organiser):
    opening, presentation, panel = _three_items(make_session(starts_at=at(8), ends_at=at(11)))

    services.update_item(opening, by=organiser, now=NOW, ends_at=at(8, 25), title="Opening remarks")

    assert opening.title == "Opening remarks"
    assert (presentation.starts_at, panel.starts_at) == (at(8, 15), at(9))
    assert (presentation.version, panel.version) == (0, 0)


def test_reorder_item_swaps_neighbours_keeping_lengths_gap_and_the_block_end(organiser):
    opening, presentation, panel = _three_items(make_session(starts_at=at(8), ends_at=at(11)))

    with use_case():
        services.reorder_item(panel, "up", by=organiser, now=NOW)

    # The panel (60 min) now starts where the presentation did; the 15-minute gap stays; the pair ends at 10:00.
    assert (panel.starts_at, panel.ends_at) == (at(8, 15), at(9, 15))
    assert (presentation.starts_at, presentation.ends_at) == (at(9, 30), at(10))
    assert (opening.starts_at, opening.version) == (at(8), 0)
    assert [i.title for i in panel.session.items] == ["Opening", "Panel", "Presentation"]


def test_reorder_item_past_the_end_is_refused(organiser):
    opening, _, panel = _three_items(make_session(starts_at=at(8), ends_at=at(11)))

    with pytest.raises(ValidationFailed, match="cannot move further"):
        services.reorder_item(opening, "up", by=organiser, now=NOW)
    with pytest.raises(ValidationFailed, match="cannot move further"):
        services.reorder_item(panel, "down", by=organiser, now=NOW)


def test_create_item_refuses_an_end_before_the_start(organiser):
    session = make_session()

    with pytest.raises(ValidationFailed, match="must end after it starts"), use_case():
        services.create_item(session, by=organiser, now=NOW, title="Oops", starts_at=at(9), ends_at=at(9))
    assert session.items == []


# --- people and appearances ---------------------------------------------------------------------


def test_create_person_normalises_email_and_refuses_a_duplicate_in_the_same_event(organiser):
    event = _event(organiser)
    person = services.create_person(
        event, by=organiser, now=NOW, honorific="Dr", name="Ana Silva", email=" Ana@Example.org"
    )

    assert (person.email, person.event_id) == ("ana@example.org", event.id)
    with pytest.raises(ValidationFailed, match="in this event already has the email ana@example.org"):
        services.create_person(event, by=organiser, now=NOW, name="Someone Else", email="ana@example.org")
    other = services.create_person(
        _event(organiser, title="Other"), by=organiser, now=NOW, name="Ana", email="ana@example.org"
    )
    assert other.id != person.id


def test_add_appearance_orders_people_and_refuses_the_same_person_twice(organiser):
    item = make_item(make_session())
    event = item.session.event
    moderator, panellist = make_person(event, name="Mod"), make_person(event, name="Pan")

    services.add_appearance(item, moderator, Role.MODERATOR, by=organiser, now=NOW)
    services.add_appearance(item, panellist, Role.PANELLIST, by=organiser, now=NOW)

    assert [(a.person.name, a.role, a.position) for a in item.appearances] == [
        ("Mod", Role.MODERATOR, 0),
        ("Pan", Role.PANELLIST, 1),
    ]
    with pytest.raises(ValidationFailed, match="Mod is already in"):
        services.add_appearance(item, moderator, Role.SPEAKER, by=organiser, now=NOW)
