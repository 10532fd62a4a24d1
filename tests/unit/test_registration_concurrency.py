"""Concurrent registrations from threads on the shared test database (SQLite file or PostgreSQL) never overbook."""

from collections import Counter

from sqlalchemy import select

from app.extensions import db
from app.models import EventSession, Registration, RegistrationStatus
from tests.factories import make_online_session
from tests.postgres.test_registration_races import run_concurrently


def test_concurrent_registrations_never_overbook(app, app_context):
    session_id = make_online_session(capacity=5).id

    outcomes = run_concurrently(app, session_id, [f"person{n}@example.com" for n in range(20)])

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    db.session.expire_all()
    statuses = Counter(db.session.scalars(select(Registration.status)))
    assert statuses == Counter({RegistrationStatus.CONFIRMED: 5, RegistrationStatus.WAITLISTED: 15})
    assert db.session.get(EventSession, session_id).seats_taken == 5
