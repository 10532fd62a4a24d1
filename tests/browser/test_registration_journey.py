"""The attendee's journey in Chromium: register, read the email from the SMTP server, manage, see the join link, cancel.

axe-core must find no violations on the form, its error state and the manage page.
"""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.mail.delivery import deliver_due
from tests.factories import make_online_session

pytestmark = pytest.mark.browser

JOIN = "https://meet.example.org/looking-ahead"
CONSENT = "I agree that my details are processed as the privacy notice describes."


def _deliver() -> None:
    deliver_due()
    # On SQLite even a read holds the write lock: end the test thread's transaction for the live server.
    db.session.commit()


def test_attendee_registers_reads_the_email_manages_and_cancels(app, app_context, live_server, page, axe, mail_server):
    app.config["SERVER_BASE_URL"] = live_server
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    try:
        _journey(live_server, page, axe, mail_server)
    finally:
        app.config["SERVER_BASE_URL"] = "http://127.0.0.1:5000"
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def _journey(live_server, page, axe, mail_server):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None, capacity=5)
    session_url = f"{live_server}/events/{session.event.slug}/sessions/{session.id}/"
    db.session.commit()

    page.goto(session_url)
    page.get_by_role("link", name="Register for Looking Ahead: online follow-up session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register: Looking Ahead: online follow-up session")
    expect(page.get_by_label(CONSENT)).not_to_be_checked()
    assert axe() == []

    page.get_by_role("button", name="Register").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary li")).to_have_count(5)
    expect(page.locator("#full_name-error")).to_have_text("Please give your full name.")
    expect(page.get_by_label("Full name")).to_have_attribute("aria-invalid", "true")
    assert axe() == []

    page.get_by_label("Full name").fill("Amina Diallo")
    page.get_by_label("Email").fill("amina@example.com")
    page.get_by_label("Organisation").fill("Ministry of Interior, Nigeria")
    page.get_by_label("Which group do you belong to?").select_option("partner_country")
    page.get_by_label("Your time zone").select_option("Africa/Lagos")
    page.get_by_label("Your question for the panel (optional)").fill("How will the new call treat partnerships?")
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    expect(page.locator(".own-zone")).to_have_text(
        "Wednesday 30 October 2030, 09:00–10:30 WAT in your time zone (Africa/Lagos)"
    )

    _deliver()
    [confirmation] = mail_server.messages
    assert confirmation["Subject"] == "Registered: Looking Ahead: online follow-up session"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    manage_link = re.search(rf"{re.escape(live_server)}/registrations/[\w-]+/", text).group(0)
    invite = icalendar.Calendar.from_ical(confirmation.get_payload()[1].get_content())
    assert str(invite["METHOD"]) == "REQUEST"

    page.goto(manage_link)
    expect(page.locator("#status")).to_have_text("Your place is confirmed.")
    expect(page.get_by_role("link", name=JOIN)).to_have_attribute("href", JOIN)
    assert axe() == []

    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.locator("#status")).to_have_text("This registration is cancelled.")
    expect(page.get_by_role("link", name=JOIN)).to_have_count(0)

    _deliver()
    cancellation = mail_server.messages[-1]
    assert cancellation["Subject"] == "Cancelled: Looking Ahead: online follow-up session"
    cancel = icalendar.Calendar.from_ical(cancellation.get_payload()[1].get_content())
    assert (str(cancel["METHOD"]), cancel.events[0]["SEQUENCE"]) == ("CANCEL", 1)
    assert str(cancel.events[0]["UID"]) == str(invite.events[0]["UID"])
