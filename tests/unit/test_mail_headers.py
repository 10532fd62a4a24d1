"""What a mail server and a reader see of each message: who it is from, where replies go, that a program
sent it, 8-bit bodies and international addresses, spoken over SMTP to a real server on loopback."""

import email
import email.policy
from datetime import UTC, datetime

import icalendar
import pytest
import vobject
from sqlalchemy import select

from app.calendar.ical import Slot, invite_calendar, to_bytes
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.outbox import enqueue_message
from app.models import OutboxMessage, OutboxStatus
from tests.conftest import free_port
from tests.factories import make_event
from tests.smtp import SMTPServer

NOW = datetime(2030, 10, 1, 9, 0, tzinfo=UTC)


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


@pytest.fixture
def utf8_server(app, monkeypatch):
    """A server whose EHLO offers SMTPUTF8 (aiosmtpd does not unless asked)."""
    server = SMTPServer(free_port(), smtputf8=True)
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT_SECONDS", 5)
    yield server
    server.stop()


def test_a_message_comes_from_the_events_name_and_replies_go_to_its_contact(app_context, mail_server):
    event = make_event(title="MPF Exchange Event, Brussels", contact_name="MPF Team", contact_email="mpf@example.org")
    _queue(event=event)

    deliver_due(now=NOW)

    [received] = mail_server.handler.received
    message = received.message
    assert (message["From"].addresses[0].display_name, message["From"].addresses[0].addr_spec) == (
        "MPF Exchange Event, Brussels",
        "events@example.org",
    )
    assert str(message["From"]) == '"MPF Exchange Event, Brussels" <events@example.org>'
    assert str(message["Reply-To"]) == "MPF Team <mpf@example.org>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert received.mail_from == "events@example.org"  # the envelope: the bare configured address


def test_a_message_of_an_event_without_contact_has_no_reply_to(app_context, mail_server):
    _queue(event=make_event(title="MPF Exchange Event", contact_name="", contact_email=""))
    _queue(to_address="organiser@example.org")  # no event at all (a password reset): the configured sender

    deliver_due(now=NOW)

    first, second = mail_server.messages
    assert (str(first["From"]), first["Reply-To"]) == ("MPF Exchange Event <events@example.org>", None)
    assert (str(second["From"]), second["Reply-To"]) == ("events@example.org", None)
    assert first["Auto-Submitted"] == second["Auto-Submitted"] == "auto-generated"


def test_an_8bit_body_is_sent_with_body_8bitmime_and_an_ascii_one_without(app_context, mail_server):
    _queue(body_text="Grüße aus Genève", body_html="<p>Grüße</p>")
    _queue(to_address="ben@example.com")

    deliver_due(now=NOW)

    eight, seven = mail_server.handler.received
    assert "BODY=8BITMIME" in eight.mail_options
    assert not eight.data.isascii()
    assert eight.message.get_body(("plain",)).get_content().strip() == "Grüße aus Genève"
    assert [o for o in seven.mail_options if not o.startswith("SIZE=")] == []
    assert "250-8BITMIME" in mail_server.handler.features


def test_without_8bitmime_an_8bit_body_goes_as_quoted_printable(app_context, mail_server):
    mail_server.handler.offer_8bitmime = False
    _queue(body_text="Grüße aus Genève", body_html="<p>Grüße</p>", ics=_ics("CANCEL"), ics_method="CANCEL")

    deliver_due(now=NOW)

    [received] = mail_server.handler.received
    assert "250-8BITMIME" not in mail_server.handler.features
    assert [o for o in received.mail_options if not o.startswith("SIZE=")] == []
    assert received.data.isascii()
    message = received.message
    assert message.get_body(("plain",)).get_content().strip() == "Grüße aus Genève"
    assert message.get_body(("html",)).get_content().strip() == "<p>Grüße</p>"
    parts = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    assert [part["Content-Transfer-Encoding"] for part in parts] == ["quoted-printable"]
    calendar_part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert icalendar.Calendar.from_ical(calendar_part.get_content()).events[0]["SUMMARY"] == "Rückblick"


def test_the_cancellation_attachment_is_named_cancel_ics(app_context, mail_server):
    _queue(ics=_ics("CANCEL"), ics_method="CANCEL")
    _queue(ics=_ics("REQUEST"), ics_method="REQUEST")

    deliver_due(now=NOW)

    names = [[p.get_filename() for p in m.walk() if p.get_filename()] for m in mail_server.messages]
    assert names == [["cancel.ics"], ["invite.ics"]]
    for message in mail_server.messages:
        attachment = next(p for p in message.walk() if p.get_filename())
        text = attachment.get_content()
        method = "CANCEL" if attachment.get_filename() == "cancel.ics" else "REQUEST"
        assert str(icalendar.Calendar.from_ical(text)["METHOD"]) == method
        assert vobject.readOne(text).method.value == method


def test_a_non_ascii_local_part_goes_with_smtputf8_when_the_server_offers_it(app_context, utf8_server):
    message = _queue(to_address="josé@example.com", to_name="José Ñúñez", body_text="Hola José")

    report = deliver_due(now=NOW)

    assert report.sent == [message.id]
    [received] = utf8_server.handler.received
    assert received.rcpt_tos == ["josé@example.com"]
    assert "SMTPUTF8" in received.mail_options and "BODY=8BITMIME" in received.mail_options
    # UTF-8 headers (RFC 6532): read as text, the To header names the address as it is.
    to = email.message_from_string(received.data.decode("utf-8"), policy=email.policy.default)["To"]
    assert (to.addresses[0].display_name, to.addresses[0].addr_spec) == ("José Ñúñez", "josé@example.com")


def test_a_non_ascii_local_part_fails_for_good_with_a_clear_reason_without_smtputf8(app_context, mail_server):
    bad = _queue(to_address="josé@example.com")
    good = _queue(to_address="kept@example.com")

    report = deliver_due(now=NOW)

    assert (report.failed, report.sent) == ([bad.id], [good.id])
    stored = _status(bad.id)
    assert stored.status == OutboxStatus.FAILED
    assert "needs SMTPUTF8, which the mail server does not offer" in stored.last_error
    assert [r.rcpt_tos for r in mail_server.handler.received] == [["kept@example.com"]]
    assert db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all() == [
        OutboxStatus.FAILED,
        OutboxStatus.SENT,
    ]


def _ics(method: str) -> str:
    slot = Slot(
        uid="reg-1@events.example.org",
        sequence=1,
        summary="Rückblick",
        start=datetime(2030, 10, 30, 9, 0, tzinfo=UTC),
        end=datetime(2030, 10, 30, 10, 30, tzinfo=UTC),
        cancelled=method == "CANCEL",
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
