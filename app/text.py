"""Text hygiene for everything people type.

Control characters are C0 (U+0000 to U+001F) and DEL (U+007F). A one-line value (a name, a subject, an
address, anything that may reach a mail header or a one-line calendar property) holds none; a free text
(a question, a bio, a message: a text area) may hold line breaks and tabs, and nothing else of them.
Checks refuse (forms and services say so next to the field); cleaners quietly make text safe where it
leaves us (mail headers, calendar properties).
"""

from email_validator import EmailNotValidError, validate_email

_LINE_BREAKS_AND_TABS = "\n\r\t"


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


def well_formed_email(text: str | None) -> str | None:
    """The address, trimmed and lower-cased, if it is a well-formed email address (the shape only, no DNS
    lookup); None for a blank or malformed one. Rate limits count per address only what this returns, so
    that every blank or mistyped submission does not share one counter that locks them all out."""
    address = (text or "").strip().lower()
    if not address or len(address) > 254 or has_control_characters(address):
        return None
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return address
