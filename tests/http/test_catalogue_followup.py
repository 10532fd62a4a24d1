"""The after-session pages in the states the route world does not have (the session over, answers given) and the
two follow-up emails: in the pseudo-locale, nothing visible escapes the catalogue."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from app import create_app, timeutil
from app.activity import CommandActor
from app.attendance.recordings import Recording, session_recordings
from app.extensions import db
from app.mail.followup_messages import queue_follow_up
from app.models import QuestionKind
from app.speakers.views import SESSION_KEY, VERSION_KEY
from app.survey.services import QuestionSpec, answer_survey, save_survey
from app.transaction import use_case
from tests import pseudo
from tests.conftest import make_config
from tests.factories import (
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_speaker,
)
from tests.http.conftest import make_organiser
from tests.http.test_catalogue_every_page import _a_date, _calendar_words, _short_data, _stored_text

NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=1)


@pytest.fixture
def pseudo_app(app, tmp_path):
    directory = pseudo.build_catalogue(str(tmp_path))
    return create_app(make_config(BABEL_TRANSLATION_DIRECTORIES=directory))


def _ended_world():
    event = make_event(starts_on=START.date(), ends_on=START.date())
    session = make_online_session(
        event, title="Looking Ahead", starts_at=START, ends_at=START + timedelta(hours=1),
        registration_opens_at=None, registration_closes_at=None,
        recording_url="https://video.example.org/looking-ahead", recording_available_at=NOW + timedelta(days=1),
    )  # fmt: skip
    item = make_item(session, title="Questions", starts_at=START, ends_at=START + timedelta(minutes=30))
    appearance = make_appearance(item, make_person(event, email="ana.speaker@example.org"))
    speaker = make_speaker("ana.speaker@example.org")
    with use_case():
        save_survey(
            session, rating_prompt="How useful was this session?",
            questions=[QuestionSpec(QuestionKind.TEXT, "What should come next?"),
                       QuestionSpec(QuestionKind.CHOICE, "Come again?", ["Yes, gladly", "Not this time"])],
            closes_at=NOW + timedelta(days=13), by=CommandActor("flask shell"), now=NOW,
        )  # fmt: skip
    attendee = make_registration(session, "amina-token", full_name="Amina Diallo", attended_at=START)
    make_registration(session, "bo-token", full_name="Bo Berg")
    with use_case():
        answer_survey(attendee, rating=4, answers={1: "More on visas", 2: "Yes, gladly"}, now=NOW)
    organiser = make_organiser(events=[event])
    return session, appearance, speaker, organiser


def test_the_after_session_pages_escape_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        session, appearance, speaker, organiser = _ended_world()
        (data, short), calendar = _stored_text(), set(_calendar_words())
        data = (*data, "Yes, gladly", "Not this time")  # a choice question's options, stored one per line
        ids = session.event_id, session.id, appearance.id, organiser.get_id(), speaker.id, speaker.session_version
        db.session.remove()
    event_id, session_id, appearance_id, organiser_id, speaker_id, version = ids
    organiser_client, visitor, speaker_client = (pseudo_app.test_client() for _ in range(3))
    with organiser_client.session_transaction() as browser:
        browser["_user_id"], browser["_fresh"] = organiser_id, True
    with speaker_client.session_transaction() as browser:
        browser[SESSION_KEY], browser[VERSION_KEY] = speaker_id, version
    pages = {
        (organiser_client, f"/organiser/sessions/{session_id}/follow-up"): None,
        (organiser_client, f"/organiser/sessions/{session_id}/survey"): None,
        (organiser_client, f"/organiser/sessions/{session_id}/survey/results"): "More on visas",
        (organiser_client, f"/organiser/events/{event_id}/dashboard"): None,
        (visitor, "/registrations/amina-token/survey"): "More on visas",
        (visitor, "/registrations/bo-token/survey"): None,
        (visitor, "/registrations/amina-token/"): None,
        (speaker_client, f"/speaker/slots/{appearance_id}/"): "More on visas",
    }
    escaped = {}
    for (client, path), content in pages.items():
        client.set_cookie("lang", pseudo.PSEUDO)
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        if content:
            assert content in body, path
        words = [
            w for w in pseudo.escaped_text(body, data=data) if not _short_data(w, short) and not _a_date(w, calendar)
        ]
        if words:
            escaped[path] = words[:6]
    assert escaped == {}


def test_both_follow_up_emails_escape_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        session = make_online_session(title="Online follow-up", recording_url="https://video.example.org/all")
        registration = make_registration(
            session, language=pseudo.PSEUDO, full_name="Aminata Diallo", timezone="America/Sao_Paulo"
        )
        recordings = [
            *session_recordings(session),
            Recording("Panel", "https://video.example.org/p", session, available_at=NOW),
        ]
        event = session.event
        with force_locale(pseudo.PSEUDO):
            dates = (
                timeutil.format_date(session.ends_at, "America/Sao_Paulo"),
                timeutil.format_datetime(NOW, "America/Sao_Paulo"),
            )
        data = (
            session.title, event.title, "Aminata Diallo", "Panel", "https://video.example.org/all",
            "https://video.example.org/p", "[private link 1]", "[private link 2]", event.contact_name,
            event.contact_email, "--", *dates,
        )  # fmt: skip
        emails = {
            attended: queue_follow_up(
                registration, recordings, attended=attended, links=["a", "b"][: 1 + attended],
                survey_closes_at=session.ends_at, now=NOW - timedelta(days=1),
            )
            for attended in (True, False)
        }  # fmt: skip

    for attended, message in emails.items():
        assert message.subject.startswith(pseudo.OPEN), attended
        assert pseudo.escaped_text(message.body_html, data=data) == [], attended
        assert pseudo.escaped_text(message.body_text, data=data) == [], attended
