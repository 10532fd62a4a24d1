"""Races that only PostgreSQL shows: the follow-up sent from two tabs at once reaches each person once, and two
submits of one attendee's survey at once leave one answer."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.activity import CommandActor
from app.extensions import db
from app.followup.services import send_follow_up
from app.models import EventSession, OutboxMessage, Registration, SurveyAnswer
from app.survey.services import answer_survey
from app.transaction import use_case
from tests.conftest import DATABASE_URL
from tests.factories import at, make_online_session, make_registration

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgresql"),
        reason="row-lock races need PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...",
    ),
]

AFTER = at(10)  # the online session ends at 09:30


def _all_at_once(app, count: int, work) -> list[object]:
    """`work()` from `count` threads, each with its own app context and connection, all at once."""
    outcomes: list[object] = [None] * count
    start = threading.Barrier(count)
    db.session.commit()

    def run(index: int) -> None:
        with app.app_context():
            try:
                start.wait()
                with use_case():
                    outcomes[index] = work()
            except Exception as error:  # kept and asserted on in the main thread (the use case rolled back)
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def test_eight_concurrent_sends_of_the_follow_up_reach_each_person_exactly_once(app, app_context):
    session = make_online_session(capacity=None)
    for n in range(30):
        make_registration(session, attended_at=at(8) if n % 3 else None)
    session_id = session.id

    outcomes = _all_at_once(
        app, 8, lambda: send_follow_up(db.session.get(EventSession, session_id), by=CommandActor("x"), now=AFTER)
    )

    sent = [o for o in outcomes if not isinstance(o, BaseException)]
    assert sum(o.total for o in sent) == 30
    assert all("followed up already" in str(o) for o in outcomes if isinstance(o, BaseException))
    per_person = Counter(db.session.scalars(select(OutboxMessage.registration_id)))
    assert len(per_person) == 30 and set(per_person.values()) == {1}
    kinds = Counter(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds == {"follow_up_thanks": 20, "follow_up_sorry": 10}
    assert db.session.scalar(select(func.count()).where(Registration.followed_up_at.is_(None))) == 0


def test_ten_concurrent_submits_of_one_attendees_survey_leave_one_answer(app, app_context):
    session = make_online_session()
    registration_id = make_registration(session, attended_at=at(8)).id

    outcomes = _all_at_once(
        app,
        10,
        lambda: answer_survey(db.session.get(Registration, registration_id), rating=4, answers={1: "Next"}, now=AFTER),
    )

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 1
