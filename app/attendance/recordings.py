"""Recordings of sessions and agenda items: the links organisers set, and who may see them when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _

from app.activity import record
from app.errors import DomainError
from app.models import AgendaItem, EventSession, Organiser, Registration, RegistrationStatus

MAX_URL_LENGTH = 500


class InvalidRecordingLink(DomainError):
    pass


@dataclass(frozen=True)
class Recording:
    """A recording a registrant may watch: the session's own (`item` None) or an item's, with its link."""

    title: str
    url: str
    session: EventSession
    item: AgendaItem | None = None
    #: From when it can be watched; None: as soon as it is set.
    available_at: datetime | None = None

    @property
    def subject(self) -> EventSession | AgendaItem:
        """What the recording is of, for its title in the reader's language (`localised(subject, 'title')`)."""
        return self.item if self.item is not None else self.session


def is_available(url: str | None, available_at: datetime | None, now: datetime) -> bool:
    """A link shows from its time on; with no time, as soon as it is set."""
    return bool(url) and (available_at is None or available_at <= now)


def session_recordings(session: EventSession) -> list[Recording]:
    """Every recording link of the session, available yet or not: its own first, then each item's own (one that
    differs from the session's) in the agenda's order. The follow-up email gives them all, with the time each
    becomes available."""
    found = []
    if session.recording_url:
        found.append(Recording(session.title, session.recording_url, session, None, session.recording_available_at))
    for item in session.items:
        if item.recording_url and item.recording_url != session.recording_url:
            found.append(Recording(item.title, item.recording_url, session, item, item.recording_available_at))
    return found


def recordings_for(registration: Registration, now: datetime) -> list[Recording]:
    """The recordings this registration may watch now: only a confirmed registration (not waitlisted, not
    cancelled, not anonymised) sees them, each from its own time on, in the order of `session_recordings`."""
    if registration.status != RegistrationStatus.CONFIRMED or registration.anonymised_at is not None:
        return []
    return [r for r in session_recordings(registration.session) if is_available(r.url, r.available_at, now)]


def checked_url(url: str | None) -> str | None:
    """A recording link as stored: trimmed, None when blank; only a web address (http or https) with a host."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if len(url) > MAX_URL_LENGTH:
        raise InvalidRecordingLink(_("Use a link of %(max)d characters or fewer.", max=MAX_URL_LENGTH))
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in url):
        raise InvalidRecordingLink(_("Enter a web address starting with https:// or http://."))
    return url


def set_recording(
    target: EventSession | AgendaItem, url: str | None, available_at: datetime | None, *, by: Organiser, now: datetime
) -> None:
    """Set (or, with no link, remove) the recording of a session or of one of its items, and when it shows."""
    url = checked_url(url)
    target.recording_url = url
    target.recording_available_at = available_at if url else None
    if isinstance(target, AgendaItem):
        event, kind = target.session.event, "item"
    else:
        event, kind = target.event, "session"
    if url is None:
        summary = f"Removed the recording of the {kind} “{target.title}”."
    elif available_at is None:
        summary = f"Set the recording of the {kind} “{target.title}”, shown at once."
    else:
        summary = f"Set the recording of the {kind} “{target.title}”, shown from {available_at.isoformat()}."
    record(by=by, event=event, action="recording.set", summary=summary, target=target, now=now)
