"""Counted words and waits in people's words."""

from app.errors import _wait_words
from app.wording import count, plural


def test_counted_nouns_are_singular_for_one_only():
    assert [count(n, "attendee") for n in (0, 1, 2)] == ["0 attendees", "1 attendee", "2 attendees"]
    assert (count(3, "person"), plural(1, "person"), count(2, "box", "boxes")) == ("3 people", "person", "2 boxes")


def test_a_wait_is_said_to_the_nearest_minute_hour_or_day():
    assert [_wait_words(s) for s in (1, 60, 89, 901, 3000, 3601, 7200, 90000, 172800)] == [
        "a minute", "a minute", "a minute", "15 minutes", "50 minutes", "an hour", "2 hours", "25 hours", "2 days",
    ]  # fmt: skip
