"""A panellist of "Looking Ahead" asks for a link, reads it from the SMTP server, signs in, sees the slots
with the moderator named, switches time zone and confirms; axe-core finds nothing on these pages."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from app.demo.loader import load_demo
from app.extensions import db
from app.mail.delivery import deliver_all_due
from app.transaction import use_case

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    with app.app_context():
        now = datetime.now(UTC)
        with use_case():
            load_demo(today=now.date(), now=now)
        db.session.remove()


def test_panellist_signs_in_by_link_sees_slots_switches_zone_and_confirms(
    app, live_server, page, axe, mail_server, demo
):
    page.goto(live_server + "/speaker/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Speaker sign-in")
    assert axe() == []
    page.get_by_label("Your email address").fill("erik.silfversten@example.org")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert axe() == []

    with app.app_context():
        assert len(deliver_all_due().sent) == 1
    (message,) = mail_server.wait_for(1)
    assert message["To"].addresses[0].addr_spec == "erik.silfversten@example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"/speaker/sign-in/[A-Za-z0-9_-]+", body).group(0)

    page.goto(live_server + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your speaker pages")
    assert axe() == []
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My slots")
    panel = page.get_by_role("region", name=re.compile("^Looking Ahead – What are the priorities"))
    expect(panel).to_contain_text("Panellist")
    expect(panel.get_by_role("listitem").filter(has_text="Borut Erzen")).to_contain_text("(moderator")
    expect(panel).to_contain_text("11:15–12:30 CEST")
    follow_up = page.get_by_role("region", name="Questions and discussion with the panel")
    expect(follow_up.get_by_role("link", name="https://meet.example.org/mpf-looking-ahead")).to_be_visible()
    assert axe() == []

    page.get_by_label("Show times in").select_option("Asia/Karachi")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(panel).to_contain_text("14:15–15:30 PKT")
    expect(panel).to_contain_text("(Asia/Karachi, your time)")

    panel.get_by_role("link", name=re.compile("^Confirm or decline")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm or decline")
    assert axe() == []
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#response-error")).to_have_text("Choose confirm or decline.")
    assert axe() == []
    page.get_by_label("I confirm this slot").check()
    page.get_by_label("Note to the organisers (optional)").fill("Glad to join again online.")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("status")).to_contain_text("your answer for “Looking Ahead")
    expect(panel.get_by_test_id("answer")).to_have_text("Confirmed: “Glad to join again online.”")
    assert axe() == []

    for link in ("Questions", "Calendar", "Profile"):
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert axe() == [], link
