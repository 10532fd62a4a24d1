"""Text hygiene for everything people type, and the one email normaliser.

Control characters are C0 (U+0000 to U+001F) and DEL (U+007F). A one-line value (a name, a subject, an
address, anything that may reach a mail header or a one-line calendar property) holds none; a free text
(a question, a bio, a message: a text area) may hold line breaks and tabs, and nothing else of them.
Checks refuse (forms and services say so next to the field); cleaners quietly make text safe where it
leaves us (mail headers, calendar properties).

Email addresses are stored and compared in one normalised form, `normalise_email`: the address as
email-validator normalises it (Unicode NFC, the domain through IDNA, so `bücher.de` and `xn--bcher-kva.de`
are one domain, shown in Unicode), then lower-cased whole. Lower-casing the local part too is what the
application always did (mailboxes that differ only in case are one person here), so the addresses
already stored keep matching.
"""

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: Longest address we take: what a path of SMTP carries (RFC 5321 §4.5.3.1.3, less the angle brackets).
MAX_EMAIL_LENGTH = 254
_LINE_BREAKS_AND_TABS = "\n\r\t"


def spreadsheet_cell(value: str) -> str:
    """A CSV cell a spreadsheet cannot run: one starting with = + - @ (or a tab or carriage return) is a formula
    to Excel, so it is quoted with a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True when text holds a control character; a free text (multiline) may hold line breaks and tabs."""
    allowed = _LINE_BREAKS_AND_TABS if multiline else ""
    return any((ch < " " and ch not in allowed) or ch == "\x7f" for ch in text)


def clean_line(text: str) -> str:
    """One line fit for a mail header or a one-line property: each control character (line breaks above
    all) becomes a space, runs of white space one space, no space at either end."""
    if not text.isprintable():
        text = "".join(ch if ch >= " " and ch != "\x7f" else " " for ch in text)
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """A free text with its line breaks as LF (CRLF and CR become LF) and its tabs; every other control
    character is dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f"))


class InvalidEmail(ValueError):
    """Not an email address we can take; the message is fit to show."""

    def __init__(self, message: str | None = None) -> None:
        message = str(message or _l("Please give a valid email address, like name@example.org."))
        super().__init__(message)
        self.message = message


class NeedsSmtputf8(InvalidEmail):
    """A well-formed address whose local part (before the @) is not ASCII: only a mail server that offers
    SMTPUTF8 (RFC 6531) can deliver to it, so it is refused unless the MAIL_SMTPUTF8 setting says ours does."""

    def __init__(self) -> None:
        super().__init__(_("This address cannot receive our emails: use one with only ASCII letters before the @."))


def normalise_email(text: str | None, *, smtputf8: bool = True) -> str:
    """The address as we store and compare it (see the module's docstring): trimmed, checked for its shape
    only (no DNS lookup), normalised by email-validator, lower-cased. Raises InvalidEmail for a blank or
    malformed address, and NeedsSmtputf8 for a non-ASCII local part unless `smtputf8`."""
    address = (text or "").strip()
    if not address or len(address) > MAX_EMAIL_LENGTH or has_control_characters(address):
        raise InvalidEmail()
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail() from error
    if valid.smtputf8 and not smtputf8:
        raise NeedsSmtputf8()
    return valid.normalized.lower()


def well_formed_email(text: str | None) -> str | None:
    """`normalise_email`, or None for a blank or malformed address. Rate limits count per address only what
    this returns, so that every blank or mistyped submission does not share one counter that locks them all
    out; lookups by an address read from the database use it too, where a malformed one matches nobody."""
    try:
        return normalise_email(text)
    except InvalidEmail:
        return None
