"""A slot's and a registration's calendar identity: its UID, its SEQUENCE and what its LOCATION says.

Every calendar object the app writes (the public feeds and downloads, the speaker's feed and slot download,
the invites and cancellations emailed to attendees and speakers) takes these from here, so that two objects
with the same UID can never disagree on how new they are or on where the slot is.

- UID: `<the row's uid>@ICAL_UID_DOMAIN`, never changed once written (a calendar matches updates on it).
- SEQUENCE: one counter per UID that never decreases, whichever object carries it (RFC 5545 §3.8.7.4). A
  calendar that sees a lower SEQUENCE than one it holds ignores the object, so a feed and an invite with the
  same UID must read the same counter.
- LOCATION: the place; an online session's join link only for the people who may join (a seat, a slot),
  never in public feeds or in a cancellation.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from app.models import AgendaItem, Appearance, EventSession, EventStatus, Registration


def uid(local_part: str) -> str:
    """The UID of anything the app publishes: stable, on the configured domain (never change it once used)."""
    return f"{local_part}@{current_app.config['ICAL_UID_DOMAIN']}"


def session_uid(session: EventSession) -> str:
    """The public entry of a whole session (agenda feed, session download)."""
    return uid(session.uid)


def item_uid(item: AgendaItem) -> str:
    """The public entry of an agenda item (agenda feed, item download)."""
    return uid(item.uid)


def appearance_uid(appearance: Appearance) -> str:
    """A speaker's slot: the same UID in their feed, their slot download and every invite they are emailed."""
    return uid(appearance.uid)


def registration_uid(registration: Registration) -> str:
    """An attendee's seat: the same UID in every invite, update and cancellation they are emailed."""
    return uid(registration.uid)


def feed_uid(name: str) -> str:
    """The calendar-level UID of a feed (RFC 7986), e.g. `<slug>-agenda` or `speaker-<id>`."""
    return uid(name)


def session_sequence(session: EventSession) -> int:
    """The session's version: raised by every change people rely on, never lowered."""
    return session.version


def item_sequence(item: AgendaItem) -> int:
    """An item's own version plus its session's (the entry shows both): a sum of counters that only rise."""
    return item.version + item.session.version


def appearance_sequence(appearance: Appearance) -> int:
    """The one SEQUENCE of a speaker's slot, for the feed, the slot download and the invites alike.

    The higher of the SEQUENCE last emailed (`Appearance.sequence`, only ever raised) and the item's sequence
    (versions that only rise), so it never decreases whichever of the two moved. Once the session is called
    off it stays at the cancellation the speaker was sent (`raise_appearance_sequence` ran for it): later
    edits to a cancelled session make nothing newer than that CANCEL.
    """
    if appearance.item.session.is_cancelled:
        return appearance.sequence
    return max(appearance.sequence, item_sequence(appearance.item))


def raise_appearance_sequence(appearance: Appearance) -> int:
    """A changed slot (moved, cancelled) is newer than anything shown of it before: the feed and every invite."""
    appearance.sequence = appearance_sequence(appearance) + 1
    return appearance.sequence


def hold_appearance_sequence(appearance: Appearance) -> int:
    """The first invite of a slot: keep the SEQUENCE it carries, so the feed never shows less."""
    appearance.sequence = appearance_sequence(appearance)
    return appearance.sequence


def registration_sequence(registration: Registration) -> int:
    """The SEQUENCE of an attendee's invite: emailed objects are the only ones with this UID."""
    return registration.sequence


def raise_registration_sequence(registration: Registration) -> int:
    """The seat's session moved, its link changed, or the seat is cancelled: the next email is newer."""
    registration.sequence += 1
    return registration.sequence


def is_called_off(session: EventSession) -> bool:
    """The session's entries say STATUS:CANCELLED: the session is called off, or its whole event."""
    return session.is_cancelled or session.event.status == EventStatus.CANCELLED


def location(session: EventSession, *, item: AgendaItem | None = None, join_link: bool) -> str:
    """Where the slot takes place.

    Online: the join link when `join_link` (an attendee's invite for a seat, a speaker's own slot) and the
    session is on, otherwise just "Online". In a room: the item's place (or the session's), then the venue.
    """
    if session.is_online:
        if join_link and session.join_url and not session.is_cancelled:
            return session.join_url
        return _("Online")
    place = (item.location if item is not None else "") or session.location
    return ", ".join(part for part in (place, session.event.venue) if part)


def organizer(event) -> tuple[str, str]:
    """The ORGANIZER of the event's invites, (address, name): its contact, else the sender address."""
    return event.contact_email or current_app.config["MAIL_DEFAULT_SENDER"], event.contact_name or event.title
