"""What each speaker was last emailed about each of their slots: what republishing compares against."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class SlotNotice(db.Model):
    """The last invite, update or cancellation a person was sent for one slot (one appearance's UID).

    It outlives the appearance (and the person): a slot removed while the event was a draft is cancelled on
    republishing from what this row says the speaker holds in their calendar.
    """

    __tablename__ = "slot_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: The appearance told of; None once it was removed.
    appearance_id: Mapped[int | None] = mapped_column(ForeignKey("appearances.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    #: The appearance's calendar UID (its local part), which a cancellation must carry.
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    #: The SEQUENCE of the last message sent for the slot.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32))
    item_title: Mapped[str] = mapped_column(Text)
    session_title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(Text, default="")
    #: The last message was the slot's cancellation: the speaker holds nothing of it any more.
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
