"""The follow-up after a session: exactly the right people get exactly one message each."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.activity import CommandActor
from app.attendance.recordings import session_recordings
from app.errors import DomainError
from app.extensions import db
from app.followup.services import follow_up_plan, send_follow_up
from app.mail.followup_messages import SORRY_KIND, THANKS_KIND
from app.mail.outbox import links_of
from app.models import OutboxMessage, OutboxStatus, Registration, RegistrationStatus, SessionStatus
from app.organiser.reports import resend_message
from app.privacy.services import anonymise_registrations
from app.registration.services import find_by_token
from app.transaction import use_case
from tests.factories import at, make_item, make_online_session, make_registration

BY = CommandActor("flask shell")
AFTER = at(10)  # the online session ends at 09:30


def _kinds() -> dict[int, list[str]]:
    sent: dict[int, list[str]] = {}
    for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        sent.setdefault(message.registration_id, []).append(message.kind)
    return sent


@pytest.fixture
def world(app_context):
    session = make_online_session()
    people = {
        "attended": make_registration(session, full_name="Amina Attended", attended_at=at(8, 5)),
        "no_show": make_registration(session, full_name="Nadia Noshow"),
        "cancelled": make_registration(session, status=RegistrationStatus.CANCELLED, attended_at=at(8, 5)),
        "waitlisted": make_registration(session, status=RegistrationStatus.WAITLISTED, attended_at=at(8, 5)),
        "erased": make_registration(session, full_name="Erin Erased", attended_at=at(8, 5)),
    }
    with use_case():
        anonymise_registrations(Registration.id == people["erased"].id, now=at(9))
    return session, people


def test_send_follow_up_thanks_attendees_and_tells_confirmed_no_shows_sorry_and_nobody_else(world):
    session, people = world

    with use_case():
        sent = send_follow_up(session, by=BY, now=AFTER)

    assert (sent.thanked, sent.told_sorry) == (1, 1)
    assert _kinds() == {people["attended"].id: [THANKS_KIND], people["no_show"].id: [SORRY_KIND]}
    followed = {r.full_name: r.followed_up_at for r in db.session.scalars(select(Registration))}
    assert followed["Amina Attended"] == AFTER and followed["Nadia Noshow"] == AFTER
    assert [r.followed_up_at for r in (people["cancelled"], people["waitlisted"], people["erased"])] == [None] * 3


def test_the_thank_you_carries_a_working_manage_link_and_the_survey_link(world):
    session, people = world

    with use_case():
        send_follow_up(session, by=BY, now=AFTER)

    thanks = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == THANKS_KIND))
    manage, survey = links_of(thanks)
    token = manage.rstrip("/").rsplit("/", 1)[1]
    assert survey == manage + "survey"
    assert find_by_token(token).id == people["attended"].id
    assert "[private link 1]" in thanks.body_text and "[private link 2]" in thanks.body_text
    assert token not in thanks.body_text and token not in thanks.body_html
    sorry = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == SORRY_KIND))
    assert len(links_of(sorry)) == 1 and "[private link 2]" not in sorry.body_text


def test_sending_again_reaches_nobody_twice_and_says_so(world):
    session, _people = world
    with use_case():
        send_follow_up(session, by=BY, now=AFTER)

    with pytest.raises(DomainError, match="followed up already"), use_case():
        send_follow_up(session, by=BY, now=AFTER + timedelta(minutes=1))

    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 2


def test_a_later_send_reaches_only_attendees_marked_since(world):
    session, people = world
    with use_case():
        send_follow_up(session, by=BY, now=AFTER)
    late = make_registration(session, full_name="Late Import", attended_at=at(8, 30))

    with use_case():
        sent = send_follow_up(session, by=BY, now=AFTER + timedelta(days=1))

    assert (sent.thanked, sent.told_sorry) == (1, 0)
    assert Counter(k for kinds in _kinds().values() for k in kinds) == {THANKS_KIND: 2, SORRY_KIND: 1}
    assert _kinds()[late.id] == [THANKS_KIND]


def test_an_interrupted_send_leaves_no_message_and_no_mark(world):
    session, _people = world

    with pytest.raises(RuntimeError), use_case():
        send_follow_up(session, by=BY, now=AFTER)
        raise RuntimeError("the worker died")

    assert _kinds() == {}
    assert db.session.scalars(select(Registration.followed_up_at)).all() == [None] * 5
    with use_case():
        assert send_follow_up(session, by=BY, now=AFTER).total == 2


def test_the_follow_up_is_refused_before_the_session_ends_and_for_a_called_off_session(world):
    session, _people = world

    with pytest.raises(DomainError, match="once the session has ended"), use_case():
        send_follow_up(session, by=BY, now=at(9))
    session.status = SessionStatus.CANCELLED
    db.session.commit()
    with pytest.raises(DomainError, match="called off"), use_case():
        send_follow_up(session, by=BY, now=AFTER)

    assert _kinds() == {}


def test_the_plan_names_each_recipient_and_counts_those_left_out(world):
    session, _people = world

    plan = follow_up_plan(session, now=AFTER)

    assert [r.full_name for r in plan.thanks] == ["Amina Attended"]
    assert [r.full_name for r in plan.sorry] == ["Nadia Noshow"]
    assert plan.left_out == {"waitlisted": 1, "cancelled": 1, "anonymised": 1}
    assert (plan.done, plan.refusal) == (0, None)


def test_a_french_registrant_gets_the_follow_up_in_french(app_context):
    session = make_online_session(recording_url="https://video.example.org/looking-ahead")
    make_registration(session, language="fr", attended_at=at(8, 5))

    with use_case():
        send_follow_up(session, by=BY, now=AFTER)

    message = db.session.scalar(select(OutboxMessage))
    assert message.subject.startswith("Merci de votre participation")
    assert "https://video.example.org/looking-ahead" in message.body_text


def test_the_recordings_are_the_sessions_then_each_items_own(app_context):
    session = make_online_session(recording_url="https://video.example.org/all", recording_available_at=at(12))
    make_item(session, title="Panel", recording_url="https://video.example.org/panel")
    make_item(session, title="Same as the session", recording_url="https://video.example.org/all")
    make_item(session, title="No recording")

    found = session_recordings(session)

    assert [(r.title, r.url, r.available_at) for r in found] == [
        (session.title, "https://video.example.org/all", at(12)),
        ("Panel", "https://video.example.org/panel", None),
    ]


def test_a_failed_thank_you_sent_again_carries_fresh_manage_and_survey_links(world):
    session, people = world
    with use_case():
        send_follow_up(session, by=BY, now=AFTER)
    thanks = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == THANKS_KIND))
    old_manage, _old_survey = links_of(thanks)
    thanks.status, thanks.private_links = OutboxStatus.FAILED, None  # as delivery leaves a failed message
    db.session.commit()

    with use_case():
        resend_message(thanks, by=BY, now=AFTER + timedelta(hours=1))

    manage, survey = links_of(thanks)
    assert manage != old_manage and survey == manage + "survey"
    assert find_by_token(manage.rstrip("/").rsplit("/", 1)[1]).id == people["attended"].id
    assert thanks.status == OutboxStatus.QUEUED
