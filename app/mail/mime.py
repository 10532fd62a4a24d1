"""The bytes of one outbox message, composed with the stdlib `email` package's encoders.

The layout is the one Flask-Mail's `Message` gives, as Gmail and Outlook expect: multipart/mixed > multipart/alternative
(text/plain, text/html, text/calendar; method=...) plus an `invite.ics` attachment, or a single text/plain
part when there is neither HTML nor an invite. Text parts are 7bit (8bit when not ASCII) and the
attachment base64, as Flask-Mail writes them.

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
from email import policy
from email.utils import formataddr

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
) -> Composed:
    """The message's bytes and envelope; raises BadHeader for a line break in an address."""
    sender_header = formataddr(sender) if isinstance(sender, tuple) else sender
    envelope_from = sender[1] if isinstance(sender, tuple) else sender
    for value in (sender_header, to_address):
        if "\r" in value or "\n" in value:
            raise BadHeader("the message has a line break in a header")
    to_name = header_safe(to_name)
    recipient = _ascii_address(to_address)
    headers = (
        _header("Subject", header_safe(subject))
        + _header("From", sender_header, encoded_words=True)
        + _header("To", formataddr((to_name, recipient)) if to_name else recipient, encoded_words=True)
        + f"Date: {date}\r\nMessage-ID: {message_id}\r\n"
    )
    method = _param(ics_method or "REQUEST")
    alternatives = [_text_part("plain", "", body_text)]
    if body_html:
        alternatives.append(_text_part("html", "", body_html))
    if ics:
        alternatives.append(_text_part("calendar", f' method="{method}";', ics))
    if len(alternatives) == 1:  # plain text only: the part is the message
        head, text = alternatives[0]
        return Composed(envelope_from, recipient, f"{head}{headers}\r\n{text}".encode())

    bodies = "".join(text for _, text in alternatives)
    outer, inner = _boundary(bodies), _boundary(bodies)
    data = f'Content-Type: multipart/mixed; boundary="{outer}"\r\nMIME-Version: 1.0\r\n{headers}\r\n'
    data += f'--{outer}\r\nContent-Type: multipart/alternative;\r\n boundary="{inner}"\r\nMIME-Version: 1.0\r\n\r\n'
    for head, text in alternatives:
        data += f"--{inner}\r\n{head}\r\n{text}\r\n"
    data += f"--{inner}--\r\n"
    if ics:
        encoded = base64.encodebytes(ics.encode()).decode("ascii").replace("\n", _CRLF)
        data += (
            f"\r\n--{outer}\r\nContent-Type: text/calendar; charset=utf-8; method={method}\r\n"
            "MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="invite.ics"\r\n\r\n{encoded}'
        )
    data += f"\r\n--{outer}--\r\n"
    return Composed(envelope_from, recipient, data.encode())


def _header(name: str, value: str, *, encoded_words: bool = False) -> str:
    """One header line; `encoded_words` when `value` may hold encoded words on purpose (formataddr's)."""
    line = f"{name}: {value}\r\n"
    if value.isascii() and len(line) <= _MAX_LINE + 2 and (encoded_words or "=?" not in value):
        return line
    # Long or not ASCII: encoded words and folding exactly as Flask-Mail's policy writes them.
    return policy.SMTP.fold(name, value)


def _text_part(subtype: str, params: str, text: str) -> tuple[str, str]:
    """(the part's headers, its body) with lines ending in CRLF, 7bit or 8bit as Flask-Mail sets them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", _CRLF)
    encoding = "7bit" if text.isascii() else "8bit"
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


def _ascii_address(address: str) -> str:
    """The address as SMTP without SMTPUTF8 can carry it: an internationalised domain in IDNA form."""
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    if not at or not local.isascii():
        raise BadHeader(f"the address {address!r} needs SMTPUTF8")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError as error:
        raise BadHeader(f"the address {address!r} has an invalid domain") from error
