"""The pages the trust work added, at 320 px wide: no sideways scroll, axe-core clean, and the form's
main button reached by keyboard alone."""

import pytest
from playwright.sync_api import Page

from app.extensions import db
from app.registration.services import register_attendee
from app.transaction import use_case
from tests.factories import make_online_session
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser


def _fits_and_is_clean(page: Page, axe, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, where
    assert axe() == [], where


def _tab_to(page: Page, name: str) -> None:
    """Press Tab until the button named `name` has the focus (from the top of the page)."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("(e => e && (e.value || e.innerText || '').trim())(document.activeElement)") == name:
            return
    raise AssertionError(f"the button “{name}” cannot be reached with Tab")


def test_privacy_erase_and_password_pages_fit_320_pixels_and_work_by_keyboard(live_server, page, axe, app_context):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None)
    with use_case():
        attendee = register_attendee(
            session, full_name="Amina " + "Zebradottir" * 15, email="amina@example.com", consent=True
        )
    make_organiser("ana@example.org", events=[session.event])
    slug, registration_id = session.event.slug, attendee.registration.id
    db.session.remove()  # on SQLite, end our transaction before the server needs the database
    page.set_default_timeout(5000)
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(f"{live_server}/events/{slug}/privacy")
    _fits_and_is_clean(page, axe, "privacy notice")
    page.goto(f"{live_server}/registrations/{attendee.token}/erase")
    _fits_and_is_clean(page, axe, "attendee's erase page")
    _tab_to(page, "Erase my data")
    page.goto(f"{live_server}/organiser/reset/not-a-real-token")
    _fits_and_is_clean(page, axe, "unknown reset link")

    page.goto(live_server + "/organiser/sign-in")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/organiser/registrations/{registration_id}/erase")
    _fits_and_is_clean(page, axe, "organiser's erase page")
    page.goto(f"{live_server}/organiser/password")
    _fits_and_is_clean(page, axe, "change password")
