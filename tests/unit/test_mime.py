"""The outbox's own composition reads exactly like Flask-Mail's Message for the same row."""

import email
import email.policy
from datetime import UTC, datetime
from email.utils import parseaddr

import pytest
from flask_mail import Message

from app.mail.delivery import compose_row
from app.mail.mime import BadHeader, compose, header_safe
from app.models import OutboxMessage

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n"
    "UID:reg-1@events.example.org\r\nSEQUENCE:0\r\nDTSTAMP:20301001T090000Z\r\nDTSTART:20301030T090000Z\r\n"
    "SUMMARY:Rückblick: online follow-up\r\nATTENDEE;CN=José Ñúñez:mailto:jose@example.com\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)

ROWS = {
    "invite": dict(ics=ICS.format(method="REQUEST"), ics_method="REQUEST"),
    "cancellation, no HTML": dict(body_html="", ics=ICS.format(method="CANCEL"), ics_method="CANCEL"),
    "HTML, no invite": dict(),
    "plain text only": dict(body_html=""),
    "names and subjects that need encoding": dict(
        to_name="Ñúñez, José (MPF)",
        subject="Rückblick – ein sehr langer Betreff, der über die Zeilenlänge hinausgeht und gefaltet wird",
        body_text="Grüße\r\naus Genève\rund .punkt\nFrom here on",
        ics=ICS.format(method="REQUEST"),
        ics_method="REQUEST",
    ),
    "long ASCII subject, quoted name": dict(
        to_name='Dr. "Sam" O\'Neil',
        subject="Registered: Looking Ahead: online follow-up session on the region's 2030 agenda and beyond",
        from_address="MPF Team <mpf@example.org>",
    ),
}


def _row(**fields) -> OutboxMessage:
    values = dict(
        id=42,
        kind="confirmation",
        to_address="amina@example.com",
        to_name="Amina Diallo",
        from_address=None,
        subject="You are registered",
        body_text="Hello Amina\n\nSee you there.\n",
        body_html="<p>Hello Amina</p>",
        ics=None,
        ics_method=None,
        created_at=datetime(2030, 10, 1, 9, 0, 5, tzinfo=UTC),
    )
    values.update(fields)
    return OutboxMessage(**values)


def _flask_mail(row: OutboxMessage, config) -> bytes:
    """What the outbox sent before: Flask-Mail's Message, in the layout app/mail/mime.py describes."""
    to_name = header_safe(row.to_name)
    alts = {"html": row.body_html} if row.body_html else {}
    if row.ics:
        alts[f"calendar; method={row.ics_method}"] = row.ics
    mime = Message(
        subject=header_safe(row.subject),
        recipients=[(to_name, row.to_address) if to_name else row.to_address],
        body=row.body_text,
        sender=row.from_address or config["MAIL_DEFAULT_SENDER"],
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    mime.alts = alts
    mime.msgId = f"<outbox-42-20301001090005@{config['ICAL_UID_DOMAIN']}>"
    if row.ics:
        filename = "cancel.ics" if row.ics_method == "CANCEL" else "invite.ics"
        mime.attach(filename, f"text/calendar; charset=utf-8; method={row.ics_method}", row.ics.encode())
    return mime.as_bytes()


def _reading(data: bytes) -> list:
    """What a mail client reads: the headers that matter, then each part's type, parameters and content."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    names = ("Subject", "From", "To", "Reply-To", "Message-ID", "MIME-Version", "Auto-Submitted")
    seen: list = [(name, str(message[name])) for name in names]
    for part in message.walk():
        params = {k: v for k, v in part.get_params() or [] if k not in ("boundary",)}
        content = None if part.is_multipart() else part.get_content()
        if isinstance(content, str):
            content = content.replace("\r\n", "\n")
        seen.append((part.get_content_type(), params, part.get_filename(), content))
    return seen


@pytest.mark.parametrize("case", list(ROWS))
def test_compose_reads_like_flask_mail(app, app_context, case):
    row = _row(**ROWS[case])

    composed = compose_row(row)

    assert _reading(composed.data) == _reading(_flask_mail(row, app.config))
    # The envelope's sender is the bare address, whatever display name the From header gives it.
    assert (composed.sender, composed.recipient) == (
        parseaddr(row.from_address or "events@example.org")[1],
        row.to_address,
    )
    assert b"\r\n" in composed.data and b"\n" not in composed.data.replace(b"\r\n", b"")


def test_compose_keeps_lines_within_smtp_limits(app_context):
    data = compose_row(_row(**ROWS["names and subjects that need encoding"])).data

    header = data.split(b"\r\n\r\n", 1)[0]
    assert header.isascii()
    assert max(len(line) for line in header.split(b"\r\n")) <= 78


def test_compose_refuses_a_line_break_in_an_address():
    fields = dict(
        to_name="",
        subject="Hi",
        body_text="x",
        body_html="",
        ics=None,
        ics_method=None,
        message_id="<m@example.org>",
        date="Tue, 01 Oct 2030 09:00:00 +0000",
    )
    with pytest.raises(BadHeader):
        compose(sender="events@example.org", to_address="a@example.com\r\nBcc: b@example.com", **fields)
    with pytest.raises(BadHeader):
        compose(sender="events@example.org\nBcc: b@example.com", to_address="a@example.com", **fields)


def test_compose_sends_an_internationalised_domain_in_idna(app_context):
    composed = compose_row(_row(to_address="jose@bücher.example"))

    assert composed.recipient == "jose@xn--bcher-kva.example"
    assert email.message_from_bytes(composed.data, policy=email.policy.default)["To"].addresses[0].domain == (
        "xn--bcher-kva.example"
    )
