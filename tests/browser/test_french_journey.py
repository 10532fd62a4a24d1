"""An attendee whose browser asks for French, in Chromium: the home page and the event in French, a registration
with an error and then a success, the confirmation page, the confirmation email and its invite's DESCRIPTION in
French, the manage page; then the switch to English, remembered on the next page."""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.mail.delivery import deliver_due
from tests.factories import make_online_session

pytestmark = pytest.mark.browser

NBSP, NNBSP = "\u00a0", "\u202f"
JOIN = "https://meet.example.org/looking-ahead"
TITLE = "Looking Ahead: online follow-up session"
CONSENT = "J'accepte que mes données soient traitées comme le décrit l'avis de confidentialité."


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "extra_http_headers": {"Accept-Language": "fr-FR,fr;q=0.9"}}


def _deliver() -> None:
    deliver_due()
    # On SQLite even a read holds the write lock: end the test thread's transaction for the live server.
    db.session.commit()


def test_a_french_attendee_registers_in_french_and_switches_back_to_english(
    app, app_context, live_server, page, axe, mail_server
):
    app.config["SERVER_BASE_URL"] = live_server
    try:
        _journey(live_server, page, axe, mail_server)
    finally:
        app.config["SERVER_BASE_URL"] = "http://127.0.0.1:5000"


def _journey(live_server, page, axe, mail_server):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None, capacity=5)
    event_title = session.event.title
    db.session.commit()

    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Événements à venir")
    page.get_by_role("link", name=event_title).click()

    expect(page.get_by_role("heading", name="Ouverte aux inscriptions")).to_be_visible()
    expect(page.get_by_role("link", name="Intervenants", exact=True)).to_be_visible()
    assert axe() == []
    page.get_by_role("link", name=f"S'inscrire pour {TITLE}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Inscription{NBSP}: {TITLE}")
    page.get_by_role("button", name="S'inscrire").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#full_name-error")).to_have_text("Veuillez indiquer votre nom complet.")
    expect(page.locator("#consent-error")).to_have_text(
        "Veuillez accepter l'avis de confidentialité pour vous inscrire."
    )
    assert axe() == []

    page.get_by_label("Nom complet").fill("Aminata Diallo")
    page.get_by_label("E-mail").fill("aminata@example.com")
    page.get_by_label("Organisation").fill("Ministère de l’Intérieur, Sénégal")
    page.get_by_label(f"À quel groupe appartenez-vous{NNBSP}?").select_option("partner_country")
    page.get_by_label("Votre fuseau horaire").select_option("Africa/Lagos")
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="S'inscrire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes inscrit")
    expect(page.locator("#status")).to_have_text("Votre place est confirmée.")
    expect(page.locator(".own-zone")).to_have_text(
        "mercredi 30 octobre 2030, 09:00–10:30 WAT dans votre fuseau horaire (Africa/Lagos)"
    )

    _deliver()
    [confirmation] = mail_server.messages
    # The header's folding may turn the no-break space before the colon into a plain one.
    assert " ".join(confirmation["Subject"].split()) == f"Inscription confirmée : {TITLE}"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith(
        f"Bonjour Aminata Diallo,\r\n\r\nVotre place est confirmée pour «{NBSP}{TITLE}{NBSP}» ({event_title})."
    )
    invite = icalendar.Calendar.from_ical(confirmation.get_payload()[1].get_content())
    [entry] = invite.walk("VEVENT")
    assert str(entry["DESCRIPTION"]).startswith(f"Participer en ligne{NBSP}: {JOIN}\n\n{event_title}\n")
    manage_link = re.search(rf"{re.escape(live_server)}/registrations/[\w-]+/", text).group(0)

    page.goto(manage_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription")
    expect(page.get_by_role("button", name="Annuler mon inscription")).to_be_visible()
    assert axe() == []

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming events")
