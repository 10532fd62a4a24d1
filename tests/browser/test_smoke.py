"""The browser layer itself: Debian's chromium opens our home page and axe-core runs on it."""

from playwright.sync_api import expect


def test_home_page_opens_in_chromium_without_axe_violations(live_server, page, axe):
    page.goto(live_server + "/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming events")
    assert axe() == []
