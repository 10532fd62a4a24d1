"""The time-zone picker at 320 px, by keyboard alone: find a zone by country, choose among several matches,
and the register form offering the device's own zone; no sideways scroll and axe-core clean throughout."""

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect

from app.demo.loader import load_demo
from app.extensions import db
from app.transaction import use_case
from tests.factories import make_online_session

pytestmark = pytest.mark.browser
SLUG = "mpf-exchange-event"


@pytest.fixture
def browser_context_args(browser_context_args):
    """A visitor on a phone, their device set to a zone that is not among the common ones."""
    return {**browser_context_args, "timezone_id": "America/Argentina/Buenos_Aires"}


@pytest.fixture
def demo(app):
    with app.app_context():
        with use_case():
            load_demo(today=date.today(), now=datetime.now(UTC))
        db.session.remove()


def _fits_and_is_clean(page: Page, axe, where: str) -> None:
    page.wait_for_load_state("load")  # the style sheets too, not only the text the test waited for
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, where
    assert axe() == [], where


def _tab_to(page: Page, what: str) -> None:
    """Press Tab until the element whose id, or visible text, is `what` has the focus."""
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(e => [e.id, (e.innerText || '').trim(), e.type === 'submit' ? e.value : ''])(document.activeElement)"
        )
        if what in focused:
            return
    raise AssertionError(f"“{what}” cannot be reached with Tab")


def test_a_zone_is_found_by_country_and_chosen_among_matches_by_keyboard_at_320_px(live_server, page, axe, demo):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/events/{SLUG}/")
    prometheus = page.locator(".agenda-item", has=page.get_by_role("heading", name="PROMETHEUS II"))
    _fits_and_is_clean(page, axe, "the event page")

    _tab_to(page, "find-zone")
    page.keyboard.type("Georgia")
    page.keyboard.press("Enter")

    expect(page.get_by_label("Show times in")).to_have_value("Asia/Tbilisi")
    expect(page.get_by_label("Show times in").locator("option:checked")).to_have_text("Tbilisi, Georgia (UTC+4)")
    expect(prometheus.locator(".time")).to_have_text("11:30–11:55 +04")

    _tab_to(page, "find-zone")
    page.keyboard.type("georg")
    page.keyboard.press("Enter")

    expect(page.locator("#find-zone-result")).to_contain_text("Several time zones match “georg”")
    _fits_and_is_clean(page, axe, "the list of matches")
    _tab_to(page, "South Georgia, South Georgia & the South Sandwich Islands (UTC-2)")
    page.keyboard.press("Enter")

    expect(page.get_by_label("Show times in")).to_have_value("Atlantic/South_Georgia")
    expect(prometheus.locator(".time")).to_have_text("05:30–05:55 -02")

    _tab_to(page, "find-zone")
    page.keyboard.type("Atlantis")
    page.keyboard.press("Enter")

    expect(page.locator("#find-zone-result")).to_have_text(
        "No time zone matches “Atlantis”: type a city, such as Lisbon, or a country."
    )
    _fits_and_is_clean(page, axe, "no match")


def test_the_register_form_offers_the_devices_zone_and_finds_others_at_320_px(live_server, page, axe, app_context):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None)
    url = f"{live_server}/events/{session.event.slug}/sessions/{session.id}/register"
    db.session.remove()  # on SQLite, end our transaction before the server needs the database
    page.set_default_timeout(5000)
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(url)

    select = page.get_by_label("Your time zone")
    # Added by the page's script, under the name the browser gives (Chromium's is the older one).
    expect(select).to_have_value(re.compile(r"^America/(Argentina/)?Buenos_Aires$"))
    expect(select.locator("option:checked")).to_have_text("Buenos Aires (this device’s zone)")
    assert select.locator("option").count() <= 20
    _fits_and_is_clean(page, axe, "the register form")

    _tab_to(page, "full_name")
    page.keyboard.type("Nino Beridze")
    _tab_to(page, "email")
    page.keyboard.type("nino@example.ge")
    _tab_to(page, "organisation")
    page.keyboard.type("Ministry of Internal Affairs")
    _tab_to(page, "group")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "find_zone")
    page.keyboard.type("georg")
    _tab_to(page, "consent")
    page.keyboard.press("Space")
    _tab_to(page, "Register")
    page.keyboard.press("Enter")

    expect(page.locator("#find_zone-error")).to_contain_text("Several time zones match “georg”")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert select.locator("option").nth(1).inner_text() == "Tbilisi, Georgia (UTC+4)"
    _fits_and_is_clean(page, axe, "the register form with its zone error")

    select.focus()
    select.select_option("Asia/Tbilisi")
    page.get_by_label("Not in the list? Type your city or country").fill("")
    page.get_by_label("I agree that my details are processed as the privacy notice describes.").check()
    _tab_to(page, "Register")
    page.keyboard.press("Enter")

    expect(page.locator(".own-zone")).to_contain_text("in your time zone (Asia/Tbilisi)")
    expect(page).to_have_url(re.compile(r"/registrations/[^/]+/confirmation$"))
