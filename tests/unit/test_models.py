"""The rules the database itself holds (CHECK, UNIQUE, ON DELETE) and the models' small properties.

Run on SQLite by default and on PostgreSQL with TEST_DATABASE_URL: both must refuse the same rows.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError

from app.extensions import db
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    Person,
    RegistrationStatus,
    Role,
)
from tests.factories import (
    DAY,
    at,
    make_appearance,
    make_event,
    make_item,
    make_person,
    make_registration,
    make_session,
)


def refused(change) -> str:
    """Run `change` and commit; return the database's error message (lower case) after rolling back."""
    with pytest.raises(IntegrityError) as error:
        change()
        db.session.commit()
    db.session.rollback()
    return str(error.value.orig).lower()


def unique_violation(constraint: str, sqlite_columns: str) -> str:
    """What each database names in a unique violation: PostgreSQL the constraint, SQLite the columns."""
    return constraint if db.engine.dialect.name == "postgresql" else sqlite_columns


def test_an_event_cannot_end_before_it_starts(app_context):
    event = make_event()

    message = refused(lambda: setattr(event, "ends_on", event.starts_on - timedelta(days=1)))

    assert "ck_events_ends_after_starts" in message


def test_a_session_must_end_after_it_starts(app_context):
    session = make_session()

    message = refused(lambda: setattr(session, "ends_at", session.starts_at))

    assert "ck_event_sessions_ends_after_starts" in message


def test_an_agenda_item_must_end_after_it_starts(app_context):
    item = make_item()

    message = refused(lambda: setattr(item, "ends_at", item.starts_at - timedelta(minutes=1)))

    assert "ck_agenda_items_ends_after_starts" in message


def test_seats_taken_may_reach_but_never_pass_the_capacity(app_context):
    session = make_session(capacity=2, seats_taken=2)

    message = refused(lambda: setattr(session, "seats_taken", 3))

    assert "ck_event_sessions_seats_within_capacity" in message
    assert db.session.get(EventSession, session.id).seats_taken == 2


def test_a_session_without_capacity_takes_any_number_of_seats(app_context):
    session = make_session(capacity=None, seats_taken=5000)

    assert (session.seats_taken, session.seats_left) == (5000, None)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"seats_taken": -1}, "ck_event_sessions_seats_taken_not_negative"),
        # A negative capacity also breaks seats-within-capacity; either name is a refusal for the right reason.
        ({"capacity": -1}, "ck_event_sessions_capacity_not_negative|ck_event_sessions_seats_within_capacity"),
        (
            {"registration_opens_at": at(10), "registration_closes_at": at(9)},
            "ck_event_sessions_registration_window_ordered",
        ),
    ],
)
def test_session_counts_and_registration_window_are_checked(app_context, fields, constraint):
    event = make_event()

    message = refused(
        lambda: db.session.add(EventSession(event=event, title="S", starts_at=at(8), ends_at=at(9), **fields))
    )

    assert any(name in message for name in constraint.split("|"))


@pytest.mark.parametrize(
    ("table", "column", "valid"),
    [
        ("events", "status", "published"),
        ("event_sessions", "status", "cancelled"),
        ("agenda_items", "kind", "panel"),
        ("appearances", "role", "moderator"),
        ("appearances", "response", "declined"),
        ("registrations", "status", "waitlisted"),
        ("registrations", "group", "eu_service"),
    ],
)
def test_enum_columns_accept_their_values_and_the_database_refuses_others(app_context, table, column, valid):
    item = make_item()
    make_appearance(item)
    make_registration(item.session)
    quoted = f'"{column}"'

    db.session.execute(text(f"UPDATE {table} SET {quoted} = :value"), {"value": valid})
    db.session.commit()
    message = refused(lambda: db.session.execute(text(f"UPDATE {table} SET {quoted} = 'bogus'")))

    assert "check constraint" in message or "constraint failed" in message
    assert db.session.execute(text(f"SELECT DISTINCT {quoted} FROM {table}")).scalars().all() == [valid]


def test_the_models_refuse_an_unknown_enum_value_before_the_database_sees_it(app_context):
    session = make_session()

    with pytest.raises(StatementError) as error:
        db.session.execute(update(EventSession).where(EventSession.id == session.id).values(status="postponed"))
    db.session.rollback()

    assert "postponed" in str(error.value)


def test_a_person_appears_at_most_once_in_an_item(app_context):
    item = make_item()
    person = make_person(item.session.event)
    make_appearance(item, person, role=Role.SPEAKER)

    message = refused(lambda: db.session.add(Appearance(item=item, person=person, role=Role.MODERATOR)))

    assert unique_violation("one_role_per_item", "appearances.item_id, appearances.person_id") in message
    assert [a.role for a in db.session.scalars(select(Appearance))] == [Role.SPEAKER]


def test_the_same_person_may_appear_in_several_items(app_context):
    session = make_session()
    person = make_person(session.event)
    first, second = make_item(session), make_item(session)

    make_appearance(first, person, role=Role.MODERATOR)
    make_appearance(second, person, role=Role.PANELLIST)

    assert sorted(a.role for a in person.appearances) == [Role.MODERATOR, Role.PANELLIST]


def test_one_active_registration_per_email_and_session_but_cancelled_ones_do_not_count(app_context):
    session = make_session()
    make_registration(session, email="ana@example.com", status=RegistrationStatus.CANCELLED)
    make_registration(session, email="ana@example.com")

    message = refused(lambda: make_registration(session, email="ANA@example.com", status=RegistrationStatus.WAITLISTED))

    assert (
        unique_violation("uq_registrations_active_email", "registrations.session_id, registrations.email_normalised")
        in message
    )
    assert (
        make_registration(make_session(session.event), email="ana@example.com").status == RegistrationStatus.CONFIRMED
    )


def test_a_registration_sequence_is_never_negative(app_context):
    registration = make_registration(make_session())

    assert "ck_registrations_sequence_not_negative" in refused(lambda: setattr(registration, "sequence", -1))


def test_naive_datetimes_are_refused(app_context):
    event = make_event()

    with pytest.raises(StatementError) as error:
        db.session.add(EventSession(event=event, title="S", starts_at=datetime(2030, 1, 1, 9), ends_at=at(10)))
        db.session.flush()
    db.session.rollback()

    assert "naive datetimes are refused" in str(error.value)


def test_datetimes_come_back_aware_in_utc(app_context):
    brussels = datetime(2030, 10, 30, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    session = make_session(starts_at=brussels, ends_at=brussels + timedelta(hours=1))
    session_id = session.id
    db.session.expunge_all()

    stored = db.session.get(EventSession, session_id)

    assert stored.starts_at == datetime(2030, 10, 30, 9, 0, tzinfo=UTC)
    assert stored.starts_at.utcoffset() == timedelta(0)


def test_deleting_an_event_deletes_its_sessions_items_appearances_and_people_but_not_other_events(app_context):
    event, other = make_event(), make_event()
    item = make_item(make_session(event))
    make_appearance(item, make_person(event, email="ana@example.org"))
    kept = make_person(other, email="ana@example.org")

    db.session.execute(delete(Event).where(Event.id == event.id))
    db.session.commit()

    counts = [db.session.scalar(select(db.func.count()).select_from(m)) for m in (EventSession, AgendaItem, Appearance)]
    assert counts == [0, 0, 0]
    assert db.session.scalars(select(Person.id)).all() == [kept.id]


def test_an_email_is_unique_within_an_event_but_not_across_events(app_context):
    event, other = make_event(), make_event()
    make_person(event, email="ana@example.org")
    make_person(other, email="ana@example.org")

    message = refused(lambda: make_person(event, email="ana@example.org"))

    assert unique_violation("one_email_per_event", "people.event_id, people.email") in message
    assert db.session.scalar(select(db.func.count()).select_from(Person)) == 2


def test_deleting_the_followed_up_item_leaves_the_follow_up_session_without_it(app_context):
    event = make_event()
    panel = make_item(make_session(event), title="Looking Ahead")
    follow_up = make_session(event, follows_up_item_id=panel.id)
    follow_up_id = follow_up.id

    db.session.execute(delete(AgendaItem).where(AgendaItem.id == panel.id))
    db.session.commit()
    db.session.expunge_all()

    assert db.session.get(EventSession, follow_up_id).follows_up_item_id is None


def test_seats_left_display_name_and_affiliation():
    session = EventSession(capacity=10, seats_taken=4)
    full = EventSession(capacity=3, seats_taken=3)
    hilaire = Person(
        honorific="Mr",
        name="Jean-Christophe Hilaire",
        position="Police Commander, Chief of Bureau",
        organisation="Ministry of Interior, France",
    )
    silfversten = Person(
        honorific="", name="Erik Silfversten", position="Assistant Director at RAND Europe", organisation="RAND Europe"
    )

    assert (session.seats_left, full.seats_left) == (6, 0)
    assert hilaire.display_name == "Mr Jean-Christophe Hilaire"
    assert hilaire.affiliation == "Police Commander, Chief of Bureau, Ministry of Interior, France"
    assert (silfversten.display_name, silfversten.affiliation) == (
        "Erik Silfversten",
        "Assistant Director at RAND Europe",
    )


def test_new_rows_get_their_defaults_from_callables(app_context):
    first, second = make_session(), make_session()

    assert first.uid != second.uid and len(first.uid) == 32
    assert (first.version, first.seats_taken, first.registration_enabled) == (0, 0, False)
    assert first.event.starts_on == DAY == date(2030, 10, 30)


def test_role_sql_number_gives_each_role_its_place_in_the_role_order_on_the_database(app_context):
    numbers = [db.session.scalar(text(f"SELECT {Role.sql_number(repr(role.value))}")) for role in Role]

    assert numbers == [1, 2, 3, 4]
    assert db.session.scalar(text(f"SELECT {Role.sql_number(repr('astronaut'))}")) == 5
