"""Events, their sessions, agenda items, people and appearances."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StrEnumChoices, UTCDateTime, new_uid, utcnow


class EventStatus(StrEnumChoices):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SessionStatus(StrEnumChoices):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ItemKind(StrEnumChoices):
    OPENING_REMARKS = "opening_remarks"
    PRESENTATION = "presentation"
    PANEL = "panel"
    CALL_FOR_PROPOSALS = "call_for_proposals"
    DISCUSSION = "discussion"
    BREAK = "break"
    LUNCH = "lunch"
    CONCLUSION = "conclusion"
    CLOSURE = "closure"
    OTHER = "other"


class Role(StrEnumChoices):
    SPEAKER = "speaker"
    PANELLIST = "panellist"
    MODERATOR = "moderator"
    CHAIR = "chair"

    @classmethod
    def sql_number(cls, column: str) -> str:
        """The role held in `column` as its number in this order (1 speaker to 4 chair, 5 anything else), as
        plain SQL: how the data fingerprints of the public agenda and of a speaker's feed take in a role."""
        whens = " ".join(f"WHEN '{role.value}' THEN {number}" for number, role in enumerate(cls, 1))
        return f"CASE {column} {whens} ELSE {len(cls) + 1} END"


class AppearanceResponse(StrEnumChoices):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


def _enum(cls, name: str) -> Enum:
    # Stored as the values, checked by a CHECK constraint on both databases.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


event_organisers = Table(
    "event_organisers",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("organiser_id", ForeignKey("organisers.id", ondelete="CASCADE"), primary_key=True),
)


class Event(db.Model):
    """One exchange event; its times are shown in `timezone` (an IANA name)."""

    __tablename__ = "events"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The title and description in French, where the organiser gave them (app.i18n.localised shows them).
    title_fr: Mapped[str | None] = mapped_column(String(200))
    description_fr: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str] = mapped_column(String(200), default="")
    #: IANA time zone name, e.g. Europe/Brussels.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus, "event_status"), default=EventStatus.DRAFT)
    #: The ORGANIZER of every invite.
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    #: Whether the typology matrix is on the event's public pages (organisers always see it).
    typologies_published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(EventSession.starts_at, EventSession.id)",
    )
    organisers: Mapped[list[Organiser]] = relationship(  # noqa: F821
        secondary=event_organisers, back_populates="events"
    )
    people: Mapped[list[Person]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True, order_by="Person.name"
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventSession(db.Model):
    """A part of an event with its own time range; may take registrations up to `capacity`."""

    __tablename__ = "event_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        CheckConstraint("seats_taken >= 0", name="seats_taken_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("capacity IS NULL OR seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_window_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The session's aims, shown on its page.
    description: Mapped[str] = mapped_column(Text, default="")
    #: The title and description in French, where the organiser gave them (app.i18n.localised shows them).
    title_fr: Mapped[str | None] = mapped_column(String(200))
    description_fr: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Shown only to confirmed attendees and the session's people, never publicly.
    join_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[SessionStatus] = mapped_column(
        _enum(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED
    )
    registration_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: None means no limit.
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: Confirmed registrations, kept by the services under the session's row lock.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The session's recording, shown to its registrants on their manage page from `recording_available_at`
    #: (None: as soon as it is set).
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_available_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The agenda item this session follows up (the "Looking Ahead" panel for the online session).
    follows_up_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL", use_alter=True)
    )
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    #: Raised on every change people rely on; the iCalendar SEQUENCE of the session's feed entries.
    version: Mapped[int] = mapped_column(Integer, default=0)
    #: Raised by the database (triggers on registrations) whenever a registration of this session is added,
    #: removed or changes what the organiser's list shows: the key of that list's rendered rows.
    registrations_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="sessions")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)",
        foreign_keys="AgendaItem.session_id",
    )
    follows_up_item: Mapped[AgendaItem | None] = relationship(foreign_keys=[follows_up_item_id])

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def __repr__(self) -> str:
        return f"<EventSession {self.id} {self.title!r}>"


class AgendaItem(db.Model):
    """A timed entry inside a session; the services keep it inside its session's range."""

    __tablename__ = "agenda_items"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "item_kind"), default=ItemKind.OTHER)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    #: The title and description in French, where the organiser gave them (app.i18n.localised shows them).
    title_fr: Mapped[str | None] = mapped_column(String(300))
    description_fr: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200), default="")
    #: Partnership typology of a presentation as free text, shown on the public agenda; the report's matrix
    #: reads the item's placements in the event's typologies (app.models.report) instead.
    typology: Mapped[str | None] = mapped_column(String(100))
    #: The item's own recording, where it differs from its session's (same rule for when it shows).
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_available_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Order among items that start at the same time.
    position: Mapped[int] = mapped_column(Integer, default=0)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    #: Raised on every change; the iCalendar SEQUENCE.
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[EventSession] = relationship(back_populates="items", foreign_keys=[session_id])
    appearances: Mapped[list[Appearance]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Appearance.position, Appearance.id)",
    )

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.title!r}>"


class Person(db.Model):
    """A speaker, panellist, moderator or chair in one event's programme (a record per event, as Indico's event
    persons and pretalx's speaker profiles); the same human in another event is another record, and their slots
    across events are gathered by their email (`Speaker`)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("event_id", "email", name="one_email_per_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    honorific: Mapped[str] = mapped_column(String(20), default="")
    name: Mapped[str] = mapped_column(String(200))
    #: The position as written, which may already name the organisation.
    position: Mapped[str] = mapped_column(String(300), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    #: Stored normalised (app.text.normalise_email); unique within the event, and how a speaker's records
    #: in several events are found.
    email: Mapped[str | None] = mapped_column(String(254))
    bio: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="people")
    appearances: Mapped[list[Appearance]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    @property
    def affiliation(self) -> str:
        """Position and organisation as the report writes them, without saying the organisation twice."""
        if self.organisation and self.organisation not in self.position:
            return ", ".join(part for part in (self.position, self.organisation) if part)
        return self.position or self.organisation

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name!r}>"


class Appearance(db.Model):
    """A person in an agenda item with a role, in an order; speakers confirm or decline it."""

    __tablename__ = "appearances"
    __table_args__ = (UniqueConstraint("item_id", "person_id", name="one_role_per_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "appearance_role"), default=Role.SPEAKER)
    position: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[AppearanceResponse] = mapped_column(
        _enum(AppearanceResponse, "appearance_response"), default=AppearanceResponse.PENDING
    )
    response_note: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The UID of this speaker's invite for the slot; never changes.
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    #: SEQUENCE of the last invite sent to the speaker for this slot.
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    item: Mapped[AgendaItem] = relationship(back_populates="appearances")
    person: Mapped[Person] = relationship(back_populates="appearances")

    def __repr__(self) -> str:
        return f"<Appearance {self.person_id} {self.role} in {self.item_id}>"
