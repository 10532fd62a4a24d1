"""The short survey after a session: organisers set its questions and closing time, each attendee answers once
through their private link and may change their answers until it closes, organisers and the session's speakers
read the results without names.

Who may answer: a confirmed registration marked as attended, of a session that has ended and is not cancelled,
before the survey closes. Confirmed no-shows may not: the survey asks how the session was, which only someone
who was there can say. An anonymised registration cannot open its link any more (its token is gone); its
answers stay, and hold no name or address.

A survey that was never set up is asked with the defaults (DEFAULT_RATING, DEFAULT_QUESTIONS, closing
SURVEY_OPEN_DAYS after the session ends); its row is written with the first answer or the organisers' first
save. The default prompts are stored in English, as the catalogue's ids, and shown in each reader's language.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.activity import record
from app.errors import DomainError
from app.extensions import db
from app.models import (
    EventSession,
    EventStatus,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
)
from app.models.survey import MAX_QUESTIONS
from app.text import has_control_characters, spreadsheet_cell
from app.timeutil import formatting_locale

#: How long a survey stays open after its session ends, unless the organisers choose another time.
SURVEY_OPEN_DAYS = 14
#: The longest free-text answer, in characters.
MAX_ANSWER = 2000
#: The longest question, in characters (the column's size).
MAX_PROMPT = 300
#: At most this many options in a choice question, each at most MAX_OPTION characters.
MAX_OPTIONS = 10
MAX_OPTION = 100


def N_(text: str) -> str:  # noqa: N802 - the catalogue's marker for words translated later, when shown
    return text


DEFAULT_RATING = N_("How useful was this session?")
#: (kind, prompt, options) of the questions a new survey starts with.
DEFAULT_QUESTIONS = ((QuestionKind.TEXT, N_("What should come next?"), ""),)
#: The default prompts as stored (English, the catalogue's ids), shown through the catalogue.
_DEFAULT_PROMPTS = {DEFAULT_RATING, *(prompt for _kind, prompt, _options in DEFAULT_QUESTIONS)}


class SurveyRefused(DomainError):
    default_message = _l("This survey cannot be answered.")


class SurveyLocked(DomainError):
    default_message = _l(
        "Someone has answered already: the questions stay as they are, so that every answer answers the same "
        "questions. Only the closing time can still change."
    )


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the organisers' form gives it."""

    kind: QuestionKind | str
    prompt: str
    options: list[str] = field(default_factory=list)


def shown_prompt(prompt: str) -> str:
    """A prompt in the reader's language: a default one through the catalogue, an organiser's as written."""
    return _(prompt) if prompt in _DEFAULT_PROMPTS else prompt


def _stored_prompt(prompt: str) -> str:
    """What to store for a prompt typed on the form: a default one, as shown in this language, is stored as its
    English id again (so that every reader keeps seeing it in their own language)."""
    for default in _DEFAULT_PROMPTS:
        if prompt == _(default):
            return default
    return prompt


def default_closing(session: EventSession) -> datetime:
    return session.ends_at + timedelta(days=SURVEY_OPEN_DAYS)


def find_survey(session: EventSession) -> Survey | None:
    return db.session.scalar(
        select(Survey).where(Survey.session_id == session.id).options(selectinload(Survey.questions))
    )


def survey_of(session: EventSession) -> Survey:
    """The session's survey, or the default one it would start with (not added to the database)."""
    return find_survey(session) or _default_survey(session)


def _default_survey(session: EventSession) -> Survey:
    survey = Survey(session_id=session.id, rating_prompt=DEFAULT_RATING, closes_at=default_closing(session))
    survey.questions = [
        SurveyQuestion(position=n, kind=kind, prompt=prompt, choices=options)
        for n, (kind, prompt, options) in enumerate(DEFAULT_QUESTIONS, 1)
    ]
    return survey


def _ensure_survey(session: EventSession) -> Survey:
    """The stored survey, written with the defaults if there is none yet. The caller holds the session's lock."""
    survey = find_survey(session)
    if survey is None:
        survey = _default_survey(session)
        db.session.add(survey)
        db.session.flush()
    return survey


def _lock_session(session: EventSession) -> None:
    """Lock the session row (SELECT ... FOR UPDATE; BEGIN IMMEDIATE on SQLite): writes to its survey, from the
    first answer to the organisers' save, happen one at a time."""
    db.session.execute(select(EventSession.id).where(EventSession.id == session.id).with_for_update())


def answer_count(survey: Survey) -> int:
    if survey.id is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.survey_id == survey.id))


# --- the organisers' settings -------------------------------------------------------------------------


def save_survey(
    session: EventSession,
    *,
    rating_prompt: str,
    questions: list[QuestionSpec],
    closes_at: datetime,
    by,
    now: datetime,
) -> Survey:
    """Set the session's survey: the rating's question, up to three more (blank prompts dropped), the closing
    time (after the session ends). Once someone answered, only the closing time may change (SurveyLocked)."""
    if closes_at <= session.ends_at:
        raise DomainError(_("The survey must close after the session ends."))
    rating_prompt = _clean_prompt(rating_prompt)
    if not rating_prompt:
        raise DomainError(_("Write the rating's question."))
    wanted = [_checked_question(spec) for spec in questions if (spec.prompt or "").strip()]
    if len(wanted) > MAX_QUESTIONS:
        raise DomainError(_("At most %(num)d questions after the rating.", num=MAX_QUESTIONS))
    _lock_session(session)
    survey = _ensure_survey(session)
    current = [(q.kind, q.prompt, q.options) for q in survey.questions]
    changed = survey.rating_prompt != rating_prompt or current != [(q.kind, q.prompt, q.options) for q in wanted]
    if changed and answer_count(survey):
        raise SurveyLocked()
    if changed:
        survey.rating_prompt = rating_prompt
        survey.questions.clear()
        db.session.flush()  # the old positions go before the new ones take them
        for n, spec in enumerate(wanted, 1):
            survey.questions.append(
                SurveyQuestion(position=n, kind=spec.kind, prompt=spec.prompt, choices="\n".join(spec.options))
            )
    survey.closes_at = closes_at
    survey.updated_at = now
    record(
        by=by,
        event=session.event,
        action="survey.saved",
        summary=f"Set the survey of the session “{session.title}” ({len(wanted)} questions after the rating).",
        target=session,
        now=now,
    )
    return survey


def _clean_prompt(prompt: str) -> str:
    prompt = (prompt or "").strip()
    if len(prompt) > MAX_PROMPT:
        raise DomainError(_("A question has at most %(num)d characters.", num=MAX_PROMPT))
    if has_control_characters(prompt):
        raise DomainError(_("A question contains characters that are not allowed."))
    return _stored_prompt(prompt)


def _checked_question(spec: QuestionSpec) -> QuestionSpec:
    kind = QuestionKind(spec.kind)
    prompt = _clean_prompt(spec.prompt)
    options = [option.strip() for option in spec.options if option.strip()]
    if kind == QuestionKind.CHOICE:
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise DomainError(
                _("“%(prompt)s” needs between 2 and %(num)d options, one per line.", prompt=prompt, num=MAX_OPTIONS)
            )
        if any(len(option) > MAX_OPTION or has_control_characters(option) for option in options):
            raise DomainError(
                _("Each option has at most %(num)d characters and no control characters.", num=MAX_OPTION)
            )
        if len(set(options)) != len(options):
            raise DomainError(_("“%(prompt)s” has the same option twice.", prompt=prompt))
    else:
        options = []
    return QuestionSpec(kind=kind, prompt=prompt, options=options)


# --- answering ------------------------------------------------------------------------------------------


def answer_refusal(registration: Registration, survey: Survey, *, now: datetime) -> str | None:
    """Why this registrant may not answer (or change their answers) now, in words for them; None if they may."""
    session = registration.session
    if session.is_cancelled or session.event.status == EventStatus.CANCELLED:
        return _("This session was called off: there is no survey.")
    if registration.status == RegistrationStatus.CANCELLED:
        return _("Your registration is cancelled: the survey is for the people who attended.")
    if registration.status != RegistrationStatus.CONFIRMED or registration.attended_at is None:
        return _("The survey is for the people who attended the session.")
    if now < session.ends_at:
        return _("The survey opens when the session ends.")
    if now >= survey.closes_at:
        return _("The survey has closed: answers are no longer taken or changed.")
    return None


def find_answer(registration: Registration) -> SurveyAnswer | None:
    return db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.registration_id == registration.id))


def answer_survey(registration: Registration, *, rating: int, answers: dict[int, str], now: datetime) -> SurveyAnswer:
    """Save the registrant's answers: their one row, written the first time and changed in place later.

    The session's row is locked first, so two submits at once (two tabs) are one after the other: the second
    finds the first's row and changes it. `answers` maps a question's position to its answer; each is checked
    against its question (a choice among the options, a text within MAX_ANSWER)."""
    session = registration.session
    _lock_session(session)
    survey = _ensure_survey(session)
    refusal = answer_refusal(registration, survey, now=now)
    if refusal:
        raise SurveyRefused(refusal)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise SurveyRefused(_("Choose a rating from 1 to 5."))
    values = {f"answer_{n}": "" for n in range(1, MAX_QUESTIONS + 1)}
    for question in survey.questions:
        values[f"answer_{question.position}"] = _checked_answer(question, answers.get(question.position))
    answer = find_answer(registration)
    if answer is None:
        answer = SurveyAnswer(survey=survey, registration_id=registration.id, created_at=now)
        db.session.add(answer)
    answer.rating = rating
    for name, value in values.items():
        setattr(answer, name, value)
    answer.updated_at = now
    db.session.flush()
    return answer


def _checked_answer(question: SurveyQuestion, value: str | None) -> str:
    value = (value or "").strip().replace("\r\n", "\n")
    if question.kind == QuestionKind.CHOICE:
        if value not in question.options:
            raise SurveyRefused(_("Choose one of the options of “%(prompt)s”.", prompt=shown_prompt(question.prompt)))
        return value
    if len(value) > MAX_ANSWER:
        raise SurveyRefused(_("An answer has at most %(num)d characters.", num=MAX_ANSWER))
    if has_control_characters(value, multiline=True):
        raise SurveyRefused(_("An answer contains characters that are not allowed."))
    return value


# --- results --------------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: SurveyQuestion
    #: A choice question's options with how many chose each, in the options' order.
    counts: list[tuple[str, int]] = field(default_factory=list)
    #: A free-text question's answers (blank ones left out), oldest first.
    comments: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    """What the answers say, with nobody named."""

    survey: Survey
    answers: int
    #: How many gave each rating, 1 to 5.
    ratings: dict[int, int]
    questions: list[QuestionResult]

    @property
    def average(self) -> float | None:
        total = sum(rating * n for rating, n in self.ratings.items())
        return total / self.answers if self.answers else None

    def share(self, count: int) -> int:
        """A count as a whole percentage of the answers (for the bars)."""
        return round(100 * count / self.answers) if self.answers else 0


def _answers(survey: Survey) -> list[SurveyAnswer]:
    if survey.id is None:
        return []
    return list(
        db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.survey_id == survey.id).order_by(SurveyAnswer.id))
    )


def survey_results(session: EventSession) -> SurveyResults:
    """The distribution of the ratings, the choices' counts and the comments, in a fixed number of queries."""
    survey = survey_of(session)
    answers = _answers(survey)
    ratings = Counter(answer.rating for answer in answers)
    results = []
    for question in survey.questions:
        given = [answer.answer(question.position) for answer in answers]
        if question.kind == QuestionKind.CHOICE:
            chosen = Counter(given)
            results.append(QuestionResult(question, counts=[(option, chosen[option]) for option in question.options]))
        else:
            results.append(QuestionResult(question, comments=[text for text in given if text]))
    return SurveyResults(
        survey=survey, answers=len(answers), ratings={n: ratings[n] for n in range(1, 6)}, questions=results
    )


def format_average(value: float) -> str:
    """An average rating with one decimal, as the reader's language writes it ("4.5", "4,5")."""
    return format_decimal(value, format="0.0", locale=formatting_locale())


@dataclass(frozen=True)
class SurveySummary:
    """What the dashboard shows of a session's survey: how many answered, the average rating, and how many gave
    each rating (1 to 5, zeros included)."""

    answers: int
    average: float
    ratings: dict[int, int]


def survey_summaries(session_ids: list[int]) -> dict[int, SurveySummary]:
    """The summary of each of these sessions' surveys that has answers, in one query."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(Survey.session_id, SurveyAnswer.rating, func.count(SurveyAnswer.id))
        .join(SurveyAnswer, SurveyAnswer.survey_id == Survey.id)
        .where(Survey.session_id.in_(session_ids))
        .group_by(Survey.session_id, SurveyAnswer.rating)
    )
    counts: dict[int, dict[int, int]] = {}
    for session_id, rating, count in rows:
        counts.setdefault(session_id, dict.fromkeys(range(1, 6), 0))[rating] = count
    summaries = {}
    for session_id, ratings in counts.items():
        answers = sum(ratings.values())
        average = sum(rating * count for rating, count in ratings.items()) / answers
        summaries[session_id] = SurveySummary(answers, average, ratings)
    return summaries


def survey_csv(session: EventSession) -> bytes:
    """One row per answer, no name, address or time: the rating and each question's answer. UTF-8 with a BOM
    (so that spreadsheets read the accents right); the headers are the questions as the organisers see them."""
    survey = survey_of(session)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    questions = list(survey.questions)
    writer.writerow(
        [spreadsheet_cell(_("Rating (1-5): %(prompt)s", prompt=shown_prompt(survey.rating_prompt)))]
        + [spreadsheet_cell(shown_prompt(q.prompt)) for q in questions]
    )
    for answer in _answers(survey):
        writer.writerow([answer.rating] + [spreadsheet_cell(answer.answer(q.position)) for q in questions])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
