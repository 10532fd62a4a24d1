"""Outbox delivery through a real SMTP server on loopback: MIME layout, retries, failures, claims, files."""

import email
import email.policy
import socket
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import select

from app.calendar.ical import Slot, invite_calendar, to_bytes
from app.extensions import db
from app.mail import delivery, messages
from app.mail.delivery import RETRY_DELAYS, deliver_all_due, deliver_due, retry_delay, work
from app.mail.outbox import enqueue_message
from app.models import OutboxMessage, OutboxStatus, RegistrationStatus
from tests.factories import at, make_online_session, make_registration

NOW = datetime(2030, 10, 1, 9, 0, tzinfo=UTC)


def _ics(method: str = "REQUEST") -> str:
    slot = Slot(
        uid="reg-1@events.example.org",
        sequence=0,
        summary="Looking Ahead: online follow-up session",
        start=datetime(2030, 10, 30, 9, 0, tzinfo=UTC),
        end=datetime(2030, 10, 30, 10, 30, tzinfo=UTC),
    )
    calendar = invite_calendar(
        slot,
        method=method,
        organizer_email="mpf@example.org",
        organizer_name="MPF Team",
        attendee_email="amina@example.com",
        attendee_name="Amina Diallo",
        stamp=NOW,
    )
    return to_bytes(calendar).decode("utf-8")


def _queue(**fields) -> OutboxMessage:
    values = dict(
        kind="confirmation",
        to_address="amina@example.com",
        to_name="Amina Diallo",
        subject="You are registered",
        body_text="Hello Amina",
        body_html="<p>Hello Amina</p>",
        not_before=NOW,
    )
    values.update(fields)
    message = enqueue_message(**values)
    db.session.commit()
    return message


def _status(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_deliver_due_sends_invite_as_mixed_alternative_with_calendar_part_and_attachment(app_context, mail_server):
    message = _queue(ics=_ics(), ics_method="REQUEST")

    report = deliver_due(now=NOW)

    assert report.sent == [message.id]
    [received] = mail_server.messages
    assert received["To"] == "Amina Diallo <amina@example.com>"
    assert received["Subject"] == "You are registered"
    assert received.get_content_type() == "multipart/mixed"
    alternative, attachment = received.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html", "text/calendar"]
    calendar_part = alternative.get_payload()[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    for ics_text in (calendar_part.get_content(), attachment.get_content()):
        parsed = icalendar.Calendar.from_ical(ics_text)
        assert parsed.errors == []
        assert str(parsed["METHOD"]) == "REQUEST"
        assert str(parsed.events[0]["UID"]) == "reg-1@events.example.org"
        second = vobject.readOne(ics_text)
        assert second.vevent.dtstart.value == datetime(2030, 10, 30, 9, 0, tzinfo=UTC)
    stored = _status(message.id)
    assert (stored.status, stored.attempts, stored.sent_at, stored.claimed_until) == (OutboxStatus.SENT, 1, NOW, None)


def test_deliver_due_without_html_or_invite_sends_plain_text(app_context, mail_server):
    _queue(body_html="")

    deliver_due(now=NOW)

    [received] = mail_server.messages
    assert received.get_content_type() == "text/plain"
    assert received.get_body(preferencelist=("plain",)).get_content().strip() == "Hello Amina"


def test_deliver_due_leaves_messages_not_yet_due(app_context, mail_server):
    later = _queue(not_before=NOW + timedelta(hours=1))

    report = deliver_due(now=NOW)

    assert report.handled == 0
    assert mail_server.messages == []
    assert _status(later.id).status == OutboxStatus.QUEUED


def test_deliver_due_on_451_retries_later_and_sends_exactly_once_when_accepted(app_context, mail_server):
    message = _queue()
    mail_server.fail_with("451 4.3.0 try later")

    first = deliver_due(now=NOW)

    stored = _status(message.id)
    assert first.retrying == [message.id]
    assert stored.status == OutboxStatus.RETRYING
    assert stored.not_before == NOW + timedelta(seconds=RETRY_DELAYS[0])
    assert stored.last_error == "451 4.3.0 try later"
    assert deliver_due(now=NOW + timedelta(seconds=30)).handled == 0

    mail_server.fail_with(None)
    second = deliver_due(now=NOW + timedelta(seconds=RETRY_DELAYS[0]))

    assert second.sent == [message.id]
    assert len(mail_server.messages) == 1
    assert (_status(message.id).status, _status(message.id).attempts) == (OutboxStatus.SENT, 2)


def test_deliver_due_on_550_marks_failed_keeping_the_answer(app_context, mail_server):
    message = _queue()
    mail_server.fail_with("550 5.1.1 no such user")

    report = deliver_due(now=NOW)

    stored = _status(message.id)
    assert report.failed == [message.id]
    assert (stored.status, stored.last_error) == (OutboxStatus.FAILED, "550 5.1.1 no such user")
    mail_server.fail_with(None)
    assert deliver_due(now=NOW + timedelta(days=1)).handled == 0
    assert mail_server.messages == []


def test_deliver_due_with_server_down_loses_nothing_and_sends_each_once_when_back(app_context, mail_server):
    ids = [_queue(to_address=f"person{n}@example.com").id for n in range(3)]
    mail_server.stop()

    down = deliver_due(now=NOW)

    assert down.retrying == ids
    assert all("ConnectionRefusedError" in _status(i).last_error for i in ids)
    mail_server.start()
    back = deliver_all_due(now=NOW + timedelta(seconds=RETRY_DELAYS[0]))

    assert back.sent == ids
    assert sorted(m["To"] for m in mail_server.messages) == [f"Amina Diallo <person{n}@example.com>" for n in range(3)]
    assert deliver_all_due(now=NOW + timedelta(days=1)).handled == 0
    assert len(mail_server.messages) == 3


def test_deliver_due_when_server_never_answers_times_out_and_retries(app, app_context, monkeypatch):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the TCP connection, never says hello
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", silent.getsockname()[1])
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT_SECONDS", 1)
        message = _queue()

        report = deliver_due(now=NOW)

    assert report.retrying == [message.id]
    assert "timed out" in _status(message.id).last_error


#: When the 1-hour reminder of a make_online_session() falls due (it starts at 08:00 on DAY).
REMINDER_DUE = at(7)


def test_deliver_due_drops_a_reminder_when_the_registration_is_no_longer_confirmed(app_context, mail_server):
    session = make_online_session()
    registration = make_registration(session, status=RegistrationStatus.WAITLISTED)
    reminder = _queue(kind="reminder_1h", registration=registration, not_before=REMINDER_DUE)
    kept = _queue(
        kind="reminder_1h",
        registration=make_registration(session, full_name="Kept Attendee"),
        to_address="kept@example.com",
        not_before=REMINDER_DUE,
    )

    report = deliver_due(now=REMINDER_DUE)

    assert report.sent == [kept.id]
    dropped = _status(reminder.id)
    assert (dropped.status, dropped.last_error) == (OutboxStatus.CANCELLED, messages.DROPPED["no_seat"])
    # The one kept is written from its registration now, whatever the row held.
    assert [m["To"] for m in mail_server.messages] == ["Kept Attendee <kept@example.com>"]


def test_retry_delays_grow_then_cap():
    delays = [retry_delay(n) for n in range(1, len(RETRY_DELAYS) + 3)]

    assert delays == sorted(delays)
    assert delays[0] == timedelta(minutes=1)
    assert delays[-1] == delays[-2] == timedelta(hours=6)


def test_deliver_due_gives_up_after_max_attempts(app, app_context, mail_server, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    message = _queue()
    mail_server.fail_with("421 4.7.0 busy")

    deliver_due(now=NOW)
    deliver_due(now=NOW + timedelta(days=1))

    stored = _status(message.id)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 2)
    assert stored.last_error == "gave up after 2 attempts: 421 4.7.0 busy"


def test_deliver_due_takes_over_an_expired_claim_but_not_a_live_one(app_context, mail_server):
    crashed = _queue(to_address="crashed@example.com")
    busy = _queue(to_address="busy@example.com")
    crashed.status = busy.status = OutboxStatus.SENDING
    crashed.claimed_until = NOW - timedelta(seconds=1)
    busy.claimed_until = NOW + timedelta(minutes=4)
    db.session.commit()

    report = deliver_due(now=NOW)

    assert report.sent == [crashed.id]
    assert [m["To"] for m in mail_server.messages] == ["Amina Diallo <crashed@example.com>"]
    assert _status(busy.id).status == OutboxStatus.SENDING


def test_deliver_due_keeps_line_breaks_out_of_headers(app_context, mail_server):
    _queue(to_name="Eve\r\nBcc: victim@example.com", subject="Hi\r\nX-Injected: yes")

    deliver_due(now=NOW)

    [received] = mail_server.handler.received
    assert received.rcpt_tos == ["amina@example.com"]
    assert received.message["Bcc"] is None and received.message["X-Injected"] is None
    assert received.message["Subject"] == "Hi X-Injected: yes"


def test_deliver_due_without_mail_server_writes_eml_files(app, app_context, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    message = _queue(ics=_ics("CANCEL"), ics_method="CANCEL")

    report = deliver_due(now=NOW)

    [path] = list(tmp_path.glob("*.eml"))
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert report.sent == [message.id]
    assert path.name.startswith(f"outbox-{message.id}-")
    assert parsed["To"] == "Amina Diallo <amina@example.com>"
    assert parsed.get_payload()[1].get_param("method") == "CANCEL"


def test_deliver_due_respects_limit_and_order(app_context, mail_server):
    ids = [_queue(to_address=f"p{n}@example.com", not_before=NOW - timedelta(minutes=n)).id for n in range(3)]

    report = deliver_due(now=NOW, limit=2)

    assert report.sent == [ids[2], ids[1]]
    assert db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == ids[0])) == OutboxStatus.QUEUED


def test_work_delivers_each_pass_until_stopped(app_context, mail_server):
    _queue(not_before=datetime(2020, 1, 1, tzinfo=UTC))
    passes: list[float] = []
    reports = []

    work(
        interval=7,
        should_stop=lambda: len(passes) >= 2,
        on_report=reports.append,
        sleep=passes.append,
    )

    assert passes == [7, 7]
    assert [len(r.sent) for r in reports] == [1]
    assert len(mail_server.messages) == 1


def test_outbox_send_command_delivers_and_prints_a_summary(app, runner, mail_server):
    with app.app_context():
        _queue(not_before=datetime(2020, 1, 1, tzinfo=UTC))
        _queue(not_before=datetime(2999, 1, 1, tzinfo=UTC))

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert result.output == "Outbox: 1 sent, 0 to retry, 0 failed.\n"
    assert len(mail_server.messages) == 1


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_build_mime_names_the_itip_method_on_both_calendar_parts(app_context, mail_server, method):
    _queue(ics=_ics(method), ics_method=method)

    deliver_due(now=NOW)

    [received] = mail_server.messages
    alternative, attachment = received.get_payload()
    assert alternative.get_payload()[2].get_param("method") == method
    assert attachment.get_param("method") == method


@pytest.fixture
def fast_server(monkeypatch):
    """No send counts as slow, whatever the machine's load: outcomes are written once per batch."""
    monkeypatch.setattr(delivery, "SLOW_SEND_SECONDS", float("inf"))


def _statements(statements: list[str]) -> list[str]:
    """Each statement's first words: what it does and to which table."""
    return [" ".join(statement.split()[:3]) for statement in statements]


@pytest.mark.parametrize("count", [2, 9])
def test_a_batch_costs_one_claim_and_one_outcome_statement_whatever_its_size(
    app_context, mail_server, fast_server, count_queries, count
):
    ids = [_queue(to_address=f"p{n}@example.com").id for n in range(count)]

    with count_queries() as statements:
        report = deliver_due(now=NOW)

    assert report.sent == ids
    assert len(mail_server.messages) == count
    # The claim (UPDATE ... RETURNING) and every outcome of the batch (UPDATE ... WHERE id IN).
    assert _statements(statements) == ["UPDATE outbox_messages SET", "UPDATE outbox_messages SET"]
    assert {_status(i).status for i in ids} == {OutboxStatus.SENT}


def test_a_batch_checks_its_reminders_in_one_query_and_writes_each_kind_of_outcome_once(
    app_context, mail_server, fast_server, count_queries
):
    session = make_online_session()
    stale = [
        _queue(
            kind="reminder_1h",
            registration=make_registration(session, status=RegistrationStatus.WAITLISTED),
            not_before=REMINDER_DUE,
        )
        for _ in range(2)
    ]
    kept = [
        _queue(
            kind="reminder_1h",
            registration=make_registration(session),
            to_address=f"k{n}@example.com",
            not_before=REMINDER_DUE,
        )
        for n in range(2)
    ]
    mail_server.handler.fail_for = {"k1@example.com": "550 5.1.1 no such user"}

    with count_queries() as statements:
        report = deliver_due(now=REMINDER_DUE)

    assert (report.sent, report.failed) == ([kept[0].id], [kept[1].id])
    assert _statements(statements) == [
        "UPDATE outbox_messages SET",  # claim
        "SELECT registrations.id, registrations.session_id,",  # the reminders' registrations and sessions
        "UPDATE outbox_messages SET",  # sent, each with the text written for it
        "UPDATE outbox_messages SET",  # cancelled, each with its reason
        "UPDATE outbox_messages SET",  # failed, each with its answer
        "UPDATE registrations SET",  # the manage links the sent reminders carried now work
    ]
    assert [_status(m.id).status for m in stale] == [OutboxStatus.CANCELLED] * 2


def test_a_5xx_in_the_middle_of_a_batch_fails_only_that_message(app_context, mail_server):
    ids = [_queue(to_address=f"p{n}@example.com").id for n in range(5)]
    mail_server.handler.fail_for = {"p2@example.com": "550 5.1.1 no such user"}

    report = deliver_due(now=NOW)

    assert report.sent == [ids[0], ids[1], ids[3], ids[4]]
    assert report.failed == [ids[2]]
    assert [m["To"] for m in mail_server.messages] == [f"Amina Diallo <p{n}@example.com>" for n in (0, 1, 3, 4)]
    assert len({r.peer for r in mail_server.handler.received}) == 1  # the connection went on after the refusal
    failed = _status(ids[2])
    assert (failed.status, failed.last_error, failed.claimed_until) == (
        OutboxStatus.FAILED,
        "550 5.1.1 no such user",
        None,
    )
    assert [(_status(i).status, _status(i).sent_at) for i in ids if i != ids[2]] == [(OutboxStatus.SENT, NOW)] * 4


def test_a_4xx_in_the_middle_of_a_batch_retries_only_that_message(app_context, mail_server):
    ids = [_queue(to_address=f"p{n}@example.com").id for n in range(3)]
    mail_server.handler.fail_for = {"p1@example.com": "451 4.3.0 try later"}

    report = deliver_due(now=NOW)

    assert (report.sent, report.retrying) == ([ids[0], ids[2]], [ids[1]])
    retrying = _status(ids[1])
    assert (retrying.status, retrying.not_before, retrying.attempts, retrying.last_error) == (
        OutboxStatus.RETRYING,
        NOW + timedelta(seconds=RETRY_DELAYS[0]),
        1,
        "451 4.3.0 try later",
    )


def test_deliver_all_due_grows_its_batches_over_one_smtp_connection(
    app_context, mail_server, fast_server, count_queries
):
    ids = [_queue(to_address=f"p{n}@example.com").id for n in range(7)]

    with count_queries() as statements:
        report = deliver_all_due(now=NOW, batch=2)

    assert report.sent == ids
    # Batches of 2, 4, then 8 (one left): three claims, each batch's outcomes written once.
    assert _statements(statements) == ["UPDATE outbox_messages SET"] * 6
    assert len({r.peer for r in mail_server.handler.received}) == 1
    assert {_status(i).status for i in ids} == {OutboxStatus.SENT}


def test_with_a_slow_server_outcomes_are_written_after_each_message_and_batches_stay_small(
    app_context, mail_server, count_queries, monkeypatch
):
    # Every send counts as slow: a worker killed now would send again only the message in flight.
    monkeypatch.setattr(delivery, "SLOW_SEND_SECONDS", 0)
    ids = [_queue(to_address=f"p{n}@example.com").id for n in range(5)]

    with count_queries() as statements:
        report = deliver_all_due(now=NOW, batch=2)

    assert report.sent == ids
    # Batches of 2, 2, 1: three claims, and one outcome write per message.
    assert _statements(statements) == ["UPDATE outbox_messages SET"] * 8
    assert {_status(i).status for i in ids} == {OutboxStatus.SENT}


def test_a_line_break_in_an_address_fails_that_message_for_good(app_context, mail_server):
    bad = _queue(to_address="amina@example.com\r\nBcc: victim@example.com")
    good = _queue(to_address="kept@example.com")

    report = deliver_due(now=NOW)

    assert (report.failed, report.sent) == ([bad.id], [good.id])
    assert _status(bad.id).last_error == "the message has a line break in a header"
    assert [r.rcpt_tos for r in mail_server.handler.received] == [["kept@example.com"]]
