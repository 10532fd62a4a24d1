"""An attendee downloads, then erases their data from their private link; the organiser's list and CSV then
no longer hold them, and the next on the waiting list has the seat. axe-core finds nothing on the new pages."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.registration.services import register_attendee
from app.transaction import use_case
from tests.factories import make_online_session
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser

NEEDS = "Quokka-friendly seating"


def test_attendee_downloads_then_erases_and_the_organiser_no_longer_sees_them(live_server, page, axe, app_context):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None, capacity=1)
    with use_case():
        amina = register_attendee(
            session,
            full_name="Amina Zebradottir",
            email="amina.zebra@example.com",
            organisation="Ministry of Interior, Nigeria",
            group="partner_country",
            question="Will the partnership continue?",
            accessibility_needs=NEEDS,
            consent=True,
        )
    with use_case():
        register_attendee(session, full_name="Bo Berg", email="bo@example.com", group="eu_service", consent=True)
    make_organiser("ana@example.org", events=[session.event])
    session_id, slug = session.id, session.event.slug
    # On SQLite every transaction takes the write lock: end ours before the server needs the database.
    db.session.remove()
    page.set_default_timeout(5000)
    manage = f"{live_server}/registrations/{amina.token}/"

    page.goto(manage)
    page.get_by_role("link", name="privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Privacy notice: {session.event.title}")
    assert axe() == []
    page.goto(manage)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data (a JSON file)").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert (data["registration"]["email"], data["registration"]["accessibility_needs"]) == (
        "amina.zebra@example.com",
        NEEDS,
    )
    assert data["emails"][0]["kind"] == "confirmation"

    page.get_by_role("link", name="Erase my data…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase your data?")
    assert axe() == []
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Your registration and its data are erased. We have sent no email."
    )
    assert page.url == f"{live_server}/events/{slug}/sessions/{session_id}/"
    gone = page.goto(manage)
    assert gone.status == 404

    page.goto(live_server + "/organiser/sign-in")
    page.get_by_label("Email", exact=True).fill("ana@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/organiser/sessions/{session_id}/registrations/")
    expect(page.locator("#seats")).to_contain_text("1 of 1 seats taken · 0 waiting · 1 cancelled")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_role("cell").first).to_have_text("Personal data erased")
    expect(rows.nth(1).get_by_role("cell", name="Confirmed", exact=True)).to_be_visible()  # Bo has the seat
    expect(page.locator("main")).not_to_contain_text("Amina")
    assert axe() == []
    for link in ("Download CSV of the registrations shown", "CSV with accessibility needs"):
        with page.expect_download() as csv_info:
            page.get_by_role("link", name=link).click()
        text = Path(csv_info.value.path()).read_text(encoding="utf-8-sig")
        assert "Personal data erased" in text and "Bo Berg" in text
        assert "Amina" not in text and "amina.zebra" not in text and NEEDS not in text
