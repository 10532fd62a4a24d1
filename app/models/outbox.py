"""The transactional outbox: emails stored with the change that caused them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import StrEnumChoices, UTCDateTime, utcnow
from app.models.event import _enum


class OutboxStatus(StrEnumChoices):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    #: Superseded before it was due (a registration or session cancelled), or a reminder the worker dropped
    #: when it fell due (`last_error` says why: app.mail.messages.DROPPED).
    CANCELLED = "cancelled"


class OutboxMessage(db.Model):
    """One email to one recipient, delivered by `flask outbox` workers."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the message is (confirmation, reminder_24h, update, cancel, speaker_link, ...).
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    from_address: Mapped[str | None] = mapped_column(String(254))
    #: Subject and bodies are empty for a reminder until the worker writes them when it falls due.
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: The iCalendar text, if the message carries an invite.
    ics: Mapped[str | None] = mapped_column(Text)
    #: The private links (manage, speaker sign-in, password reset) the message carries, one a line. The bodies
    #: hold placeholders (app.mail.outbox.link_placeholder) that only the copy sent is given the links for;
    #: NULL once the message is sent, failed or cancelled, so no usable link stays at rest.
    private_links: Mapped[str | None] = mapped_column(Text)
    #: REQUEST, CANCEL or PUBLISH: the iTIP method of `ics`.
    ics_method: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED)
    #: Not delivered before this time (reminders, retries with backoff).
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: A worker's claim; an expired claim is taken over by another worker.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the body (text, HTML, invite) was deleted: after MAIL_RETENTION_DAYS, or when the recipient's
    #: registration was erased or anonymised.
    body_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("event_sessions.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
