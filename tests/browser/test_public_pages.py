"""Journeys through the public pages in Debian's chromium, and axe-core on every public page."""

import re
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo.loader import load_demo
from app.extensions import db
from app.models import Person
from app.transaction import use_case

SLUG = "mpf-exchange-event"


@pytest.fixture
def browser_context_args(browser_context_args):
    """A visitor whose computer is set to Pakistan's time."""
    return {**browser_context_args, "timezone_id": "Asia/Karachi"}


@pytest.fixture
def demo(app):
    """The demo event, dated from today so that it is upcoming on the home page."""
    with app.app_context():
        with use_case():
            event = load_demo(today=date.today(), now=datetime.now(UTC)).event
        ids = {
            "follow_up": event.sessions[2].id,
            "erzen": db.session.scalar(select(Person.id).where(Person.name == "Borut Erzen")),
        }
        db.session.remove()
    return ids


def test_visitor_follows_the_event_switches_zone_and_downloads_the_agenda(live_server, page, demo, tmp_path):
    page.goto(live_server + "/")
    page.get_by_role("link", name="MPF Exchange Event").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("MPF Exchange Event")
    prometheus = page.locator(".agenda-item", has=page.get_by_role("heading", name="PROMETHEUS II"))
    expect(prometheus.locator(".time")).to_have_text("09:30–09:55 CEST")
    # The page's script pre-selects the visitor's own zone; times change only when they ask.
    expect(page.get_by_label("Show times in")).to_have_value("Asia/Karachi")

    page.get_by_role("button", name="Show times").click()

    expect(prometheus.locator(".time")).to_have_text("12:30–12:55 PKT")
    expect(page.locator("#zone-shown")).to_contain_text("Times are shown in Asia/Karachi")

    page.get_by_label("Show times in").select_option("Asia/Tbilisi")
    page.get_by_role("button", name="Show times").click()

    expect(prometheus.locator(".time")).to_have_text("11:30–11:55 +04")
    expect(page.get_by_label("Show times in")).to_have_value("Asia/Tbilisi")

    subscribe = page.get_by_role("link", name="Subscribe to the agenda", exact=True).get_attribute("href")
    assert subscribe.startswith("webcal://") and subscribe.endswith(f"/events/{SLUG}/agenda.ics")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="download the agenda (.ics)").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    calendar = Calendar.from_ical(path.read_bytes())
    assert download.suggested_filename == f"{SLUG}.ics"
    assert calendar.errors == []
    assert len(calendar.events) == 19
    prometheus_event = next(e for e in calendar.events if str(e["SUMMARY"]) == "PROMETHEUS II")
    assert prometheus_event.start.astimezone(UTC).time().isoformat() == "07:30:00"
    assert "Mr Jean-Christophe Hilaire (speaker)" in str(prometheus_event["DESCRIPTION"])


def test_the_chosen_zone_is_remembered_on_the_next_page(live_server, page, demo):
    page.goto(f"{live_server}/events/{SLUG}/?tz=Atlantic/Cape_Verde")

    page.get_by_role("link", name="Speakers", exact=True).click()
    page.get_by_role("link", name="Mr Jean-Christophe Hilaire").click()

    expect(page.locator(".time").first).to_have_text("06:30–06:55 -01")
    expect(page.get_by_label("Show times in")).to_have_value("Atlantic/Cape_Verde")


def test_an_unknown_zone_shows_a_note_and_keeps_the_events_zone(live_server, page, demo):
    page.goto(f"{live_server}/events/{SLUG}/?tz=Mars/Olympus")

    expect(page.locator("#zone-note")).to_have_text(
        re.compile(r"“Mars/Olympus” is not a time zone we know, so times are shown in Europe/Brussels\.")
    )


PAGES = {
    "home": "/",
    "event": f"/events/{SLUG}/",
    "session": f"/events/{SLUG}/sessions/{{follow_up}}/",
    "speakers": f"/events/{SLUG}/speakers/",
    "speaker": f"/events/{SLUG}/speakers/{{erzen}}/",
    "not found": "/events/no-such-event/",
    "event in another zone": f"/events/{SLUG}/?tz=Mars/Olympus",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_has_no_axe_violations_and_no_csp_refusals(live_server, page, axe, demo, name):
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    response = page.goto(live_server + PAGES[name].format(**demo))

    assert response.status == (404 if name == "not found" else 200)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe() == []


def test_the_event_page_leads_with_the_open_session_at_320_px_by_keyboard(live_server, page, axe, demo):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/events/{SLUG}/?tz=Asia/Karachi")

    block = page.get_by_role("region", name="Open for registration")
    expect(block.get_by_role("heading", level=3)).to_have_text("Looking Ahead: online follow-up session")
    expect(block.locator(".time")).to_have_text(re.compile(r"^(13:00–14:30|14:00–15:30) PKT$"))
    expect(page.locator(".calendar-links")).to_have_count(3)  # one per session, none per item
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe() == []

    register = block.get_by_role("link", name="Register for Looking Ahead: online follow-up session")
    for _ in range(40):  # the visitor tabs from the top of the page to the Register button
        page.keyboard.press("Tab")
        if register.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("the Register button is not reachable by keyboard")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server}/events/{SLUG}/sessions/{demo['follow_up']}/register")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register")
