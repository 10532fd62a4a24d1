"""Reminders are written when they fall due, from the registration and session as they are then: a registration
plans them as rows with no text, a move re-times them, the worker drops those that no longer stand."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.activity import CommandActor
from app.errors import InvalidToken
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.messages import DROPPED, manage_url
from app.mail.outbox import link_placeholder, links_of
from app.models import EventSession, OutboxMessage, OutboxStatus, SessionStatus
from app.registration.services import (
    cancel_registration,
    change_join_link,
    find_by_token,
    register_attendee,
    reschedule_session,
    update_registration,
)
from app.transaction import use_case
from tests.factories import DAY, at, make_online_session

NOW = at(9, day=DAY - timedelta(days=10))
OPERATOR = CommandActor("flask shell")
#: make_online_session() starts at 08:00 UTC (09:00 in Brussels) on DAY.
STARTS = at(8)
DAY_BEFORE, HOUR_BEFORE = STARTS - timedelta(hours=24), STARTS - timedelta(hours=1)


def _register(session, email="amina@example.com", **fields):
    values = dict(full_name="Amina Diallo", email=email, group="partner_country", consent=True, timezone="Africa/Lagos")
    values.update(fields)
    with use_case():  # each change below is its own request, committed as the view does
        return register_attendee(session, now=NOW, **values).registration


def _reminders(registration) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.registration_id == registration.id, OutboxMessage.kind.startswith("reminder"))
            .order_by(OutboxMessage.id)
        )
    )


def _text(received) -> str:
    return received.get_body(("plain",)).get_content()


def test_a_reminder_is_written_when_due_from_the_session_and_registration_as_they_are_then(app_context, mail_server):
    session = make_online_session()
    registration = _register(session)
    # After registering: the session renamed, moved a day and two hours later, its join link changed; the
    # attendee corrects their name.
    session.title = "Looking Ahead, renamed"
    db.session.commit()
    moved = STARTS + timedelta(days=1, hours=2)
    with use_case():
        reschedule_session(session, starts_at=moved, ends_at=moved + timedelta(hours=1), by=OPERATOR, now=NOW)
    with use_case():
        change_join_link(session, "https://meet.example.org/new-room", by=OPERATOR, now=NOW)
    with use_case():
        update_registration(
            registration,
            full_name="Amina Bello Diallo",
            organisation="",
            group="partner_country",
            question="",
            accessibility_needs="",
            timezone="Africa/Lagos",
            now=NOW,
        )
    deliver_due(now=NOW)  # the confirmation and the two updates
    mail_server.handler.received.clear()

    report = deliver_due(now=moved - timedelta(hours=24))

    day_before, hour_before = _reminders(registration)
    assert report.sent == [day_before.id]
    [received] = mail_server.messages
    assert received["Subject"] == "Reminder: Looking Ahead, renamed starts tomorrow"
    assert received["To"] == "Amina Bello Diallo <amina@example.com>"
    text = _text(received)
    assert "Dear Amina Bello Diallo," in text
    assert "Thursday 31 October 2030, 11:00–12:00 (Europe/Brussels)" in text
    assert "Thursday 31 October 2030, 11:00–12:00 WAT in your time zone (Africa/Lagos)" in text
    assert "Join online: https://meet.example.org/new-room" in text
    assert "looking-ahead" not in text and "09:00" not in text
    # The row keeps the text it went out with, like any message (until retention deletes it).
    assert (day_before.status, day_before.subject, day_before.to_name) == (
        OutboxStatus.SENT,
        "Reminder: Looking Ahead, renamed starts tomorrow",
        "Amina Bello Diallo",
    )
    assert "Join online: https://meet.example.org/new-room" in day_before.body_text
    assert "Looking Ahead, renamed" in day_before.body_html
    assert (hour_before.status, hour_before.body_text) == (OutboxStatus.QUEUED, "")

    assert deliver_due(now=moved - timedelta(hours=1)).sent == [hour_before.id]
    assert mail_server.messages[-1]["Subject"] == "Reminder: Looking Ahead, renamed starts in one hour"


MANAGE_LINK = re.compile(r"/registrations/([A-Za-z0-9_-]{43})/")


def _manage_tokens(received) -> list[str]:
    """The manage tokens in a delivered message's plain and HTML parts."""
    return [
        token for part in ("plain", "html") for token in MANAGE_LINK.findall(received.get_body((part,)).get_content())
    ]


def test_a_reminder_carries_a_new_manage_link_which_replaces_the_earlier_one_once_it_is_sent(app_context, mail_server):
    registration = _register(make_online_session())
    deliver_due(now=NOW)
    [confirmation] = mail_server.messages
    [earlier, _] = _manage_tokens(confirmation)
    mail_server.handler.received.clear()
    mail_server.handler.fail_for = {"amina@example.com": "550 5.1.1 mailbox unavailable"}

    # The day-before reminder cannot be delivered: the link it carried is forgotten, the earlier one works.
    assert deliver_due(now=DAY_BEFORE).failed == [_reminders(registration)[0].id]
    assert find_by_token(earlier).id == registration.id
    mail_server.handler.fail_for = {}

    assert deliver_due(now=HOUR_BEFORE).sent == [_reminders(registration)[1].id]

    [reminder] = mail_server.messages
    text = _text(reminder)
    assert "To see, change or cancel your registration, use your private link" in text
    [fresh, same] = _manage_tokens(reminder)
    assert fresh == same != earlier
    assert f"{manage_url(fresh)}\r\n" in text
    assert find_by_token(fresh).id == registration.id
    with pytest.raises(InvalidToken):
        find_by_token(earlier)
    # Stored: the placeholder only, and no link left once delivered (the failed one's neither).
    for row in _reminders(registration):
        assert link_placeholder(1) in row.body_text and link_placeholder(1) in row.body_html
        assert fresh not in row.body_text + row.body_html
        assert links_of(row) == []


def test_a_cancelled_registrations_reminders_are_not_sent(app_context, mail_server):
    session = make_online_session()
    registration = _register(session)

    with use_case():
        cancel_registration(registration, now=NOW + timedelta(hours=1))
    for due in (NOW + timedelta(hours=2), DAY_BEFORE, HOUR_BEFORE):
        deliver_due(now=due)

    assert [m["Subject"] for m in mail_server.messages] == [
        "Registered: Looking Ahead: online follow-up session",
        "Cancelled: Looking Ahead: online follow-up session",
    ]
    assert [(m.kind, m.status, m.body_text) for m in _reminders(registration)] == [
        ("reminder_24h", OutboxStatus.CANCELLED, ""),
        ("reminder_1h", OutboxStatus.CANCELLED, ""),
    ]


def test_the_worker_drops_a_reminder_whose_session_was_called_off_behind_its_back(app_context, mail_server):
    session = make_online_session()
    registration = _register(session)
    # Changed by another path (plain SQL, another process) that left the reminders queued.
    db.session.execute(update(EventSession).where(EventSession.id == session.id).values(status=SessionStatus.CANCELLED))
    db.session.commit()
    deliver_due(now=NOW)

    report = deliver_due(now=DAY_BEFORE)

    assert report.sent == []
    assert [(m.kind, m.status, m.last_error) for m in _reminders(registration)] == [
        ("reminder_24h", OutboxStatus.CANCELLED, DROPPED["called_off"]),
        ("reminder_1h", OutboxStatus.QUEUED, ""),
    ]
    assert [m["Subject"] for m in mail_server.messages] == ["Registered: Looking Ahead: online follow-up session"]


def test_a_reminder_whose_time_passed_is_dropped_and_the_next_one_goes(app_context, mail_server):
    session = make_online_session()
    registration = _register(session)
    deliver_due(now=NOW)  # the confirmation
    mail_server.handler.received.clear()

    # The worker was down until half an hour before the session: "tomorrow" would be wrong, one reminder is enough.
    report = deliver_due(now=STARTS - timedelta(minutes=30))

    day_before, hour_before = _reminders(registration)
    assert report.sent == [hour_before.id]
    assert (day_before.status, day_before.last_error) == (OutboxStatus.CANCELLED, DROPPED["superseded"])
    assert [m["Subject"] for m in mail_server.messages] == [
        "Reminder: Looking Ahead: online follow-up session starts in one hour"
    ]


def test_a_reminder_is_dropped_once_the_session_has_started(app_context, mail_server):
    session = make_online_session()
    registration = _register(session)
    deliver_due(now=NOW)
    mail_server.handler.received.clear()

    deliver_due(now=STARTS)

    assert [(m.status, m.last_error) for m in _reminders(registration)] == [
        (OutboxStatus.CANCELLED, DROPPED["started"]),
        (OutboxStatus.CANCELLED, DROPPED["started"]),
    ]
    assert mail_server.messages == []


def test_a_moved_session_retimes_its_reminders_without_writing_them(app_context):
    session = make_online_session()
    registration = _register(session)
    planned = [m.id for m in _reminders(registration)]
    later = STARTS + timedelta(days=7)

    with use_case():
        reschedule_session(session, starts_at=later, ends_at=later + timedelta(hours=1), by=OPERATOR, now=NOW)

    assert [(m.id, m.kind, m.status, m.not_before, m.subject, m.body_text) for m in _reminders(registration)] == [
        (planned[0], "reminder_24h", OutboxStatus.QUEUED, later - timedelta(hours=24), "", ""),
        (planned[1], "reminder_1h", OutboxStatus.QUEUED, later - timedelta(hours=1), "", ""),
    ]


def test_a_session_moved_to_within_a_day_cancels_the_day_before_reminder(app_context):
    session = make_online_session()
    registration = _register(session)
    soon = NOW + timedelta(hours=5)

    with use_case():
        reschedule_session(session, starts_at=soon, ends_at=soon + timedelta(hours=1), by=OPERATOR, now=NOW)

    assert [(m.kind, m.status, m.not_before, m.last_error) for m in _reminders(registration)] == [
        ("reminder_24h", OutboxStatus.CANCELLED, DAY_BEFORE, DROPPED["superseded"]),
        ("reminder_1h", OutboxStatus.QUEUED, soon - timedelta(hours=1), ""),
    ]


def test_a_session_moved_later_after_its_day_before_reminder_went_out_plans_another(app_context, mail_server):
    session = make_online_session()
    registration = _register(session)
    deliver_due(now=DAY_BEFORE)  # the confirmation and the day-before reminder
    later = STARTS + timedelta(days=7)

    with use_case():
        reschedule_session(session, starts_at=later, ends_at=later + timedelta(hours=1), by=OPERATOR, now=DAY_BEFORE)

    assert [(m.kind, m.status, m.not_before) for m in _reminders(registration)] == [
        ("reminder_24h", OutboxStatus.SENT, DAY_BEFORE),
        ("reminder_1h", OutboxStatus.QUEUED, later - timedelta(hours=1)),
        ("reminder_24h", OutboxStatus.QUEUED, later - timedelta(hours=24)),
    ]


def test_a_reminder_found_early_after_a_move_goes_back_until_its_time(app_context, mail_server):
    session = make_online_session()
    registration = _register(session)
    deliver_due(now=NOW)
    mail_server.handler.received.clear()
    # The session moved a day later by a path that did not re-time the rows (or while a worker held them).
    later = STARTS + timedelta(days=1)
    db.session.execute(
        update(EventSession)
        .where(EventSession.id == session.id)
        .values(starts_at=later, ends_at=later + timedelta(hours=1))
    )
    db.session.commit()

    assert deliver_due(now=DAY_BEFORE).sent == []

    day_before, _ = _reminders(registration)
    assert (day_before.status, day_before.not_before, day_before.attempts) == (
        OutboxStatus.QUEUED,
        later - timedelta(hours=24),
        0,
    )
    assert deliver_due(now=later - timedelta(hours=24)).sent == [day_before.id]
    assert mail_server.messages[0]["Subject"] == "Reminder: Looking Ahead: online follow-up session starts tomorrow"


def test_a_seat_from_the_waiting_list_plans_the_reminders_with_no_text(app_context):
    session = make_online_session(capacity=1)
    first = _register(session, "first@example.com")
    waiting = _register(session, "second@example.com")
    assert _reminders(waiting) == []

    with use_case():
        cancel_registration(first, now=NOW + timedelta(hours=1))

    assert [(m.kind, m.status, m.not_before, m.body_text) for m in _reminders(waiting)] == [
        ("reminder_24h", OutboxStatus.QUEUED, DAY_BEFORE, ""),
        ("reminder_1h", OutboxStatus.QUEUED, HOUR_BEFORE, ""),
    ]
