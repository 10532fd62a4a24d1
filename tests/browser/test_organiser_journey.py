"""An organiser builds a small event from nothing, publishes it, and finds it on the public site."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser


def _no_axe_violations(axe, where: str) -> None:
    violations = axe()
    assert violations == [], f"{where}: {violations}"


def _fill(page: Page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def test_organiser_builds_publishes_and_finds_an_event(live_server, page, axe, app_context):
    make_organiser("ana@example.org")
    page.set_default_timeout(5000)

    page.goto(live_server + "/organiser/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organiser sign-in")
    _no_axe_violations(axe, "sign-in")
    _fill(page, {"Email": "ana@example.org", "Password": PASSWORD})
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your events")
    _no_axe_violations(axe, "index")

    page.get_by_role("link", name="New event").click()
    _no_axe_violations(axe, "new event form")
    _fill(
        page,
        {
            "Title": "Partnership Exchange 2031",
            "Venue": "Brussels",
            "First day": "2031-10-14",
            "Last day": "2031-10-30",
            "Contact email": "mpf@example.org",
        },
    )
    page.get_by_role("button", name="Save event").click()
    expect(page.get_by_role("status")).to_contain_text("“Partnership Exchange 2031” is created as a draft.")

    page.get_by_role("link", name="Add a session").click()
    _fill(page, {"Title": "Power of Partnership Approaches", "Day": "2031-10-14", "Starts": "14:00", "Ends": "16:00"})
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status")).to_contain_text("The session “Power of Partnership Approaches” is added.")

    for title, starts, ends in [
        ("Opening remarks", "14:00", "14:15"),
        ("Typology of partnerships", "14:15", "14:45"),
        ("Conclusion", "15:30", "16:00"),
    ]:
        page.get_by_role("link", name="Add an item to Power of Partnership Approaches").click()
        _fill(page, {"Title": title, "Starts": starts, "Ends": ends})
        page.get_by_role("button", name="Check and save").click()
        expect(page.get_by_role("status")).to_contain_text(f"“{title}” is added.")
        page.get_by_role("link", name="Partnership Exchange 2031").click()

    # A clash is shown before saving, with the choice to save anyway.
    page.get_by_role("link", name="Edit Typology of partnerships").click()
    _fill(page, {"Ends": "15:45"})
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_role("heading", name="Check the timeline before saving")).to_be_visible()
    expect(page.locator("[data-warning=overlap]")).to_contain_text("“Typology of partnerships”")
    _no_axe_violations(axe, "item form with warnings")
    _fill(page, {"Ends": "15:15"})
    page.get_by_role("button", name="Save anyway").click()  # new values without a clash: saved at once
    expect(page.get_by_role("status")).to_contain_text("The item is saved.")
    _no_axe_violations(axe, "event page")

    for honorific, name, organisation in [("Dr", "Ana Silva", "University of Lisbon"), ("Mr", "Jan Novak", "Ministry")]:
        page.get_by_role("link", name="People").click()
        page.get_by_role("link", name="Add a person").click()
        _fill(page, {"Honorific": honorific, "Name": name, "Organisation": organisation})
        page.get_by_role("button", name="Save person").click()
        expect(page.get_by_role("status")).to_contain_text(f"{honorific} {name} is added.")
        page.get_by_role("link", name="Partnership Exchange 2031").click()
    page.get_by_role("link", name="Edit Typology of partnerships").click()
    page.get_by_label("Person").select_option(label="Dr Ana Silva — University of Lisbon")
    page.get_by_label("Role").select_option(label="Speaker")
    page.get_by_role("button", name="Add to the item").click()
    expect(page.get_by_role("status")).to_contain_text("Dr Ana Silva is added to “Typology of partnerships”.")
    page.get_by_label("Person").select_option(label="Mr Jan Novak — Ministry")
    page.get_by_label("Role").select_option(label="Moderator")
    page.get_by_role("button", name="Add to the item").click()
    expect(page.get_by_role("listitem").filter(has_text="Mr Jan Novak — Moderator")).to_be_visible()
    _no_axe_violations(axe, "item page with people")

    page.get_by_role("link", name="Partnership Exchange 2031").click()
    page.get_by_role("link", name="Add a session").click()
    _fill(
        page,
        {
            "Title": "Looking Ahead: online follow-up",
            "Day": "2031-10-30",
            "Starts": "10:00",
            "Ends": "11:00",
            "Join link": "https://meet.example.org/ahead",
            "Capacity": "100",
        },
    )
    page.get_by_label("Online session").check()
    page.get_by_label("Open for registration").check()
    _no_axe_violations(axe, "session form")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status")).to_contain_text("The session “Looking Ahead: online follow-up” is added.")
    expect(page.get_by_text("Thursday 30 October 2031, 10:00–11:00 CET (Europe/Brussels)")).to_be_visible()

    # A draft is invisible to the public.
    event_page = page.url
    assert page.goto(live_server + "/events/partnership-exchange-2031/").status == 404
    page.goto(event_page)

    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name=re.compile(r"^Publish")).click()
    expect(page.get_by_role("status")).to_contain_text("The event is published")
    page.get_by_role("link", name="Public site", exact=True).click()
    page.get_by_role("link", name="Partnership Exchange 2031").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership Exchange 2031")
    expect(page.get_by_text("Typology of partnerships").first).to_be_visible()
    expect(page.get_by_text("Looking Ahead: online follow-up").first).to_be_visible()
    expect(page.get_by_text("Dr Ana Silva").first).to_be_visible()

    page.goto(live_server + "/organiser/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out, here and in every other browser.")
    page.goto(live_server + "/organiser/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organiser sign-in")


def test_registration_outbox_and_dashboard_pages_have_no_axe_violations(live_server, page, axe, app_context):
    from datetime import timedelta

    from app.models import AttendeeGroup
    from app.registration import services as registration_services
    from app.transaction import use_case
    from tests.factories import DAY, at, make_online_session

    session = make_online_session(capacity=1, title="Looking Ahead")
    for n, name in enumerate(["Ana Silva", "Bo Berg"]):
        with use_case():
            registration_services.register_attendee(
                session,
                full_name=name,
                email=f"{name.split()[0].lower()}@example.com",
                group=AttendeeGroup.MPF_GRANTEE,
                question="What comes next?",
                consent=True,
                now=at(9, day=DAY - timedelta(days=10 - n)),
            )
    make_organiser("ana@example.org", events=[session.event])
    session_id, event_id = session.id, session.event_id
    # On SQLite every transaction takes the write lock: end ours before the server needs the database.
    db.session.remove()
    page.set_default_timeout(5000)
    page.goto(live_server + "/organiser/sign-in")
    _fill(page, {"Email": "ana@example.org", "Password": PASSWORD})
    page.get_by_role("button", name="Sign in").click()

    for path, heading in [
        (f"/organiser/sessions/{session_id}/registrations/", "Registrations"),
        (f"/organiser/sessions/{session_id}/message", "Message the attendees"),
        (f"/organiser/sessions/{session_id}/cancel", "Cancel “Looking Ahead”?"),
        (f"/organiser/events/{event_id}/outbox/", "Sent mail"),
        (f"/organiser/events/{event_id}/dashboard", "Dashboard"),
    ]:
        page.goto(live_server + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _no_axe_violations(axe, path)
