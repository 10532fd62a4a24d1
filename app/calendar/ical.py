"""Pure builders from models to icalendar objects: feeds (no METHOD) and iTIP invites (REQUEST/CANCEL).

Every time is written in UTC, so no VTIMEZONE is needed and every client agrees. Pure: no Flask, no
database, no configuration; what identifies an entry (UID, SEQUENCE, LOCATION) is given by the caller from
app/calendar/identity.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from app.text import clean_line, clean_text

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
    return clean_text(text) if multiline else clean_line(text)


def _param_text(text: str) -> str:
    """A name as a parameter value (CN): one line, and no double quote, which RFC 6868 would write as ^'
    and readers without RFC 6868 (Outlook among them) show as it is."""
    return _clean(text).replace('"', "'")


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
    calendar = Calendar.new(prodid=PRODID, uid=uid, subcomponents=[_vevent(slot, stamp) for slot in slots])
    # TEXT values (RFC 5545 §3.3.11, RFC 7986 §5.1): icalendar writes NAME and X-WR-CALNAME unescaped, so a
    # comma in a title would cut the name short in some readers.
    calendar.add("name", vText(_clean(name)))
    calendar.add("x-wr-calname", vText(_clean(name)))
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
    """An RFC 5546 message for one recipient: METHOD REQUEST (invite, update) or CANCEL.

    A REQUEST may only say TENTATIVE or CONFIRMED (RFC 5546 §3.2.2): a cancelled slot can only be a CANCEL.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    if method == "REQUEST" and slot.cancelled:
        raise ValueError("a cancelled slot is sent as a CANCEL, never as a REQUEST")
    organizer = vCalAddress.new(organizer_email, cn=_param_text(organizer_name) or None)
    attendee = vCalAddress.new(
        attendee_email,
        cn=_param_text(attendee_name) or None,
        role="REQ-PARTICIPANT",
        partstat="ACCEPTED" if method == "REQUEST" else None,
        rsvp=False,
    )
    if method == "CANCEL":
        slot = Slot(**{**slot.__dict__, "cancelled": True})
    event = _vevent(slot, stamp, organizer=organizer, attendees=[attendee])
    # Not Calendar.new(): it gives every calendar a random UID of its own, which in an invite only stands
    # before the event's UID (the one that matters) and differs in every copy.
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(event)
    return calendar


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()


def _people_line(appearances) -> str:
    return "; ".join(
        f"{a.person.display_name} ({a.role.label.lower()})"
        + (f", {a.person.affiliation}" if a.person.affiliation else "")
        for a in appearances
    )


def _as_stored(thing, field: str) -> str:
    return getattr(thing, field)


def item_slot(
    item,
    *,
    uid: str,
    sequence: int,
    location: str,
    cancelled: bool = False,
    url: str | None = None,
    wording: Callable[[object, str], str] = _as_stored,
) -> Slot:
    """An agenda item as a feed entry; its identity (UID, SEQUENCE, LOCATION, called off or not) comes from
    app.calendar.identity. `wording(thing, field)` gives the titles and description in the reader's language
    (app.i18n.localised); the stored English by default."""
    session = item.session
    people = _people_line(item.appearances)
    description = "\n\n".join(
        part for part in (wording(session, "title"), people, wording(item, "description")) if part
    )
    return Slot(
        uid=uid,
        sequence=sequence,
        summary=wording(item, "title"),
        start=item.starts_at,
        end=item.ends_at,
        description=description,
        location=location,
        url=url,
        cancelled=cancelled,
    )


def session_slot(
    session,
    *,
    uid: str,
    sequence: int,
    location: str,
    cancelled: bool = False,
    url: str | None = None,
    wording: Callable[[object, str], str] = _as_stored,
) -> Slot:
    """A whole session as one entry (its aims as the description); `wording` as for item_slot."""
    return Slot(
        uid=uid,
        sequence=sequence,
        summary=f"{wording(session, 'title')} – {wording(session.event, 'title')}",
        start=session.starts_at,
        end=session.ends_at,
        description=wording(session, "description"),
        location=location,
        url=url,
        cancelled=cancelled,
    )


def google_calendar_url(slot: Slot) -> str:
    """A Google Calendar "add event" template link for the slot (times in UTC)."""
    dates = "/".join(t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for t in (slot.start, slot.end))
    details = _clean(slot.description, multiline=True)
    if slot.url:
        details = f"{details}\n\n{slot.url}".strip()
    query = {"action": "TEMPLATE", "text": _clean(slot.summary), "dates": dates, "details": details}
    if slot.location:
        query["location"] = _clean(slot.location)
    return "https://calendar.google.com/calendar/render?" + urlencode(query, quote_via=quote)
