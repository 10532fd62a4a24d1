"""Pure builders from models to icalendar objects: feeds (no METHOD) and iTIP invites (REQUEST/CANCEL).

Every time is written in UTC, so no VTIMEZONE is needed and every client agrees (STACK.md).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration

PRODID = "-//MPF Events//Event registration//EN"


@dataclass(frozen=True)
class Slot:
    """What one VEVENT says, independent of the model it came from."""

    uid: str
    sequence: int
    summary: str
    start: datetime
    end: datetime
    description: str = ""
    location: str = ""
    url: str | None = None
    cancelled: bool = False


def _clean(text: str, *, multiline: bool = False) -> str:
    """Drop control characters; a one-line property loses its line breaks too."""
    if multiline:
        return "".join(ch for ch in text.replace("\r\n", "\n") if ch == "\n" or (ch >= " " and ch != "\x7f"))
    return " ".join("".join(ch if ch >= " " and ch != "\x7f" else " " for ch in text).split())


def _vevent(slot: Slot, stamp: datetime, **extra) -> Event:
    event = Event.new(
        uid=slot.uid,
        sequence=slot.sequence,
        start=slot.start.astimezone(UTC),
        end=slot.end.astimezone(UTC),
        stamp=stamp.astimezone(UTC),
        summary=_clean(slot.summary),
        description=_clean(slot.description, multiline=True) or None,
        location=_clean(slot.location) or None,
        url=slot.url,
        **extra,
    )
    if slot.cancelled:
        event.add("status", "CANCELLED")
    return event


def feed_calendar(uid: str, name: str, slots: list[Slot], *, stamp: datetime, refresh: timedelta) -> Calendar:
    """A subscribable feed: no METHOD, stable UIDs, REFRESH-INTERVAL and X-PUBLISHED-TTL.

    `stamp` should come from the data (its last change), so the same data gives the same bytes
    and the same ETag.
    """
    calendar = Calendar.new(
        prodid=PRODID, uid=uid, name=_clean(name), subcomponents=[_vevent(slot, stamp) for slot in slots]
    )
    calendar.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    return calendar


def invite_calendar(
    slot: Slot,
    *,
    method: str,
    organizer_email: str,
    organizer_name: str,
    attendee_email: str,
    attendee_name: str,
    stamp: datetime,
) -> Calendar:
    """An RFC 5546 message for one recipient: METHOD REQUEST (invite, update) or CANCEL."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    organizer = vCalAddress.new(organizer_email, cn=_clean(organizer_name) or None)
    attendee = vCalAddress.new(
        attendee_email,
        cn=_clean(attendee_name) or None,
        role="REQ-PARTICIPANT",
        partstat="ACCEPTED" if method == "REQUEST" else None,
        rsvp=False,
    )
    if method == "CANCEL":
        slot = Slot(**{**slot.__dict__, "cancelled": True})
    event = _vevent(slot, stamp, organizer=organizer, attendees=[attendee])
    return Calendar.new(prodid=PRODID, method=method, subcomponents=[event])


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()
