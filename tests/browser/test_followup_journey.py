"""After the session, in Chromium: the organiser previews and sends the follow-up, the attendee reads the thank-you
from the SMTP server, opens its survey link, answers, and changes an answer; axe-core finds nothing on the way."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.mail.delivery import deliver_due
from app.models import SurveyAnswer
from tests.browser.conftest import AXE_SOURCE
from tests.factories import make_event, make_online_session, make_registration
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser

SURVEY_LINK = re.compile(r"https?://\S+/registrations/[A-Za-z0-9_\-]+/survey")


def test_the_organiser_sends_the_follow_up_and_the_attendee_answers_the_survey(
    app, app_context, live_server, page, axe, mail_server
):
    app.config["SERVER_BASE_URL"] = live_server
    try:
        _journey(live_server, page, axe, mail_server)
    finally:
        app.config["SERVER_BASE_URL"] = "http://127.0.0.1:5000"


def _journey(live_server, page, axe, mail_server):
    page.set_default_timeout(10_000)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    event = make_event(starts_on=start.date(), ends_on=start.date())
    session = make_online_session(
        event, title="Looking Ahead", starts_at=start, ends_at=start + timedelta(hours=1),
        registration_opens_at=None, registration_closes_at=None,
        recording_url="https://video.example.org/looking-ahead",
    )  # fmt: skip
    make_registration(session, full_name="Amina Diallo", email="amina@example.com", attended_at=start)
    make_registration(session, full_name="Bo Berg", email="bo@example.com")
    make_organiser("ana@example.org", events=[event])
    session_id = session.id
    db.session.commit()

    page.goto(live_server + "/organiser/sign-in")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your events")
    page.goto(f"{live_server}/organiser/sessions/{session_id}/registrations/")
    page.get_by_role("link", name="Follow-up and survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-up after the session")
    expect(page.locator("#thanks-recipients")).to_have_text("Amina Diallo · amina@example.com")
    expect(page.locator("#sorry-recipients")).to_have_text("Bo Berg · bo@example.com")
    assert axe() == []
    page.get_by_role("button", name="Send the follow-up to 2 people").click()
    expect(page.get_by_role("status").first).to_contain_text("The follow-up is on its way to 2 people")
    expect(page.locator("#follow-up-nobody")).to_be_visible()

    deliver_due()
    db.session.commit()  # on SQLite even a read holds the write lock: end it for the live server
    received = {m["To"]: m for m in mail_server.wait_for(2)}
    text = received["Amina Diallo <amina@example.com>"].get_body(("plain",)).get_content()
    assert "https://video.example.org/looking-ahead" in text

    attendee = page.context.browser.new_context().new_page()
    attendee.goto(SURVEY_LINK.search(text)[0])
    expect(attendee.get_by_role("heading", level=1)).to_have_text("Survey: Looking Ahead")
    assert axe_on(attendee) == []
    attendee.get_by_role("button", name="Send my answers").click()
    expect(attendee.locator("#error-summary")).to_contain_text("Choose a rating from 1 to 5.")
    attendee.get_by_label("4").check()
    attendee.get_by_label("What should come next?").fill("A session on the call for proposals")
    attendee.get_by_role("button", name="Send my answers").click()
    expect(attendee.get_by_role("status").first).to_contain_text("Thank you: your answers are saved.")
    attendee.get_by_label("5 – very").check()
    attendee.get_by_role("button", name="Send my answers").click()
    expect(attendee.get_by_label("5 – very")).to_be_checked()

    db.session.expire_all()
    answer = db.session.scalars(select(SurveyAnswer)).one()
    assert (answer.rating, answer.answer_1) == (5, "A session on the call for proposals")
    db.session.commit()
    page.goto(f"{live_server}/organiser/sessions/{session_id}/survey/results")
    expect(page.locator("#survey-summary")).to_contain_text("1 answer, average rating 5.0 out of 5.")
    expect(page.locator("main")).to_contain_text("A session on the call for proposals")
    expect(page.locator("main")).not_to_contain_text("Amina")
    assert axe() == []


def axe_on(other_page) -> list:
    other_page.evaluate(AXE_SOURCE)
    result = other_page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v["id"] for v in result["violations"]]
