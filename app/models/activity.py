"""The activity log: who changed what in an event, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StrEnumChoices, UTCDateTime, utcnow
from app.models.event import Event, _enum


class ActorKind(StrEnumChoices):
    ORGANISER = "organiser"
    SPEAKER = "speaker"
    #: A `flask ...` command run by an operator.
    COMMAND = "command"
    #: An attendee from their own manage link; known only by their registration's id.
    ATTENDEE = "attendee"
    #: The application itself (the retention job, the outbox worker).
    SYSTEM = "system"


class ActivityEntry(db.Model):
    """One change, saved in the same transaction as the change itself.

    Never holds an attendee's personal data: a registration is named by its id only, so that erasing a
    registrant leaves the log as it is. The actor's label is kept as it was at the time of the change."""

    __tablename__ = "activity_entries"
    __table_args__ = (Index("ix_activity_entries_event_at", "event_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[ActorKind] = mapped_column(_enum(ActorKind, "activity_actor_kind"))
    #: The organiser's, person's or registration's id; None for commands and the system. Not a foreign key:
    #: the entry outlives the account or person it names.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    #: The organiser's name (or email), the speaker's name, the command line, as they were then.
    actor_label: Mapped[str] = mapped_column(String(200))
    #: None for changes outside any event (an organiser account made or disabled). The log is part of the
    #: event's records and goes with it.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    #: What happened, as a stable code: session.moved, item.created, registration.cancelled, ...
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(500))
    #: What the change was made to (session, item, person, registration, ...) and its id, if anything.
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)

    event: Mapped[Event | None] = relationship()

    def __repr__(self) -> str:
        return f"<ActivityEntry {self.id} {self.action} by {self.actor_kind}:{self.actor_id}>"
