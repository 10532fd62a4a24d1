"""Recording who did what: `record(...)` adds an activity entry to the caller's transaction.

Services call it next to the change they make and never commit for it: the edge's one commit
(app.transaction.use_case) saves the entry with the change, and a change rolled back leaves no entry.
Summaries name sessions, items and people of the programme, never an attendee: a registration is named by
its id only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ActivityEntry,
    ActorKind,
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    Material,
    Organiser,
    OutboxMessage,
    Person,
    Registration,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class CommandActor:
    """A `flask ...` command run by an operator, named by its command line without arguments."""

    command: str


@dataclass(frozen=True)
class SystemActor:
    """The application acting on its own (the retention job, the outbox worker)."""

    name: str


Actor = Organiser | Person | Registration | CommandActor | SystemActor

_TARGET_TYPES = {
    Event: "event",
    EventSession: "session",
    AgendaItem: "item",
    Appearance: "appearance",
    Person: "person",
    Registration: "registration",
    OutboxMessage: "message",
    Organiser: "organiser",
    Material: "material",
}


def _actor(by: Actor) -> tuple[ActorKind, int | None, str]:
    if isinstance(by, Organiser):
        return ActorKind.ORGANISER, by.id, by.name or by.email
    if isinstance(by, Person):
        return ActorKind.SPEAKER, by.id, by.display_name
    if isinstance(by, Registration):
        # The attendee from their manage link: their registration's id, never their name or address.
        return ActorKind.ATTENDEE, by.id, f"Attendee of registration {by.id}"
    if isinstance(by, CommandActor):
        return ActorKind.COMMAND, None, by.command
    if isinstance(by, SystemActor):
        return ActorKind.SYSTEM, None, by.name
    raise TypeError(f"who made this change? {by!r} is not an actor")


def record(*, by: Actor, event: Event | None, action: str, summary: str, target=None, now: datetime) -> ActivityEntry:
    """Add one entry for a change to the current transaction (never commits)."""
    kind, actor_id, label = _actor(by)
    target_type = target_id = None
    if target is not None:
        target_type = _TARGET_TYPES[type(target)]
        if target.id is None:
            db.session.flush()  # a new row: its id is the target
        target_id = target.id
    entry = ActivityEntry(
        at=now,
        actor_kind=kind,
        actor_id=actor_id,
        actor_label=label[:200],
        event=event,
        action=action,
        summary=summary if len(summary) <= 500 else summary[:499] + "…",
        target_type=target_type,
        target_id=target_id,
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class ActivityPage:
    entries: list[ActivityEntry]
    page: int
    pages: int
    total: int


def event_activity(event: Event, *, kind: str | None = None, page: int = 1, per_page: int = PAGE_SIZE) -> ActivityPage:
    """The event's entries, newest first, a page at a time (two queries), optionally by one kind of actor."""
    conditions = [ActivityEntry.event_id == event.id]
    if kind in {k.value for k in ActorKind}:
        conditions.append(ActivityEntry.actor_kind == ActorKind(kind))
    total = db.session.scalar(select(func.count()).select_from(ActivityEntry).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    entries = list(
        db.session.scalars(
            select(ActivityEntry)
            .where(*conditions)
            .order_by(ActivityEntry.at.desc(), ActivityEntry.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return ActivityPage(entries=entries, page=page, pages=pages, total=total)
