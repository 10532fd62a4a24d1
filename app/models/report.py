"""What the synopsis report adds to an event: notes with their history, rapporteurs, and the classification
(typologies) its items are placed in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.account import Organiser
from app.models.base import UTCDateTime, utcnow
from app.models.event import AgendaItem, Event, EventSession

#: Accounts named by an event's organisers to write its notes, and nothing else of that event.
event_rapporteurs = Table(
    "event_rapporteurs",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("organiser_id", ForeignKey("organisers.id", ondelete="CASCADE"), primary_key=True),
)

#: Which categories an agenda item (a project's presentation) is placed in.
typology_items = Table(
    "typology_items",
    db.metadata,
    Column("typology_id", ForeignKey("typologies.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Note(db.Model):
    """What was said: the note of one agenda item or the summary of one session (safe Markdown). Every saved
    text is also kept as a `NoteRevision`; `version` detects an edit made on a text that changed since."""

    __tablename__ = "notes"
    __table_args__ = (
        CheckConstraint("(item_id IS NULL) <> (session_id IS NULL)", name="item_or_session"),
        UniqueConstraint("item_id", name="one_note_per_item"),
        UniqueConstraint("session_id", name="one_summary_per_session"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text, default="")
    #: Raised on every save; an edit must say which version it was written on.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[AgendaItem | None] = relationship()
    session: Mapped[EventSession | None] = relationship()
    revisions: Mapped[list[NoteRevision]] = relationship(
        back_populates="note",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="NoteRevision.version.desc()",
    )


class NoteRevision(db.Model):
    """One saved text of a note, with who saved it and when: the note's history, never changed."""

    __tablename__ = "note_revisions"
    __table_args__ = (UniqueConstraint("note_id", "version", name="one_revision_per_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The account that saved it (None once the account is gone); its name as it was then, kept for the history.
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id", ondelete="SET NULL"))
    saved_by_name: Mapped[str] = mapped_column(String(254), default="")

    note: Mapped[Note] = relationship(back_populates="revisions")
    saved_by: Mapped[Organiser | None] = relationship()


class Typology(db.Model):
    """A named category of an event's classification (a partnership typology); items are placed in several."""

    __tablename__ = "typologies"
    __table_args__ = (UniqueConstraint("event_id", "name", name="one_name_per_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    name_fr: Mapped[str | None] = mapped_column(String(200))
    description_fr: Mapped[str | None] = mapped_column(Text)
    #: The order of the categories on the matrix.
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        secondary=typology_items, order_by="(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)"
    )

    @property
    def title_fr(self) -> str | None:  # so that app.i18n.localised(typology, "title") works like elsewhere
        return self.name_fr

    @property
    def title(self) -> str:
        return self.name
