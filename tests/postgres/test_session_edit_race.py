"""A registration racing an organiser's edit of a session (time, join link and capacity at once): the edit is
one transaction, applied whole with its invites, or not at all, whichever way the race goes."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from app.extensions import db
from app.models import ActivityEntry, EventSession, OutboxMessage, OutboxStatus, Registration, RegistrationStatus
from app.registration.services import register_attendee
from app.transaction import use_case
from tests.conftest import DATABASE_URL
from tests.factories import DAY, at, make_online_session
from tests.http.conftest import make_organiser

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgresql"),
        reason="row-lock races need PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...",
    ),
]

NOW = at(9, day=DAY - timedelta(days=10))
OLD_LINK = "https://meet.example.org/looking-ahead"
NEW_LINK = "https://meet.example.org/new-room"
#: 11:00 to 12:00 in Brussels (CET on 30 October 2030), a new link, and the capacity down to the seats the
#: organiser sees taken (two).
EDIT = {
    "title": "Looking Ahead: online follow-up session",
    "description": "",
    "location": "",
    "day": DAY.isoformat(),
    "starts": "11:00",
    "ends": "12:00",
    "is_online": "y",
    "join_url": NEW_LINK,
    "registration_enabled": "y",
    "capacity": "2",
    "waitlist_enabled": "y",
    "move_items": "y",
}


LOCK_WAITERS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
)


@pytest.fixture
def edit(app, client):
    """A session with two of three seats taken, and its organiser signed in: `edit.post()` saves EDIT (past
    the "who will be told" step) and returns the page the organiser sees."""
    session = make_online_session(capacity=3, registration_opens_at=None, registration_closes_at=None)
    for email in ("ana@example.com", "bo@example.com"):
        with use_case():
            register_attendee(session, full_name=email.split("@")[0].title(), email=email, consent=True, now=NOW)
    organiser = make_organiser(events=[session.event])
    with client.session_transaction() as cookie:
        cookie["_user_id"] = organiser.get_id()
        cookie["_fresh"] = True
    url = f"/organiser/sessions/{session.id}/edit"
    first = client.post(url, data=EDIT)
    assert "Saving sends an updated calendar invite to 2 confirmed attendees" in first.text
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]

    class Edit:
        session_id = session.id

        @staticmethod
        def post() -> str:
            return client.post(url, data={**EDIT, "confirm": key}, follow_redirects=True).text

    return Edit


def _register_from_another_request(app, session_id: int) -> tuple[threading.Thread, dict]:
    """Cleo registers from her own thread, app context and connection; `outcome` gets her status or error."""
    outcome: dict = {}

    def register() -> None:
        with app.app_context():
            try:
                with use_case():
                    result = register_attendee(
                        db.session.get(EventSession, session_id),
                        full_name="Cleo",
                        email="cleo@example.com",
                        consent=True,
                        now=NOW,
                    )
                    outcome["status"] = result.registration.status
            except Exception as error:  # asserted on in the main thread
                outcome["error"] = error
            finally:
                db.session.remove()

    thread = threading.Thread(target=register)
    thread.start()
    return thread, outcome


def _on_the_organisers_lock(when: str, act: Callable[[], None]) -> Callable[[], None]:
    """Run `act` once, just before (or after) the organiser's request, in this thread, locks the session row."""
    done = []
    organiser = threading.current_thread()

    def listener(conn, cursor, statement, *args):
        if "FOR UPDATE" in statement and threading.current_thread() is organiser and not done:
            done.append(True)
            act()

    event.listen(db.engine, when, listener)
    return lambda: event.remove(db.engine, when, listener)


def _fresh_session(session_id: int) -> EventSession:
    db.session.expire_all()
    return db.session.get(EventSession, session_id)


def _updates() -> list[str]:
    query = select(OutboxMessage.to_address).where(OutboxMessage.kind == "update").order_by(OutboxMessage.to_address)
    return list(db.session.scalars(query))


def test_a_seat_taken_before_the_lock_leaves_the_whole_edit_undone_and_the_organiser_told(app, app_context, edit):
    db.session.commit()
    registered = []

    def cleo_takes_the_third_seat():
        thread, outcome = _register_from_another_request(app, edit.session_id)
        thread.join(60)
        registered.append(outcome)

    stop = _on_the_organisers_lock("before_cursor_execute", cleo_takes_the_third_seat)
    try:
        page = edit.post()
    finally:
        stop()

    assert registered == [{"status": RegistrationStatus.CONFIRMED}]
    assert "The capacity cannot be lower than the 3 seats already taken: cancel registrations first." in page
    session = _fresh_session(edit.session_id)
    # The move and the new link were written before the capacity broke under the lock: none of it stayed.
    assert (session.starts_at, session.ends_at, session.join_url) == (at(8), at(9, 30), OLD_LINK)
    assert (session.capacity, session.seats_taken, session.version) == (3, 3, 0)
    assert _updates() == []
    reminders = select(OutboxMessage.status).where(OutboxMessage.kind.startswith("reminder"))
    assert set(db.session.scalars(reminders)) == {OutboxStatus.QUEUED}  # none superseded by the move
    entries = select(ActivityEntry.action).where(ActivityEntry.action.startswith("session."))
    assert db.session.scalars(entries).all() == []


def test_a_registration_arriving_while_the_edit_holds_the_lock_waits_and_finds_it_applied_whole(app, app_context, edit):
    db.session.commit()
    waiting = []

    def cleo_waits_on_the_lock():
        thread, outcome = _register_from_another_request(app, edit.session_id)
        with db.engine.connect() as watcher:  # until her statement waits for the organiser's row lock
            for _ in range(600):
                blocked = watcher.scalar(LOCK_WAITERS)
                if blocked:
                    break
                watcher.rollback()
                threading.Event().wait(0.05)
        waiting.append((thread, outcome, blocked))

    stop = _on_the_organisers_lock("after_cursor_execute", cleo_waits_on_the_lock)
    try:
        page = edit.post()
    finally:
        stop()
    [(thread, outcome, blocked)] = waiting
    thread.join(60)

    assert blocked == 1
    assert "The session is saved. 2 attendees and 0 speakers will be told." in page
    session = _fresh_session(edit.session_id)
    assert (session.starts_at, session.ends_at, session.join_url) == (at(10), at(11), NEW_LINK)
    assert (session.capacity, session.seats_taken) == (2, 2)
    # Cleo saw the session as the edit left it: full, so the waiting list; the invites went to the two seated.
    assert outcome == {"status": RegistrationStatus.WAITLISTED}
    assert set(_updates()) == {"ana@example.com", "bo@example.com"}
    cleo = db.session.scalar(select(Registration).where(Registration.email == "cleo@example.com"))
    kinds = select(OutboxMessage.kind).where(OutboxMessage.registration_id == cleo.id)
    assert db.session.scalars(kinds).all() == ["waitlisted"]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 3
