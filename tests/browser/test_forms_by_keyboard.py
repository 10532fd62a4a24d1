"""Forms by keyboard alone in Chromium (Tab, Shift+Tab, Enter, Space and typing; never a click): an attendee
registers and a speaker answers a slot, each first sending the form wrong. The page then opens with focus on
the error summary, its title starts with "Error:", and following a summary link puts focus on the field.

Every control focused on the way shows an outline of at least 3:1 against what is around it (the dark navbar,
radios in error), measured from the computed styles; the buttons of a warned row of the organiser's agenda
have text of at least 4.5:1; axe-core finds nothing.
"""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.speakers.services import new_sign_in_url
from tests.factories import at, make_appearance, make_item, make_online_session, make_person, make_session
from tests.http.conftest import PASSWORD, make_organiser

pytestmark = pytest.mark.browser

CONSENT = "I agree that my details are processed as the privacy notice describes."

#: The focused element, its outline, and the first opaque background behind it (the page's white if none).
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let node = el.parentElement, behind = 'rgb(255, 255, 255)';
  for (; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { behind = colour; break; }
  }
  return {
    tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href'),
    name: (el.getAttribute('aria-label') || el.innerText || el.value || el.id || '').trim().slice(0, 60),
    outline: style.outlineStyle === 'none' ? null : style.outlineColor,
    width: parseFloat(style.outlineWidth), behind: behind, color: style.color, background: style.backgroundColor,
  };
}"""


def _rgb(colour: str) -> tuple[float, float, float]:
    """rgb()/rgba() as drawn on white."""
    *rgb, alpha = [float(v) for v in re.findall(r"[\d.]+", colour)] + [1.0]
    alpha = alpha if len(rgb) == 3 else 1.0
    return tuple(c * alpha + 255 * (1 - alpha) for c in rgb[:3])


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two CSS colours."""

    def luminance(colour: str) -> float:
        channels = [c / 255 for c in _rgb(colour)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class Keyboard:
    """Moves through a page by Tab only, checking the focus indicator of everything it lands on."""

    def __init__(self, page: Page):
        self.page = page
        self.rings: list[tuple[str, float]] = []  # (what was focused, its outline's contrast)

    def focused(self) -> dict:
        return self.page.evaluate(FOCUSED)

    def check_ring(self) -> dict:
        el = self.focused()
        assert el["outline"] and el["width"] >= 2, f"no visible focus indicator on {el}"
        ratio = contrast(el["outline"], el["behind"])
        self.rings.append((f"{el['tag']} {el['name']!r} on {el['behind']}", ratio))
        assert ratio >= 3, f"focus outline {el['outline']} on {el['behind']} is {ratio:.2f}:1 on {el}"
        return el

    def tab_to(self, matches, limit: int = 80) -> dict:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            el = self.check_ring()
            if matches(el):
                return el
        raise AssertionError(f"Tab never reached the element ({limit} presses)")

    def tab_to_named(self, name: str) -> dict:
        return self.tab_to(lambda el: el["name"] == name)


def test_an_attendee_registers_by_keyboard_alone_after_a_wrong_first_submit(app, app_context, live_server, page, axe):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None, capacity=5)
    url, title = f"{live_server}/events/{session.event.slug}/sessions/{session.id}/", session.title
    db.session.commit()  # and nothing read after it: on SQLite a read would hold the lock the server needs
    keys = Keyboard(page)

    page.goto(url)
    keys.tab_to(lambda el: el["name"].startswith("Register"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Register: {title}")

    keys.tab_to_named("Register")
    page.keyboard.press("Enter")

    expect(page).to_have_title(re.compile(r"^Error: Register · "))
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("There is a problem")
    summary = keys.focused()
    assert contrast(page.evaluate("getComputedStyle(document.activeElement).outlineColor"), summary["behind"]) >= 3
    assert axe() == []

    link = keys.tab_to(lambda el: el["tag"] == "a")
    assert (link["href"], link["name"]) == ("#full_name", "Full name: Please give your full name.")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Full name")).to_be_focused()
    keys.check_ring()

    page.keyboard.type("Amina Diallo")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type("amina@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("Ministry of Interior, Nigeria")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Which group do you belong to?")).to_be_focused()
    keys.check_ring()  # a select in its error state
    page.keyboard.type("Partner")
    expect(page.get_by_label("Which group do you belong to?")).to_have_value("partner_country")
    keys.tab_to(lambda el: el["id"] == "consent")
    page.keyboard.press("Space")
    expect(page.get_by_label(CONSENT)).to_be_checked()
    keys.tab_to_named("Register")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    assert not page.title().startswith("Error")
    navbar = [ratio for where, ratio in keys.rings if "rgb(33, 37, 41)" in where]
    assert navbar and min(navbar) >= 3  # the dark navbar's links were among those checked


@pytest.fixture
def panel(app_context):
    """A published event's panel with a speaker, and that speaker's sign-in link (as its email would carry)."""
    session = make_session(title="Borders & Security", starts_at=at(8), ends_at=at(11))
    item = make_item(session, title="Looking Ahead", starts_at=at(9), ends_at=at(10))
    person = make_person(session.event, name="Erik Silfversten", email="erik@example.org")
    make_appearance(item, person)
    url = new_sign_in_url(person, now=datetime.now(UTC))
    db.session.commit()
    return {"path": "/" + url.split("://", 1)[1].split("/", 1)[1]}


def test_a_speaker_answers_a_slot_by_keyboard_alone_after_a_wrong_first_submit(live_server, page, axe, panel):
    keys = Keyboard(page)
    page.goto(live_server + panel["path"])
    keys.tab_to_named("Sign in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My slots")

    keys.tab_to(lambda el: el["name"].startswith("Confirm or decline"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm or decline")
    keys.tab_to_named("Send my answer")
    page.keyboard.press("Enter")

    expect(page).to_have_title(re.compile(r"^Error: Confirm or decline: Looking Ahead"))
    expect(page.locator("#error-summary")).to_be_focused()
    assert axe() == []
    link = keys.tab_to(lambda el: el["tag"] == "a")
    assert (link["href"], link["name"]) == ("#response-0", "Your answer: Choose confirm or decline.")
    page.keyboard.press("Enter")
    expect(page.get_by_label("I confirm this slot")).to_be_focused()
    radio = keys.check_ring()  # a radio in its error state
    assert contrast(radio["outline"], radio["behind"]) >= 3
    page.keyboard.press("Space")
    expect(page.get_by_label("I confirm this slot")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Note to the organisers (optional)")).to_be_focused()
    page.keyboard.type("Glad to.")
    keys.tab_to_named("Send my answer")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("My slots")
    expect(page.get_by_test_id("answer")).to_have_text("Confirmed: “Glad to.”")


def test_a_warned_rows_buttons_and_every_focus_ring_of_the_agenda_editor(live_server, page, axe, app_context):
    session = make_session(title="Borders & Security", starts_at=at(8), ends_at=at(11))
    make_item(session, title="Typology", starts_at=at(9), ends_at=at(10))
    make_item(session, title="Overlapping", starts_at=at(9, 30), ends_at=at(10, 30))
    event_id = session.event_id
    make_organiser("ana@example.org", events=[session.event])
    keys = Keyboard(page)

    page.goto(f"{live_server}/organiser/sign-in")
    keys.tab_to(lambda el: el["id"] == "email")
    page.keyboard.type("ana@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your events")
    page.goto(f"{live_server}/organiser/events/{event_id}/")

    warned = page.locator("tr.table-danger")
    expect(warned).to_have_count(2)
    for button in warned.locator(".btn").all():
        colours = button.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b.closest('td')).backgroundColor]")
        ratio = contrast(*colours)
        assert ratio >= 4.5, f"{button.inner_text()!r}: {colours} is {ratio:.2f}:1"
    assert axe() == []
    # Every stop of the page by Tab, to the footer's last link, shows its ring.
    keys.tab_to(lambda el: el["name"] == "Organiser sign-in", limit=120)
    assert min(ratio for _, ratio in keys.rings) >= 3


def test_an_item_page_opened_at_its_people_still_opens_on_the_summary(live_server, page, app_context):
    session = make_session(title="Borders & Security", starts_at=at(8), ends_at=at(11))
    item_id = make_item(session, title="Typology", starts_at=at(9), ends_at=at(10)).id
    make_organiser("ana@example.org", events=[session.event])
    page.goto(f"{live_server}/organiser/sign-in")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your events")

    page.goto(f"{live_server}/organiser/items/{item_id}/edit#people")  # where adding a new person comes back to
    page.get_by_label("Ends").fill("08:00")
    page.keyboard.press("Enter")

    expect(page.locator("#error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Edit Typology"))
