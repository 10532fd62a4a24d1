"""The bytes of one outbox message, composed with the stdlib `email` package's encoders.

The layout is the one Flask-Mail's `Message` gives, as Gmail and Outlook expect: multipart/mixed >
multipart/alternative (text/plain, text/html, text/calendar; method=...) plus an `invite.ics` (or
`cancel.ics`) attachment, or a single text/plain part when there is neither HTML nor an invite. Text parts
are 7bit (8bit when not ASCII) and the attachment base64, as Flask-Mail writes them; for a server without
8BITMIME text that is not ASCII goes quoted-printable instead. From carries the event's name, Reply-To the
event's contact, and every message says `Auto-Submitted: auto-generated` (RFC 3834), so automatic replies
leave it alone.

Why not `Message.as_bytes()`: it builds an `email.message` tree and flattens it under `email.policy.SMTP`,
which parses every header again on each lookup and refolds it (about 1.5 ms a message, several times the
SMTP exchange itself), and `Message()` asks `socket.getfqdn()` for a Message-ID we replace anyway.
Here headers that are ASCII and short are written as they are; the others are folded and encoded by
that same policy, so what a reader decodes is what Flask-Mail would have sent (tests/unit/test_mime.py
holds the two equal).
"""

from __future__ import annotations

import base64
import random
import sys
from dataclasses import dataclass
from email import policy, quoprimime
from email.utils import formataddr, quote

from app.text import clean_line

_CRLF = "\r\n"
_MAX_LINE = 78


class BadHeader(ValueError):
    """A line break where a header value goes: the message cannot be sent as it is."""


@dataclass(frozen=True)
class Composed:
    """A message ready for SMTP: envelope and the bytes of the message."""

    sender: str
    recipient: str
    data: bytes
    #: The bytes hold 8-bit text: sent with BODY=8BITMIME (composed as 7-bit when the server lacks it).
    eight_bit: bool = False
    #: An address with a non-ASCII local part: only a server offering SMTPUTF8 (RFC 6531) can take it.
    smtputf8: bool = False


def header_safe(text: str) -> str:
    """No control characters (CR/LF above all) in anything that reaches a header."""
    return clean_line(text)


def compose(
    *,
    sender: str | tuple[str, str],
    to_address: str,
    to_name: str,
    subject: str,
    body_text: str,
    body_html: str,
    ics: str | None,
    ics_method: str | None,
    message_id: str,
    date: str,
    reply_to: tuple[str, str] | None = None,
    eight_bit: bool = True,
    smtputf8: bool = False,
) -> Composed:
    """The message's bytes and envelope; raises BadHeader for a line break in an address.

    `sender` is an address or (display name, address); `reply_to` (name, address) where replies go.
    `eight_bit`: the server takes 8BITMIME, so text that is not ASCII goes as 8bit (quoted-printable
    otherwise). `smtputf8`: the server takes SMTPUTF8, so an address with a non-ASCII local part can be sent
    (refused with BadHeader otherwise).
    """
    sender_header = formataddr(_named(sender)) if isinstance(sender, tuple) else sender
    envelope_from = sender[1] if isinstance(sender, tuple) else sender
    reply_header = formataddr(_named(reply_to)) if reply_to and reply_to[1] else ""
    for value in (sender_header, to_address, reply_header):
        if "\r" in value or "\n" in value:
            raise BadHeader("the message has a line break in a header")
    to_name = header_safe(to_name)
    recipient = _ascii_address(to_address, smtputf8=smtputf8)
    international = not recipient.isascii()
    headers = (
        _header("Subject", header_safe(subject))
        + _header("From", sender_header, encoded_words=True)
        + _to_header(to_name, recipient)
        + (_header("Reply-To", reply_header, encoded_words=True) if reply_header else "")
        + f"Date: {date}\r\nMessage-ID: {message_id}\r\n"
        # RFC 3834: sent by a program, so out-of-office and other automatic replies leave it alone.
        + "Auto-Submitted: auto-generated\r\n"
    )
    method = _param(ics_method or "REQUEST")
    alternatives = [_text_part("plain", "", body_text, eight_bit=eight_bit)]
    if body_html:
        alternatives.append(_text_part("html", "", body_html, eight_bit=eight_bit))
    if ics:
        alternatives.append(_text_part("calendar", f' method="{method}";', ics, eight_bit=eight_bit))
    has_8bit = international or any(not text.isascii() for _, text in alternatives)
    if len(alternatives) == 1:  # plain text only: the part is the message
        head, text = alternatives[0]
        data = f"{head}{headers}\r\n{text}".encode()
        return Composed(envelope_from, recipient, data, eight_bit=has_8bit, smtputf8=international)

    bodies = "".join(text for _, text in alternatives)
    outer, inner = _boundary(bodies), _boundary(bodies)
    data = f'Content-Type: multipart/mixed; boundary="{outer}"\r\nMIME-Version: 1.0\r\n{headers}\r\n'
    data += f'--{outer}\r\nContent-Type: multipart/alternative;\r\n boundary="{inner}"\r\nMIME-Version: 1.0\r\n\r\n'
    for head, text in alternatives:
        data += f"--{inner}\r\n{head}\r\n{text}\r\n"
    data += f"--{inner}--\r\n"
    if ics:
        encoded = base64.encodebytes(ics.encode()).decode("ascii").replace("\n", _CRLF)
        # The file a reader saves: an invite, or the cancellation of one.
        filename = "cancel.ics" if method == "CANCEL" else "invite.ics"
        data += (
            f"\r\n--{outer}\r\nContent-Type: text/calendar; charset=utf-8; method={method}\r\n"
            "MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n{encoded}'
        )
    data += f"\r\n--{outer}--\r\n"
    return Composed(envelope_from, recipient, data.encode(), eight_bit=has_8bit, smtputf8=international)


def _to_header(name: str, address: str) -> str:
    if address.isascii():
        return _header("To", formataddr((name, address)) if name else address, encoded_words=True)
    # A non-ASCII local part goes only with SMTPUTF8: UTF-8 as it is (RFC 6532), never encoded words; one
    # line (a name and an address are far below the 998 octets a line may hold).
    return f'To: "{quote(name)}" <{address}>\r\n' if name else f"To: {address}\r\n"


def _named(pair: tuple[str, str]) -> tuple[str, str]:
    """(display name, address) with a display name fit for a header line."""
    name, address = pair
    return header_safe(name or ""), address


def _header(name: str, value: str, *, encoded_words: bool = False) -> str:
    """One header line; `encoded_words` when `value` may hold encoded words on purpose (formataddr's)."""
    line = f"{name}: {value}\r\n"
    if value.isascii() and len(line) <= _MAX_LINE + 2 and (encoded_words or "=?" not in value):
        return line
    # Long or not ASCII: encoded words and folding exactly as Flask-Mail's policy writes them.
    return policy.SMTP.fold(name, value)


def _text_part(subtype: str, params: str, text: str, *, eight_bit: bool) -> tuple[str, str]:
    """(the part's headers, its body) with lines ending in CRLF: 7bit or 8bit as Flask-Mail sets them, or
    quoted-printable for text that is not ASCII when the server does not take 8BITMIME (RFC 6152)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", _CRLF)
    if text.isascii():
        encoding = "7bit"
    elif eight_bit:
        encoding = "8bit"
    else:
        encoding = "quoted-printable"
        text = quoprimime.body_encode(text.encode("utf-8").decode("latin-1"), eol=_CRLF)
    head = f'Content-Type: text/{subtype};{params} charset="utf-8"\r\nMIME-Version: 1.0\r\n'
    return f"{head}Content-Transfer-Encoding: {encoding}\r\n", text


def _boundary(text: str) -> str:
    """A boundary like the stdlib's, never a line of the text."""
    while True:
        boundary = f"==============={random.randrange(sys.maxsize):019d}=="
        if boundary not in text:
            return boundary


def _param(value: str) -> str:
    """An iTIP method as a MIME parameter value: a token, nothing else."""
    return "".join(ch for ch in value if ch.isascii() and ch.isalnum()) or "REQUEST"


def _ascii_address(address: str, *, smtputf8: bool = False) -> str:
    """The address as SMTP can carry it: an internationalised domain in IDNA form; a non-ASCII local part
    as it is when the server takes SMTPUTF8, refused otherwise."""
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    if at and local and not local.isascii() and smtputf8:
        return address
    if not at or not local.isascii():
        raise BadHeader(f"the address {address!r} needs SMTPUTF8, which the mail server does not offer")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError as error:
        raise BadHeader(f"the address {address!r} has an invalid domain") from error
