"""Attendees' registrations for sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StrEnumChoices, UTCDateTime, new_uid, utcnow
from app.models.event import EventSession, _enum


class RegistrationStatus(StrEnumChoices):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class AttendanceSource(StrEnumChoices):
    """Where an attendance mark came from: a video platform's report, or an organiser's tick."""

    ZOOM = "zoom"
    TEAMS = "teams"
    WEBEX = "webex"
    HAND = "hand"


class AttendeeGroup(StrEnumChoices):
    MPF_GRANTEE = "mpf_grantee"
    EU_MEMBER_STATE = "eu_member_state"
    EU_SERVICE = "eu_service"
    PARTNER_COUNTRY = "partner_country"
    OTHER = "other"


class Registration(db.Model):
    """An attendee's place in a session; at most one active (not cancelled) per email and session."""

    __tablename__ = "registrations"
    __table_args__ = (
        Index(
            "uq_registrations_active_email",
            "session_id",
            "email_normalised",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registrations_session_status_created", "session_id", "status", "created_at"),
        #: The organiser's list in its order (oldest first): a page is read off the index, not sorted.
        Index("ix_registrations_session_created", "session_id", "created_at", "id"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    @classmethod
    def active(cls):
        """ "Not cancelled", written as the partial unique index's own predicate: with a bound parameter a
        prepared (generic) plan on PostgreSQL cannot use that index and scans the session's rows instead."""
        return cls.status != literal_column("'cancelled'")

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    #: Lower-cased email, the key of the one-active-registration rule.
    email_normalised: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    group: Mapped[AttendeeGroup] = mapped_column(_enum(AttendeeGroup, "attendee_group"), default=AttendeeGroup.OTHER)
    question: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    #: Version of the privacy notice the attendee consented to.
    consent_version: Mapped[str] = mapped_column(String(40))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Time zone the attendee chose, for showing the session in their own time.
    timezone: Mapped[str | None] = mapped_column(String(64))
    #: The language the attendee registered in (a code such as "fr"); every later email to them is written in it.
    #: None for registrations older than languages: English.
    language: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[RegistrationStatus] = mapped_column(_enum(RegistrationStatus, "registration_status"))
    #: Order on the waiting list: when the registration was (re)placed on it.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: sha256 of the private manage token; the token itself is only ever emailed.
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The invite's UID, never changed.
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    #: SEQUENCE of the last invite or cancellation sent.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: When the attendee was seen at the session (the platform's join time, or when an organiser ticked them);
    #: None: not marked as attended. A confirmed registration of a past session with None is a no-show.
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_source: Mapped[AttendanceSource | None] = mapped_column(
        _enum(AttendanceSource, "attendance_source"), nullable=True
    )
    #: When the attendance was last set or cleared.
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the attendee was sent the after-session follow-up (thank-you or sorry-we-missed-you); once only.
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the personal data was erased (on request, or at the retention date); status, group and times stay
    #: so that counts and the dashboard stay right.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[EventSession] = relationship()

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def attended(self) -> bool:
        return self.attended_at is not None

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"
