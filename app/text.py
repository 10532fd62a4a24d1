"""Checks on user-typed text shared by forms and services."""

from email_validator import EmailNotValidError, validate_email


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True when text holds a control character; a free text (multiline) may hold line breaks and tabs."""
    allowed = "\n\r\t" if multiline else ""
    return any((ch < " " and ch not in allowed) or ch == "\x7f" for ch in text)


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
