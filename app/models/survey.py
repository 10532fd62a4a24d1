"""The short survey after a session: its questions, and one answer per attendee."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StrEnumChoices, UTCDateTime, utcnow
from app.models.event import EventSession, _enum
from app.models.registration import Registration

#: The questions after the rating: at most this many.
MAX_QUESTIONS = 3


class QuestionKind(StrEnumChoices):
    TEXT = "text"
    CHOICE = "choice"


class Survey(db.Model):
    """A session's survey: a 1-5 rating (always asked first), up to three further questions, and when it
    closes. At most one per session."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"), unique=True)
    #: The rating's question, answered 1 (not at all) to 5 (very).
    rating_prompt: Mapped[str] = mapped_column(String(300))
    #: No answer is taken or changed from then on.
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[EventSession] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", passive_deletes=True, order_by="SurveyQuestion.position"
    )

    def __repr__(self) -> str:
        return f"<Survey {self.id} of session {self.session_id}>"


class SurveyQuestion(db.Model):
    """A question after the rating: free text, or one choice among the options (one per line)."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        UniqueConstraint("survey_id", "position", name="one_question_per_position"),
        CheckConstraint(f"position BETWEEN 1 AND {MAX_QUESTIONS}", name="position_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: 1 to 3: which answer column of SurveyAnswer holds its answers.
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind, "survey_question_kind"))
    prompt: Mapped[str] = mapped_column(String(300))
    #: The options of a choice question, one per line ("" for free text).
    choices: Mapped[str] = mapped_column(Text, default="")

    survey: Mapped[Survey] = relationship(back_populates="questions")

    @property
    def options(self) -> list[str]:
        return [line for line in self.choices.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<SurveyQuestion {self.position} {self.kind}>"


class SurveyAnswer(db.Model):
    """One attendee's answers to a survey: one row per registration, changed in place until the survey closes.
    It holds no name or address: the registration it points to loses those when anonymised."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("registration_id", name="one_answer_per_registration"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    #: The answers to the questions at positions 1, 2 and 3 ("" when not asked or left blank).
    answer_1: Mapped[str] = mapped_column(Text, default="")
    answer_2: Mapped[str] = mapped_column(Text, default="")
    answer_3: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    survey: Mapped[Survey] = relationship()
    registration: Mapped[Registration] = relationship()

    def answer(self, position: int) -> str:
        return getattr(self, f"answer_{position}")

    def __repr__(self) -> str:
        return f"<SurveyAnswer {self.id} of registration {self.registration_id}>"
