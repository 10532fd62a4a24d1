"""The paged registration list in a browser: the pagination is accessible and keeps the filters."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.factories import make_online_session
from tests.http.conftest import PASSWORD, make_organiser
from tests.http.test_organiser_registration_pages import add_registrations

pytestmark = pytest.mark.browser


def _crowded_list(live_server, page, registrations: int) -> None:
    """Ana, organiser of a session with `registrations` registrations, signed in and on its list."""
    session = make_online_session(title="Crowded")
    add_registrations(session, registrations)
    make_organiser("ana@example.org", events=[session.event])
    session_id = session.id
    # On SQLite every transaction takes the write lock: end ours before the server needs the database.
    db.session.remove()
    page.set_default_timeout(5000)
    page.goto(live_server + "/organiser/sign-in")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/organiser/sessions/{session_id}/registrations/")


def test_paged_registration_list_has_no_axe_violations_and_keeps_filters(live_server, page, axe, app_context):
    _crowded_list(live_server, page, 160)

    expect(page.locator("#shown")).to_have_text("Showing 1–50 of 160 registrations (page 1 of 4).")
    assert axe() == []

    page.get_by_label("Status", exact=True).select_option("confirmed")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#shown")).to_have_text("Showing 1–50 of 107 registrations (page 1 of 3).")
    nav = page.get_by_role("navigation", name="Pages of registrations")
    nav.get_by_role("link", name="Next page").click()

    expect(page.locator("#shown")).to_have_text("Showing 51–100 of 107 registrations (page 2 of 3).")
    expect(page.get_by_label("Status", exact=True)).to_have_value("confirmed")
    expect(nav.locator('[aria-current="page"]')).to_have_text("2 (this page)")
    assert axe() == []


def test_row_buttons_give_a_seat_and_cancel_through_the_shared_form(live_server, page, axe, app_context):
    _crowded_list(live_server, page, 60)  # every third one waiting

    page.get_by_role("button", name="Give a seat to Person 0003").click()
    expect(page.get_by_role("status")).to_have_text("Person 0003 now has a seat; they are told.")
    row = page.locator("tr", has_text="Person 0003")
    expect(row.get_by_role("cell", name="Confirmed", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name="Give a seat to Person 0003")).to_have_count(0)

    page.get_by_role("button", name="Cancel the registration of Person 0001").click()
    expect(page.get_by_role("status")).to_have_text("The registration of Person 0001 is cancelled; they are told.")
    expect(page.locator("tr", has_text="Person 0001").get_by_role("cell", name="Cancelled", exact=True)).to_be_visible()
    assert axe() == []
