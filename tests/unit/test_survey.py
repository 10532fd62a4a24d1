"""The survey: attendees answer once and may change their answers until it closes; results name nobody."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.activity import CommandActor
from app.extensions import db
from app.models import QuestionKind, Registration, RegistrationStatus, SessionStatus, SurveyAnswer
from app.privacy.services import anonymise_registrations, registration_data
from app.survey.services import (
    QuestionSpec,
    SurveyLocked,
    SurveyRefused,
    answer_survey,
    default_closing,
    save_survey,
    survey_csv,
    survey_of,
    survey_results,
)
from app.transaction import use_case
from tests.factories import at, make_online_session, make_registration
from tests.personal_data import where_found

BY = CommandActor("flask shell")
AFTER = at(10)  # the online session ends at 09:30

CHOICE = QuestionSpec(QuestionKind.CHOICE, "Would you join another session?", ["Yes", "Maybe", "No"])
TEXT = QuestionSpec(QuestionKind.TEXT, "What should come next?")


def _answers() -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyAnswer))


@pytest.fixture
def session(app_context):
    session = make_online_session()
    with use_case():
        save_survey(
            session, rating_prompt="How useful?", questions=[TEXT, CHOICE], closes_at=at(12), by=BY, now=at(7),
        )  # fmt: skip
    return session


def test_a_survey_never_set_up_asks_the_defaults_and_closes_fourteen_days_after_the_session(app_context):
    session = make_online_session()

    survey = survey_of(session)

    assert survey.rating_prompt == "How useful was this session?"
    assert [(q.kind, q.prompt) for q in survey.questions] == [(QuestionKind.TEXT, "What should come next?")]
    assert survey.closes_at == default_closing(session) == session.ends_at + timedelta(days=14)
    assert survey.id is None


def test_an_attendee_answers_once_and_a_second_submit_changes_the_same_row(session):
    attendee = make_registration(session, attended_at=at(8))

    with use_case():
        first = answer_survey(attendee, rating=4, answers={1: "More on the call", 2: "Yes"}, now=AFTER)
    with use_case():
        second = answer_survey(attendee, rating=2, answers={1: "", 2: "No"}, now=AFTER + timedelta(hours=1))

    assert second.id == first.id and _answers() == 1
    stored = db.session.get(SurveyAnswer, first.id)
    assert (stored.rating, stored.answer_1, stored.answer_2, stored.answer_3) == (2, "", "No", "")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s, r: None, "has closed"),
        (lambda s, r: setattr(r, "status", RegistrationStatus.CANCELLED), "is cancelled"),
        (lambda s, r: setattr(r, "attended_at", None), "for the people who attended"),
        (lambda s, r: setattr(r, "status", RegistrationStatus.WAITLISTED), "for the people who attended"),
        (lambda s, r: setattr(s, "status", SessionStatus.CANCELLED), "called off"),
    ],
)
def test_who_may_not_answer_is_told_why_and_nothing_is_saved(session, change, message):
    registration = make_registration(session, attended_at=at(8))
    change(session, registration)
    db.session.commit()
    when = at(13) if message == "has closed" else AFTER

    with pytest.raises(SurveyRefused, match=message), use_case():
        answer_survey(registration, rating=5, answers={2: "Yes"}, now=when)

    assert _answers() == 0


def test_nobody_answers_before_the_session_ends(session):
    attendee = make_registration(session, attended_at=at(8))

    with pytest.raises(SurveyRefused, match="opens when the session ends"), use_case():
        answer_survey(attendee, rating=5, answers={2: "Yes"}, now=at(9))


def test_an_answer_may_change_until_the_survey_closes_and_not_after(session):
    attendee = make_registration(session, attended_at=at(8))
    with use_case():
        answer_survey(attendee, rating=3, answers={2: "Maybe"}, now=AFTER)

    with pytest.raises(SurveyRefused, match="has closed"), use_case():
        answer_survey(attendee, rating=5, answers={2: "Yes"}, now=at(12))

    assert db.session.scalar(select(SurveyAnswer.rating)) == 3


@pytest.mark.parametrize(
    ("rating", "answers", "message"),
    [
        (0, {2: "Yes"}, "from 1 to 5"),
        (6, {2: "Yes"}, "from 1 to 5"),
        (4, {2: "Perhaps"}, "Choose one of the options"),
        (4, {}, "Choose one of the options"),
        (4, {1: "x" * 2001, 2: "Yes"}, "at most 2000 characters"),
        (4, {1: "bell\x07", 2: "Yes"}, "not allowed"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(session, rating, answers, message):
    attendee = make_registration(session, attended_at=at(8))

    with pytest.raises(SurveyRefused, match=message), use_case():
        answer_survey(attendee, rating=rating, answers=answers, now=AFTER)

    assert _answers() == 0


def test_once_someone_answered_the_questions_stay_and_only_the_closing_time_changes(session):
    with use_case():
        answer_survey(make_registration(session, attended_at=at(8)), rating=4, answers={2: "Yes"}, now=AFTER)

    with pytest.raises(SurveyLocked), use_case():
        save_survey(session, rating_prompt="Changed?", questions=[TEXT], closes_at=at(20), by=BY, now=AFTER)
    with use_case():
        save_survey(session, rating_prompt="How useful?", questions=[TEXT, CHOICE], closes_at=at(20), by=BY, now=AFTER)

    survey = survey_of(session)
    assert (survey.rating_prompt, survey.closes_at, len(survey.questions)) == ("How useful?", at(20), 2)


@pytest.mark.parametrize(
    ("questions", "closes", "message"),
    [
        ([QuestionSpec(QuestionKind.CHOICE, "Pick", ["Only one"])], at(20), "between 2 and 10 options"),
        ([QuestionSpec(QuestionKind.CHOICE, "Pick", ["Same", "Same"])], at(20), "same option twice"),
        ([TEXT, TEXT, TEXT, TEXT], at(20), "At most 3 questions"),
        ([TEXT], at(9), "close after the session ends"),
    ],
)
def test_bad_settings_are_refused(app_context, questions, closes, message):
    session = make_online_session()

    with pytest.raises(Exception, match=message), use_case():
        save_survey(session, rating_prompt="Rate", questions=questions, closes_at=closes, by=BY, now=at(7))

    assert survey_of(session).id is None


def test_the_results_count_ratings_and_choices_and_list_comments(session):
    for rating, text, choice in [(5, "More on visas", "Yes"), (4, "", "Yes"), (5, "A workshop", "No")]:
        with use_case():
            answer_survey(
                make_registration(session, attended_at=at(8)), rating=rating, answers={1: text, 2: choice}, now=AFTER
            )

    results = survey_results(session)

    assert results.answers == 3 and round(results.average, 2) == 4.67
    assert results.ratings == {1: 0, 2: 0, 3: 0, 4: 1, 5: 2}
    assert results.questions[0].comments == ["More on visas", "A workshop"]
    assert results.questions[1].counts == [("Yes", 2), ("Maybe", 0), ("No", 1)]


def test_the_csv_names_nobody_and_cannot_run_a_formula(session):
    attendee = make_registration(session, full_name="Amina Diallo", email="amina@example.com", attended_at=at(8))
    with use_case():
        answer_survey(attendee, rating=4, answers={1: '=HYPERLINK("http://x")', 2: "Yes"}, now=AFTER)

    data = survey_csv(session)

    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["Rating (1-5): How useful?", "What should come next?", "Would you join another session?"],
        ["4", '\'=HYPERLINK("http://x")', "Yes"],
    ]
    assert b"Amina" not in data and b"amina@example.com" not in data


def test_an_erased_registrations_answers_stay_and_hold_no_name(session):
    attendee = make_registration(session, full_name="Amina Diallo", email="amina@example.com", attended_at=at(8))
    with use_case():
        answer_survey(attendee, rating=4, answers={1: "Useful", 2: "Yes"}, now=AFTER)
    assert registration_data(attendee, now=AFTER)["survey_answer"] == {
        "rating": 4, "answers": {"What should come next?": "Useful", "Would you join another session?": "Yes"},
        "answered_at": AFTER.isoformat(),
    }  # fmt: skip

    with use_case():
        anonymise_registrations(Registration.id == attendee.id, now=AFTER)

    assert where_found("Amina Diallo", "amina@example.com") == []
    assert survey_results(session).answers == 1
