"""After a session, through the test client: the follow-up page (preview, recipients, send once), the survey's
settings, the attendee's survey page (answer, change, refusals, bad input), the results and their CSV, the
speakers' view; and the follow-up delivered over the loopback SMTP server."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.activity import CommandActor
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.followup_messages import SORRY_KIND, THANKS_KIND
from app.models import OutboxMessage, QuestionKind, RegistrationStatus, SurveyAnswer
from app.speakers.views import SESSION_KEY, VERSION_KEY
from app.survey.services import QuestionSpec, save_survey
from app.transaction import use_case
from tests.factories import (
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_speaker,
)

NOW = datetime.now(UTC).replace(microsecond=0)
YESTERDAY = NOW - timedelta(days=1)
MANAGE = re.compile(r"/registrations/([A-Za-z0-9_\-]+)/")


def _past_session(**fields):
    event = make_event(starts_on=YESTERDAY.date(), ends_on=YESTERDAY.date())
    values = dict(
        title="Looking Ahead",
        starts_at=YESTERDAY,
        ends_at=YESTERDAY + timedelta(hours=1, minutes=30),
        registration_opens_at=None,
        registration_closes_at=None,
        recording_url="https://video.example.org/looking-ahead",
    )
    values.update(fields)
    return make_online_session(event, **values)


@pytest.fixture
def ended(app_context):
    session = _past_session()
    people = {
        "amina": make_registration(session, "amina-token", full_name="Amina Diallo", email="amina@example.com",
                                   attended_at=YESTERDAY),
        "bo": make_registration(session, "bo-token", full_name="Bo Berg", email="bo@example.com"),
        "cy": make_registration(session, "cy-token", full_name="Cy Cancelled", email="cy@example.com",
                                status=RegistrationStatus.CANCELLED, attended_at=YESTERDAY),
        "wu": make_registration(session, "wu-token", full_name="Wu Waiting", email="wu@example.com",
                                status=RegistrationStatus.WAITLISTED),
    }  # fmt: skip
    return session, people


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the follow-up page ---------------------------------------------------------------------------------


def test_the_follow_up_page_previews_both_messages_and_names_each_recipient(client, sign_in, ended, count_queries):
    session, _people = ended
    sign_in(events=[session.event])

    with count_queries() as statements:
        page = client.get(f"/organiser/sessions/{session.id}/follow-up").text

    assert "<strong>1 thank-you</strong>, <strong>1 “sorry we missed you”</strong>" in page
    assert "Not written to: 1 on the waiting list, 1 cancelled, 0 with their data erased." in page
    thanks = page[page.index('id="thanks-recipients"') :].split("</ul>")[0]
    sorry = page[page.index('id="sorry-recipients"') :].split("</ul>")[0]
    assert "Amina Diallo · amina@example.com" in thanks and "Bo Berg" not in thanks
    assert "Bo Berg · bo@example.com" in sorry and "Amina" not in sorry
    assert "Cy Cancelled" not in page and "Wu Waiting" not in page
    assert "Thank you for attending: Looking Ahead" in page and "Sorry we missed you: Looking Ahead" in page
    assert page.count("https://video.example.org/looking-ahead") == 4  # each preview: the link's text and address
    assert "The slides and other materials are on your page" in page
    assert "Send the follow-up to 2 people" in page
    assert len(statements) <= 12
    assert _count(OutboxMessage) == 0


def test_send_queues_one_message_each_and_a_second_send_reaches_nobody(client, sign_in, ended):
    session, people = ended
    sign_in(events=[session.event])

    first = client.post(f"/organiser/sessions/{session.id}/follow-up", follow_redirects=True).text
    second = client.post(f"/organiser/sessions/{session.id}/follow-up", follow_redirects=True).text

    assert "The follow-up is on its way to 2 people: 1 thank-you, 1 sorry we missed you." in first
    assert "Everyone has been followed up already: nobody is left to send to." in second
    assert "2 registrants were followed up already" in second
    assert "Nobody is left to send the follow-up to." in second
    kinds = dict(db.session.execute(select(OutboxMessage.registration_id, OutboxMessage.kind)).all())
    assert kinds == {people["amina"].id: THANKS_KIND, people["bo"].id: SORRY_KIND}


def test_the_follow_up_is_refused_before_the_session_ends(client, sign_in, app_context):
    session = make_online_session(starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=2))
    make_registration(session, attended_at=NOW)
    sign_in(events=[session.event])

    page = client.get(f"/organiser/sessions/{session.id}/follow-up").text
    sent = client.post(f"/organiser/sessions/{session.id}/follow-up", follow_redirects=True).text

    assert "The follow-up can be sent once the session has ended." in page
    assert "Send the follow-up" not in page
    assert "The follow-up can be sent once the session has ended." in sent
    assert _count(OutboxMessage) == 0


def test_another_events_organiser_gets_404_for_every_after_session_page(client, sign_in, ended):
    session, _people = ended
    sign_in(events=[make_event()])

    for path in ("follow-up", "survey", "survey/results", "survey.csv"):
        assert client.get(f"/organiser/sessions/{session.id}/{path}").status_code == 404
    assert client.post(f"/organiser/sessions/{session.id}/follow-up").status_code == 404
    assert _count(OutboxMessage) == 0


def test_the_follow_up_arrives_over_smtp_with_working_links(client, sign_in, ended, mail_server, app):
    session, people = ended
    sign_in(events=[session.event])
    client.post(f"/organiser/sessions/{session.id}/follow-up")

    deliver_due()

    received = {m["To"]: m for m in mail_server.wait_for(2)}
    thanks = received["Amina Diallo <amina@example.com>"]
    text = thanks.get_body(("plain",)).get_content()
    assert thanks["Subject"] == "Thank you for attending: Looking Ahead"
    assert "https://video.example.org/looking-ahead" in text
    token = MANAGE.search(text)[1]
    assert f"/registrations/{token}/survey" in text
    assert client.get(f"/registrations/{token}/survey").status_code == 200
    assert client.get("/registrations/amina-token/").status_code == 404  # the earlier link is replaced
    sorry = received["Bo Berg <bo@example.com>"]
    assert sorry["Subject"] == "Sorry we missed you: Looking Ahead"
    assert "/survey" not in sorry.get_body(("plain",)).get_content()
    assert len(mail_server.messages) == 2


# --- the attendee's survey ------------------------------------------------------------------------------


def _answer(client, token: str, **form):
    return client.post(f"/registrations/{token}/survey", data={"rating": "4", "q1": "More on visas", **form})


def test_an_attendee_answers_then_changes_their_answers(client, ended):
    _session, people = ended

    page = client.get("/registrations/amina-token/survey").text
    first = _answer(client, "amina-token")
    second = client.post("/registrations/amina-token/survey", data={"rating": "2", "q1": ""}, follow_redirects=True)

    assert "How useful was this session?" in page and "What should come next?" in page
    assert first.status_code == 302
    assert "Thank you: your answers are saved." in second.text
    assert '<input checked class="form-check-input" id="rating-1"' in second.text
    answer = db.session.scalars(select(SurveyAnswer)).one()
    assert (answer.registration_id, answer.rating, answer.answer_1) == (people["amina"].id, 2, "")


def test_the_manage_page_invites_an_attendee_to_the_survey_and_nobody_else(client, ended):
    assert "Tell us what you thought" in client.get("/registrations/amina-token/").text
    assert "Tell us what you thought" not in client.get("/registrations/bo-token/").text


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("bo-token", "The survey is for the people who attended the session."),
        ("cy-token", "Your registration is cancelled: the survey is for the people who attended."),
        ("wu-token", "The survey is for the people who attended the session."),
    ],
)
def test_who_may_not_answer_sees_why_and_nothing_is_saved(client, ended, token, message):
    page = client.get(f"/registrations/{token}/survey").text
    posted = _answer(client, token)

    assert message in page and 'name="rating"' not in page
    assert posted.status_code == 403 and message in posted.text
    assert _count(SurveyAnswer) == 0


def test_after_the_survey_closes_the_page_says_so_and_nothing_is_saved(client, ended):
    session, _people = ended
    with use_case():
        save_survey(
            session, rating_prompt="How useful?", questions=[], closes_at=NOW - timedelta(minutes=1),
            by=CommandActor("flask shell"), now=NOW,
        )  # fmt: skip

    posted = _answer(client, "amina-token")

    assert posted.status_code == 403
    assert "The survey has closed: answers are no longer taken or changed." in posted.text
    assert _count(SurveyAnswer) == 0


def test_another_events_registrant_and_a_wrong_link_find_nothing(client, ended):
    other = _past_session()
    make_registration(other, "other-token", attended_at=YESTERDAY)

    assert client.get("/registrations/amina-tokeX/survey").status_code == 404
    assert _answer(client, "amina-tokeX").status_code == 404
    # Their own link opens their own session's survey, never Amina's answers.
    _answer(client, "amina-token")
    page = client.get("/registrations/other-token/survey").text
    assert "More on visas" not in page and "You answered" not in page


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"rating": "9"}, "rating", "Choose one of the options."),
        ({"rating": ""}, "rating", "Choose a rating from 1 to 5."),
        ({"q1": "x" * 2001}, "q1", "Use 2000 characters or fewer."),
    ],
)
def test_bad_answers_show_next_to_their_field_and_nothing_is_saved(client, ended, form, field, message):
    response = _answer(client, "amina-token", **form)

    page = response.text
    assert response.status_code == 422
    assert "<title>Error:" in page
    assert f'id="{field}-error"' in page and message in page
    assert _count(SurveyAnswer) == 0
    if field == "q1":
        assert "x" * 2001 in page  # what was typed is kept


def test_a_choice_question_must_be_answered_with_one_of_its_options(client, ended):
    session, _people = ended
    with use_case():
        save_survey(
            session, rating_prompt="How useful?",
            questions=[QuestionSpec(QuestionKind.CHOICE, "Would you come again?", ["Yes", "No"])],
            closes_at=NOW + timedelta(days=3), by=CommandActor("flask shell"), now=NOW,
        )  # fmt: skip

    missing = client.post("/registrations/amina-token/survey", data={"rating": "5"})
    forged = client.post("/registrations/amina-token/survey", data={"rating": "5", "q1": "Perhaps"})
    good = client.post("/registrations/amina-token/survey", data={"rating": "5", "q1": "Yes"})

    assert missing.status_code == 422 and "Choose one of the options." in missing.text
    assert forged.status_code == 422 and 'id="q1-error"' in forged.text
    assert good.status_code == 302
    assert db.session.scalar(select(SurveyAnswer.answer_1)) == "Yes"


# --- the organisers' survey pages -----------------------------------------------------------------------


def test_the_organiser_sets_the_questions_and_the_closing_time(client, sign_in, ended):
    session, _people = ended
    sign_in(events=[session.event])

    page = client.get(f"/organiser/sessions/{session.id}/survey").text
    saved = client.post(
        f"/organiser/sessions/{session.id}/survey",
        data={
            "rating_prompt": "How useful?",
            "closes_at": (YESTERDAY + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "kind_1": "choice", "prompt_1": "Come again?", "options_1": "Yes\nNo",
            "kind_2": "text", "prompt_2": "", "kind_3": "text", "prompt_3": "Anything else?",
        },
        follow_redirects=True,
    ).text  # fmt: skip

    assert "These are the default questions" in page and 'value="How useful was this session?"' in page
    assert "The survey is saved." in saved
    survey_page = client.get("/registrations/amina-token/survey").text
    assert (
        "Come again?" in survey_page and "Anything else?" in survey_page and "What should come next" not in survey_page
    )


def test_bad_survey_settings_show_next_to_their_field(client, sign_in, ended):
    session, _people = ended
    sign_in(events=[session.event])

    response = client.post(
        f"/organiser/sessions/{session.id}/survey",
        data={"rating_prompt": "", "closes_at": "soon", "kind_1": "choice", "prompt_1": "Pick", "options_1": "One",
              "kind_2": "text", "kind_3": "text"},
    )  # fmt: skip

    page = response.text
    assert response.status_code == 422 and "<title>Error:" in page
    assert 'id="rating_prompt-error"' in page and 'id="closes_at-error"' in page
    assert "Give between 2 and 10 options, one per line." in page


def test_the_results_page_and_the_csv_show_the_answers_without_names(client, sign_in, ended):
    session, _people = ended
    other = make_registration(session, "dee-token", full_name="Dee Dent", email="dee@example.com", attended_at=NOW)
    _answer(client, "amina-token", rating="5", q1='=HYPERLINK("http://x")')
    _answer(client, "dee-token", rating="3", q1="A workshop\non visas")
    sign_in(events=[session.event])

    page = client.get(f"/organiser/sessions/{session.id}/survey/results").text
    data = client.get(f"/organiser/sessions/{session.id}/survey.csv")

    assert "2 answers, average rating 4.0 out of 5." in page
    counts = page[page.index('id="rating-counts"') :].split("</table>")[0]
    assert re.findall(r"<th scope=\"row\">(\d)</th><td>(\d)</td>", counts) == [
        ("1", "0"), ("2", "0"), ("3", "1"), ("4", "0"), ("5", "1"),
    ]  # fmt: skip
    assert "A workshop\non visas" in page
    assert "Amina" not in page and "Dee Dent" not in page and other.email not in page
    assert data.headers["Content-Disposition"] == f'attachment; filename="survey-{session.event.slug}-{session.id}.csv"'
    rows = list(csv.reader(io.StringIO(data.get_data().decode("utf-8-sig"))))
    assert rows == [
        ["Rating (1-5): How useful was this session?", "What should come next?"],
        ["5", '\'=HYPERLINK("http://x")'],
        ["3", "A workshop\non visas"],
    ]


def test_the_dashboard_shows_each_surveys_answers_and_average_and_links_its_results(client, sign_in, ended):
    session, _people = ended
    make_registration(session, "dee-token", attended_at=NOW)
    _answer(client, "amina-token", rating="5")
    _answer(client, "dee-token", rating="4")
    sign_in(events=[session.event])

    page = client.get(f"/organiser/events/{session.event_id}/dashboard").text
    client.set_cookie("lang", "fr")
    french = client.get(f"/organiser/events/{session.event_id}/dashboard").text

    assert "Survey: 2 answers, average rating 4.5 out of 5." in page
    assert f'<p class="mb-0 small" data-ratings="{session.id}">Ratings: 1: 0 · 2: 0 · 3: 0 · 4: 1 · 5: 1</p>' in page
    assert f'href="/organiser/sessions/{session.id}/survey/results">Results and comments' in page
    assert "moyenne de 4,5 sur 5" in french


def test_the_sessions_speaker_sees_the_results_without_names_on_their_slot_page(client, ended):
    session, _people = ended
    _answer(client, "amina-token", rating="5", q1="More on the call")
    item = make_item(session, title="Questions and answers")
    appearance = make_appearance(item, make_person(session.event, email="ana.speaker@example.org"))
    speaker = make_speaker("ana.speaker@example.org")
    with client.session_transaction() as browser_session:
        browser_session[SESSION_KEY] = speaker.id
        browser_session[VERSION_KEY] = speaker.session_version

    page = client.get(f"/speaker/slots/{appearance.id}/").text

    assert "What the attendees said about “Looking Ahead”" in page
    assert "1 answer, average rating 5.0 out of 5." in page and "More on the call" in page
    assert "Amina" not in page
