"""The after-session half end to end, in Chromium: a panellist uploads their slides for the registrants, the
organiser imports the Zoom report and sends the follow-up, and an attendee opens the thank-you from the SMTP
server, downloads the slides from their page and answers the survey. A confirmed no-show is sent the other
message; axe-core finds nothing on the way."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.mail.delivery import deliver_due
from app.models import Registration, Role, SpeakerLoginToken, SurveyAnswer
from app.security import hash_token
from tests import material_samples
from tests.browser.test_followup_journey import axe_on
from tests.factories import (
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_speaker,
)
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser

SIGN_IN_TOKEN = "panellist-sign-in-token-of-the-after-session-journey"
MANAGE_LINK = re.compile(r"https?://\S+/registrations/[A-Za-z0-9_\-]+/(?=\s)")
SURVEY_LINK = re.compile(r"https?://\S+/registrations/[A-Za-z0-9_\-]+/survey")


def test_slides_attendance_follow_up_download_and_survey(
    app, app_context, live_server, page, axe, mail_server, tmp_path
):
    app.config["SERVER_BASE_URL"] = live_server
    try:
        _journey(live_server, page, axe, mail_server, tmp_path)
    finally:
        app.config["SERVER_BASE_URL"] = "http://127.0.0.1:5000"


def _zoom_report(joined: datetime) -> bytes:
    """Zoom's participants' report: times in the event's zone, month first with AM/PM, as Zoom writes them."""
    local = joined.astimezone(ZoneInfo("Europe/Brussels"))
    stamp = local.strftime("%m/%d/%Y %I:%M:%S %p")
    return (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        f"Amina Diallo,AMINA@example.com,{stamp},{stamp},55,No\n"
        f"Someone Else,someone@example.net,{stamp},{stamp},10,Yes\n"
    ).encode()


def _journey(live_server, page, axe, mail_server, tmp_path):
    page.set_default_timeout(10_000)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    event = make_event(starts_on=start.date(), ends_on=start.date(), timezone="Europe/Brussels")
    session = make_online_session(
        event, title="Looking Ahead", starts_at=start, ends_at=start + timedelta(hours=1),
        registration_opens_at=None, registration_closes_at=None,
        recording_url="https://video.example.org/looking-ahead",
    )  # fmt: skip
    panel = make_item(session, title="Looking Ahead panel", starts_at=start, ends_at=start + timedelta(hours=1))
    erik = make_person(event, honorific="Dr", name="Erik Panellist", email="erik.panellist@example.org")
    make_appearance(panel, erik, role=Role.PANELLIST)
    speaker = make_speaker(erik.email)
    db.session.add(
        SpeakerLoginToken(
            speaker=speaker, token_hash=hash_token(SIGN_IN_TOKEN), expires_at=datetime.now(UTC) + timedelta(hours=1)
        )
    )
    make_registration(session, full_name="Amina Diallo", email="amina@example.com")
    make_registration(session, full_name="Bo Berg", email="bo@example.com")
    make_organiser("ana@example.org", events=[event])
    session_id = session.id
    db.session.commit()
    slides = material_samples.pdf("Looking Ahead panel")

    # The panellist uploads the slides for the session's registrants.
    speaker_page = page.context.browser.new_context().new_page()
    speaker_page.set_default_timeout(10_000)
    speaker_page.goto(f"{live_server}/speaker/sign-in/{SIGN_IN_TOKEN}")
    speaker_page.get_by_role("button", name="Sign in").click()
    speaker_page.get_by_role("link", name="Slides and files for “Looking Ahead panel”").click()
    speaker_page.get_by_label("File", exact=True).set_input_files(
        {"name": "Looking Ahead – slides.pdf", "mimeType": "application/pdf", "buffer": slides}
    )
    speaker_page.get_by_label("The session's registrants, once it is over").check()
    speaker_page.get_by_role("button", name="Upload").click()
    expect(speaker_page.locator("table.materials-table")).to_contain_text("Looking Ahead – slides.pdf")

    # The organiser imports the Zoom report (Amina attended; Bo did not), then sends the follow-up.
    page.goto(live_server + "/organiser/sign-in")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/organiser/sessions/{session_id}/attendance")
    page.get_by_label("Attendance report").set_input_files(
        {"name": "participants.csv", "mimeType": "text/csv", "buffer": _zoom_report(start + timedelta(minutes=2))}
    )
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#newly-attended tbody tr")).to_have_count(1)
    expect(page.locator("#newly-attended")).to_contain_text("Amina Diallo")
    expect(page.locator("#unmatched tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_role("status")).to_have_text("Attendance imported: 1 registrant marked as attended.")

    page.goto(f"{live_server}/organiser/sessions/{session_id}/follow-up")
    expect(page.locator("#thanks-recipients")).to_have_text("Amina Diallo · amina@example.com")
    expect(page.locator("#sorry-recipients")).to_have_text("Bo Berg · bo@example.com")
    assert axe() == []
    page.get_by_role("button", name="Send the follow-up to 2 people").click()
    expect(page.get_by_role("status").first).to_contain_text("The follow-up is on its way to 2 people")

    deliver_due()
    db.session.commit()  # on SQLite even a read holds the write lock: end it for the live server
    received = {m["To"]: m for m in mail_server.wait_for(2)}
    thanks = received["Amina Diallo <amina@example.com>"].get_body(("plain",)).get_content()
    sorry = received["Bo Berg <bo@example.com>"].get_body(("plain",)).get_content()
    assert "https://video.example.org/looking-ahead" in thanks and "https://video.example.org/looking-ahead" in sorry
    assert SURVEY_LINK.search(thanks) and not SURVEY_LINK.search(sorry)

    # Amina opens her page from the email: the slides are there, and the download is the same file.
    attendee = page.context.browser.new_context().new_page()
    attendee.set_default_timeout(10_000)
    attendee.goto(MANAGE_LINK.search(thanks)[0])
    link = attendee.get_by_role("link", name="Looking Ahead – slides.pdf")
    expect(link).to_be_visible()
    assert axe_on(attendee) == []
    with attendee.expect_download() as downloading:
        link.click()
    saved = tmp_path / "slides.pdf"
    downloading.value.save_as(saved)
    assert downloading.value.suggested_filename == "Looking Ahead – slides.pdf"
    assert saved.read_bytes() == slides

    # And answers the survey from the email's link.
    attendee.goto(SURVEY_LINK.search(thanks)[0])
    expect(attendee.get_by_role("heading", level=1)).to_have_text("Survey: Looking Ahead")
    attendee.get_by_label("4").check()
    attendee.get_by_label("What should come next?").fill("A session on the call for proposals")
    attendee.get_by_role("button", name="Send my answers").click()
    expect(attendee.get_by_role("status").first).to_contain_text("Thank you: your answers are saved.")
    assert axe_on(attendee) == []

    db.session.expire_all()
    answer = db.session.scalars(select(SurveyAnswer)).one()
    amina = db.session.scalars(select(Registration).where(Registration.email == "amina@example.com")).one()
    assert (answer.registration_id, answer.rating, answer.answer_1) == (
        amina.id,
        4,
        "A session on the call for proposals",
    )
    db.session.commit()
