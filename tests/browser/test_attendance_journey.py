"""Who attended, in a browser: the organiser imports the Zoom participants' report of the online session, reads the
preview (accessible, and it fits 320 px), confirms, and the dashboard counts the attendance; then ticks an in-person
registrant on the check-in list by keyboard."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.factories import make_online_session, make_registration
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser

ZOOM_REPORT = Path(__file__).resolve().parent.parent / "data" / "attendance" / "zoom_participants.csv"


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_organiser_imports_a_zoom_report_and_the_dashboard_counts_the_attended(live_server, page, axe, app_context):
    session = make_online_session(title="Looking Ahead: online follow-up session")
    make_registration(session, full_name="Ana Díaz", email="ana.diaz@example.com")
    make_registration(session, full_name="Erik Berg", email="erik.berg@example.com")
    make_registration(session, full_name="Omar Haddad", email="omar.haddad@example.com")
    make_registration(session, full_name="Lena Novak", email="lena.novak@example.com", status="cancelled")
    make_organiser("ana@example.org", events=[session.event])
    session_id, event_id = session.id, session.event_id
    db.session.remove()  # SQLite: end our transaction before the server needs the database
    page.set_default_timeout(5000)
    page.goto(live_server + "/organiser/sign-in")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/organiser/events/{event_id}/dashboard")

    row = page.locator(f'tr[data-session="{session_id}"]')
    expect(row.locator('[data-figure="attended"]')).to_have_text("0")
    page.get_by_role("link", name="Import attendance of Looking Ahead: online follow-up session").click()
    page.get_by_label("Attendance report").set_input_files(ZOOM_REPORT)
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Preview: nothing is saved yet")).to_be_visible()
    expect(page.locator("#newly-attended tbody tr")).to_have_count(2)
    expect(page.locator("#newly-attended")).to_contain_text("Ana Díaz")
    expect(page.locator("#not-confirmed")).to_contain_text("Lena Novak")
    expect(page.locator("#unmatched tbody tr")).to_have_count(3)
    expect(page.locator("#repeated")).to_contain_text("ana.diaz@example.com")
    assert axe() == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert _scroll_width(page) <= 320
    page.get_by_role("button", name="Confirm the import").click()

    expect(page.get_by_role("status")).to_have_text("Attendance imported: 2 registrants marked as attended.")
    expect(row.locator('[data-figure="attended"]')).to_have_text("2")
    expect(row.locator('[data-figure="confirmed"]')).to_have_text("3")
    expect(row.locator('[data-figure="registered"]')).to_have_text("4")
    assert _scroll_width(page) <= 320
    assert axe() == []

    # The one confirmed registrant the report missed is ticked by hand, by keyboard, on the check-in list.
    page.goto(f"{live_server}/organiser/sessions/{session_id}/check-in")
    page.get_by_role("searchbox", name="Find a registrant").fill("haddad")
    page.keyboard.press("Enter")
    expect(page.locator("#check-in-list li")).to_have_count(1)
    page.get_by_role("button", name=re.compile(r"^Mark attended\s?: Omar Haddad$")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Omar Haddad is marked as attended.")
    expect(page.locator("#check-in-list li")).to_have_attribute("data-attended", "yes")
    assert _scroll_width(page) <= 320
    assert axe() == []
