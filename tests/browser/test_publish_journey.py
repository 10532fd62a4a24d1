"""Publishing by keyboard alone: the organiser goes from the draft's page to the publish step, reads who is
told what, confirms, and exactly those people's invites are in the outbox. Axe-clean, 320 px wide."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Event, EventStatus, OutboxMessage, Role
from tests.factories import at, make_appearance, make_event, make_item, make_person, make_session
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser


def _tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element's text starts with `name` (a keyboard user's way there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(document.activeElement.innerText || '').trim()").startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_an_organiser_publishes_a_draft_by_keyboard_and_the_listed_people_get_their_invites(
    live_server, page, axe, app_context
):
    event = make_event(title="MPF Exchange Event", status=EventStatus.DRAFT)
    session = make_session(event, title="Borders & Security Cooperation Priorities", starts_at=at(8), ends_at=at(12))
    panel = make_item(session, title="Looking Ahead: a panel on partnerships", starts_at=at(8), ends_at=at(8, 45))
    make_item(session, title="Overlapping coffee", starts_at=at(8, 30), ends_at=at(9))
    make_appearance(
        panel,
        make_person(event, honorific="Dr", name="Ana María Silva Rodrigues", email="ana.silva@ministry.example.org"),
        role=Role.MODERATOR,
    )
    make_appearance(panel, make_person(event, honorific="Mr", name="Bo Berg", email="bo@example.org"))
    make_appearance(panel, make_person(event, honorific="Ms", name="Cy Dorn", email=None), role=Role.PANELLIST)
    make_organiser("ana@example.org", name="Ana Organiser", events=[event])
    event_id = event.id
    db.session.rollback()  # hold no read open: the server writes to the same database
    page.set_default_timeout(5000)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server + "/organiser/sign-in")
    page.get_by_label("Email", exact=True).focus()
    page.keyboard.type("ana@example.org")
    page.get_by_label("Password", exact=True).focus()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/organiser/$"))
    page.goto(f"{live_server}/organiser/events/{event_id}/")

    _tab_to(page, "Publish")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Publish “MPF Exchange Event”?")
    expect(page.locator("#publish-warnings")).to_contain_text("The timeline has")
    expect(page.locator("#publish-warnings")).to_contain_text("If you publish now, the invites carry these times")
    told = page.locator("#told > ul > li")
    expect(told).to_have_count(2)
    expect(told.nth(0)).to_contain_text("Dr Ana María Silva Rodrigues (ana.silva@ministry.example.org)")
    expect(told.nth(0)).to_contain_text("Looking Ahead: a panel on partnerships, Borders & Security")
    expect(told.nth(0)).to_contain_text("09:00–09:45 CET, moderator: invite")
    expect(told.nth(1)).to_contain_text("Mr Bo Berg (bo@example.org)")
    expect(page.locator("#not-told")).to_contain_text("Ms Cy Dorn: not told (no email address)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe() == []

    _tab_to(page, "Publish and email 2 people")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("The event is published")
    expect(page.get_by_role("status")).to_contain_text("2 emails to 2 people queued.")
    expect(page.locator("[data-status]")).to_have_text("Published")
    db.session.rollback()  # read what the server committed
    assert db.session.get(Event, event_id).status == EventStatus.PUBLISHED
    rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.ics_method))
    assert sorted(rows) == [
        (
            "ana.silva@ministry.example.org",
            "You are in the programme: Looking Ahead: a panel on partnerships",
            "REQUEST",
        ),
        ("bo@example.org", "You are in the programme: Looking Ahead: a panel on partnerships", "REQUEST"),
    ]
