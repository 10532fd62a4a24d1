"""Counted nouns in people's words: "1 attendee", "3 attendees", never "attendee(s)"."""

#: Plurals that are not the singular plus "s".
_IRREGULAR = {"person": "people", "accessibility need": "accessibility needs", "was": "were"}


def plural(number: int, singular: str, plural_form: str | None = None) -> str:
    """The noun that goes with `number`: `singular` for exactly 1, else `plural_form` (default: singular + s)."""
    if number == 1:
        return singular
    return plural_form or _IRREGULAR.get(singular) or f"{singular}s"


def count(number: int, singular: str, plural_form: str | None = None) -> str:
    """`number` and its noun: count(1, "attendee") -> "1 attendee", count(0, "speaker") -> "0 speakers"."""
    return f"{number} {plural(number, singular, plural_form)}"
