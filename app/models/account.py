"""Organiser accounts and their password-reset links, speakers (a human across events) and their single-use
sign-in links."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.event import Event, event_organisers


class Organiser(UserMixin, db.Model):
    """Staff who build agendas and run registrations; an admin manages every event."""

    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Raised whenever every session of the account must end (sign-out, password change or reset, disabling):
    #: a browser's session carries the version it signed in with and is refused once the two differ.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The language of the organiser's pages when they last signed in (a code such as "fr"); their emails are
    #: written in it. None until then: English.
    language: Mapped[str | None] = mapped_column(String(16))

    events: Mapped[list[Event]] = relationship(secondary=event_organisers, back_populates="organisers")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return not self.is_disabled

    def get_id(self) -> str:
        """What Flask-Login keeps in the session (and would put in a remember cookie): the id and the
        session version, so a copy made before the version was raised no longer loads anyone."""
        return f"{self.id}:{self.session_version}"


class Speaker(db.Model):
    """A speaker as one human across events, known by their verified email: what belongs to them rather than to
    one event's record of them (`Person`). Their slots are the appearances of the people with this email."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Normalised (app.text.normalise_email); the sign-in links go to it.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: The speaker's own IANA time zone, remembered for their pages and invites.
    timezone: Mapped[str | None] = mapped_column(String(64))
    #: The language of the speaker's pages when they last used them (a code such as "fr"); their emails are written
    #: in it. None until they first sign in: English.
    language: Mapped[str | None] = mapped_column(String(16))
    #: sha256 of the private calendar feed token.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Kept in the signed-in browser's session; raising it ("sign out everywhere") ends every other session.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Speaker {self.id}>"


class SpeakerLoginToken(db.Model):
    """A single-use, short-lived sign-in link for a speaker; only the hash is stored."""

    __tablename__ = "speaker_login_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    speaker: Mapped[Speaker] = relationship()


class PasswordResetToken(db.Model):
    """A single-use link to choose a new organiser password, valid for an hour; only the hash is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id", ondelete="CASCADE"), index=True)
    #: sha256 of the link's 256-bit token (app.security.hash_token).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when the link is used, and on the account's other open links when one of them is.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser: Mapped[Organiser] = relationship()
