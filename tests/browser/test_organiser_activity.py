"""The activity page in a browser: a change made on the agenda editor shows there, readable at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import EventStatus
from tests.factories import make_event, make_item, make_session
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser


def test_a_publication_shows_on_the_activity_page_at_320_pixels(live_server, page, axe, app_context):
    event = make_event(title="MPF Exchange Event", status=EventStatus.DRAFT)
    make_item(make_session(event, title="Borders & Security Cooperation Priorities"), title="Opening remarks")
    make_organiser("ana@example.org", name="Ana Organiser With A Rather Long Name", events=[event])
    event_id = event.id
    db.session.remove()  # on SQLite, end our transaction before the server needs the database
    page.set_default_timeout(5000)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server + "/organiser/sign-in")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/organiser/events/{event_id}/")

    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name=re.compile(r"^Publish")).click()
    page.get_by_role("link", name="Activity").click()

    entry = page.locator("#activity li").first
    expect(entry).to_contain_text("Ana Organiser With A Rather Long Name")
    expect(entry).to_contain_text("Published the event.")
    expect(page.locator("#shown")).to_have_text("1 change.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe() == []
