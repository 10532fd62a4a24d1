"""Checks on user-typed text shared by forms and services."""


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True when text holds a control character; a free text (multiline) may hold line breaks and tabs."""
    allowed = "\n\r\t" if multiline else ""
    return any((ch < " " and ch not in allowed) or ch == "\x7f" for ch in text)
