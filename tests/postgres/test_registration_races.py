"""Races that only PostgreSQL shows: many registrations at once never overbook and never double-send."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from app.errors import AlreadyRegistered
from app.extensions import db
from app.models import EventSession, OutboxMessage, Registration, RegistrationStatus
from app.registration.services import register_attendee, waitlist_place
from app.transaction import use_case
from tests.conftest import DATABASE_URL
from tests.factories import DAY, at, make_online_session

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgresql"),
        reason="row-lock races need PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...",
    ),
]

NOW = at(9, day=DAY - timedelta(days=10))


def run_concurrently(app, session_id: int, emails: list[str]) -> list[object]:
    """Each email registers from its own thread, app context and database connection, all at once."""
    outcomes: list[object] = [None] * len(emails)
    start = threading.Barrier(len(emails))
    # End the caller's transaction: on SQLite even a read holds the write lock (BEGIN IMMEDIATE).
    db.session.commit()

    def register(index: int, email: str) -> None:
        with app.app_context():
            try:
                start.wait()
                session = db.session.get(EventSession, session_id)
                with use_case():
                    outcomes[index] = register_attendee(
                        session, full_name=f"Attendee {index}", email=email, group="other", consent=True, now=NOW
                    )
            except Exception as error:  # kept and asserted on in the main thread (the use case rolled back)
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(i, e)) for i, e in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def test_sixty_concurrent_registrations_for_ten_seats_confirm_ten_and_waitlist_fifty_in_order(app, app_context):
    session_id = make_online_session(capacity=10).id

    outcomes = run_concurrently(app, session_id, [f"person{n}@example.com" for n in range(60)])

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    db.session.expire_all()
    registrations = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    statuses = [r.status for r in registrations]
    # Seats go to the first ten through the lock, the rest queue behind them in the same order.
    assert statuses == [RegistrationStatus.CONFIRMED] * 10 + [RegistrationStatus.WAITLISTED] * 50
    assert [waitlist_place(r) for r in registrations[10:]] == list(range(1, 51))
    assert db.session.get(EventSession, session_id).seats_taken == 10
    kinds = Counter(db.session.scalars(select(OutboxMessage.kind)))
    assert (kinds["confirmation"], kinds["waitlisted"]) == (10, 50)


def test_ten_identical_concurrent_submissions_make_one_registration_and_one_email(app, app_context):
    session_id = make_online_session(capacity=10).id

    outcomes = run_concurrently(app, session_id, ["amina@example.com"] * 10)

    assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyRegistered) for o in outcomes) == 9
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    immediate = db.session.scalars(select(OutboxMessage.kind).where(~OutboxMessage.kind.startswith("reminder"))).all()
    assert immediate == ["confirmation"]
    assert db.session.get(EventSession, session_id).seats_taken == 1


def test_a_confirmation_shows_the_session_as_the_lock_found_it_when_it_moved_just_before(app, app_context):
    session = make_online_session(capacity=10)
    moved_to = "https://meet.example.org/moved-room"
    db.session.commit()
    moved = []

    # Another organiser's change commits just before the seat is locked: the confirmation, composed once under
    # the lock, shows the session as it is then.
    @event.listens_for(db.engine, "before_cursor_execute")
    def move_first(conn, cursor, statement, parameters, context, executemany):
        if "FOR UPDATE" in statement and not moved:
            moved.append(True)
            with db.engine.connect() as other:
                other.execute(
                    update(EventSession)
                    .where(EventSession.id == session.id)
                    .values(starts_at=at(10), ends_at=at(11, 30), join_url=moved_to, version=EventSession.version + 1)
                )
                other.commit()

    try:
        result = register_attendee(session, full_name="Amina", email="amina@example.com", consent=True, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", move_first)

    assert moved == [True]
    confirmation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    assert confirmation.registration_id == result.registration.id
    assert "DTSTART:" + at(10).strftime("%Y%m%dT%H%M%SZ") in confirmation.ics
    assert moved_to in confirmation.body_text and "looking-ahead" not in confirmation.body_text
    reminders = db.session.scalars(
        select(OutboxMessage.not_before).where(OutboxMessage.kind.startswith("reminder")).order_by(OutboxMessage.id)
    ).all()
    assert reminders == [at(10) - timedelta(hours=24), at(10) - timedelta(hours=1)]
