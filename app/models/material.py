"""Materials: files (slides, papers, pictures) attached to an agenda item or a session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.account import Organiser
from app.models.base import StrEnumChoices, UTCDateTime, utcnow
from app.models.event import AgendaItem, Event, EventSession, Person, _enum


class MaterialVisibility(StrEnumChoices):
    #: Anyone, on the public pages, once the session is over.
    PUBLIC = "public"
    #: The session's confirmed registrants, through their manage link, once the session is over.
    REGISTRANTS = "registrants"
    #: The event's organisers only (and the speaker who uploaded it).
    ORGANISERS = "organisers"


class MaterialKind(StrEnumChoices):
    """What the file is, as its content shows (never its name): app.materials.checks decides it."""

    PDF = "pdf"
    PPTX = "pptx"
    DOCX = "docx"
    ODP = "odp"
    XLSX = "xlsx"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"


class Material(db.Model):
    """One file of an agenda item (`item_id` set) or of a whole session (`item_id` None).

    The bytes live in the MATERIALS_DIR folder under `stored_name`, a generated name; the person's own file name
    is kept, cleaned, only to be shown and offered as the download's name."""

    __tablename__ = "materials"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: The session whose end makes the file public (for an item's file, the item's session).
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    visibility: Mapped[MaterialVisibility] = mapped_column(
        _enum(MaterialVisibility, "material_visibility"), default=MaterialVisibility.PUBLIC
    )
    kind: Mapped[MaterialKind] = mapped_column(_enum(MaterialKind, "material_kind"))
    #: The uploader's file name, cleaned (no path, no control characters): shown and offered on download.
    file_name: Mapped[str] = mapped_column(String(255))
    #: The file's name on disk: generated, never derived from what the uploader sent.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    #: The content's SHA-256, for the audit trail (the activity log names it when the file is replaced or deleted).
    sha256: Mapped[str] = mapped_column(String(64))
    #: The speaker's record in this event, when a speaker uploaded it (they may replace or delete it).
    uploaded_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    uploaded_by_organiser_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    session: Mapped[EventSession] = relationship()
    item: Mapped[AgendaItem | None] = relationship()
    uploaded_by_person: Mapped[Person | None] = relationship()
    uploaded_by_organiser: Mapped[Organiser | None] = relationship()

    def __repr__(self) -> str:
        return f"<Material {self.id} {self.kind} of {'item ' + str(self.item_id) if self.item_id else 'session'}>"
