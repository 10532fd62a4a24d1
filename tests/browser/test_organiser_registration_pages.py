"""The registration pages in a browser: the paged list keeps its filters, the message preview and a cancelled
session's banner are accessible, by keyboard and at 320 px."""

import pytest
from playwright.sync_api import expect

from app.agenda import services as agenda
from app.extensions import db
from app.models import EventSession, Organiser
from app.transaction import use_case
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

    # Cancelling asks first, on a page that says what follows; it is accessible and fits 320 px.
    page.get_by_role("link", name="Cancel the registration of Person 0001").click()
    expect(page.locator("h1")).to_have_text("Cancel the registration of Person 0001?")
    expect(page.locator("#cancel-effects")).to_have_text(
        "They get an email that their registration is cancelled, with a calendar cancellation that removes the "
        "session from their calendar. The session has no capacity, so all 19 on the waiting list get a seat, each "
        "with an email and their calendar invite: Person 0006, Person 0009, Person 0012, Person 0015, Person 0018, "
        "Person 0021, Person 0024, Person 0027, Person 0030, Person 0033, Person 0036, Person 0039, Person 0042, "
        "Person 0045, Person 0048, Person 0051, Person 0054, Person 0057, Person 0060."
    )
    assert axe() == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert _scroll_width(page) <= 320
    page.get_by_role("button", name="Cancel the registration of Person 0001").click()
    expect(page.get_by_role("status")).to_have_text("The registration of Person 0001 is cancelled; they are told.")
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("tr", has_text="Person 0001").get_by_role("cell", name="Cancelled", exact=True)).to_be_visible()
    assert axe() == []


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_message_preview_is_reached_by_keyboard_and_shows_the_greeting_filled(live_server, page, axe, app_context):
    _crowded_list(live_server, page, 3)
    page.goto(page.url.replace("/registrations/", "/message"))
    page.get_by_label("Subject", exact=True).fill("Slides are online")
    page.get_by_label("Subject", exact=True).press("Tab")  # the body keeps its "Dear {name}," start
    page.keyboard.press("End")
    page.keyboard.type("\n\nThe slides: https://example.org/slides")
    page.get_by_role("button", name="Preview").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#preview-heading")).to_have_text("Preview: what Person 0001 will get")
    expect(page.locator("#preview-html").get_by_role("link", name="https://example.org/slides")).to_be_visible()
    expect(page.locator("#preview-html")).to_contain_text("Dear Person 0001,")
    assert axe() == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert _scroll_width(page) <= 320


def test_cancelled_session_registrations_page_says_so_without_seat_buttons(live_server, page, axe, app_context):
    _crowded_list(live_server, page, 6)
    session = db.session.scalars(db.select(EventSession).filter_by(title="Crowded")).one()
    with use_case():
        agenda.cancel_session(
            session, reason="", by=db.session.scalars(db.select(Organiser)).one(), now=session.starts_at
        )
    db.session.remove()
    page.reload()

    expect(page.locator('[data-banner="session-cancelled"]')).to_contain_text("“Crowded” will not take place.")
    expect(page.get_by_role("button", name="Give a seat to Person 0003")).to_have_count(0)
    assert axe() == []
    page.set_viewport_size({"width": 320, "height": 800})
    # The banner wraps at 320 px, and the table scrolls inside its own box, not the page.
    box = page.locator('[data-banner="session-cancelled"]').bounding_box()
    assert box["x"] + box["width"] <= 320
    assert _scroll_width(page) <= 320
