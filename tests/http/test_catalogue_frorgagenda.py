"""The organiser's agenda screens in French: the event page, a timeline warning and a broken rule's message, as an
organiser who chose French with the switch's cookie sees them."""

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ActivityEntry, EventStatus
from tests.factories import at, make_event, make_item, make_person, make_session

NB, NN = "\u00a0", "\u202f"


def text_of(page: bytes) -> str:
    """The page's visible text, ordinary white space collapsed, the no-break spaces of French typography kept."""
    body = re.sub(r"<(script|style|head|select)\b.*?</\1>", " ", page.decode(), flags=re.S)
    body = re.sub(r"<(br|/p|/li|/h[1-6]|/option)\b[^>]*>", " ", body)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", body))).strip()


@pytest.fixture
def french(client, sign_in, app_context):
    """A draft with a session whose two items overlap, and an organiser reading French."""
    event = make_event(title="MPF Exchange Event", slug="mpf", status=EventStatus.DRAFT, timezone="Europe/Brussels")
    session = make_session(event, title="Borders & Security", starts_at=at(8), ends_at=at(11))
    make_item(session, title="Opening remarks", starts_at=at(8), ends_at=at(8, 30))
    make_item(session, title="Looking Ahead", starts_at=at(8, 15), ends_at=at(9))
    make_person(event, name="Ana Silva", email="ana@example.org")
    sign_in(events=[event])
    client.set_cookie("lang", "fr")
    return event


def test_the_event_page_is_in_french_with_its_timeline_warning(client, french):
    page = client.get(f"/organiser/events/{french.id}/")
    text = text_of(page.data)

    assert page.headers["Content-Language"] == "fr"
    assert (
        "Modifier l’événement Ajouter une séance Personnes Tableau de bord E-mails envoyés Activité Notes Typologies "
        "Projet de rapport Publier…" in text
    )
    assert (
        f"Avertissements du calendrier «{NB}Opening remarks{NB}» (09:00–09:30 CET) et «{NB}Looking Ahead{NB}» "
        f"(09:15–10:00 CET) se chevauchent dans «{NB}Borders & Security{NB}»." in text
    )
    assert f"Ordre du jour mercredi 30 octobre 2030 Calendrier du mercredi 30 octobre 2030{NB}: Borders" in text
    assert "Horaires en Europe/Brussels. Les points avec un avertissement sont en rouge." in text
    assert (
        f"Borders & Security, 09:00–12:00 CET{NB}: 2 points{NN}; avec un avertissement{NB}: Opening remarks, "
        "09:00–09:30 CET; Looking Ahead, 09:15–10:00 CET" in text
    )


def test_a_broken_rule_says_why_in_french_next_to_its_field(client, french):
    page = client.post(
        f"/organiser/events/{french.id}/people/new", data={"name": "Ana Silva bis", "email": "ana@example.org"}
    )

    assert (
        '<div id="email-error" class="invalid-feedback">Une autre personne de cet événement a déjà l’adresse e-mail '
        "ana@example.org.</div>" in page.get_data(as_text=True)
    )


def test_a_session_to_delete_says_what_goes_with_it_in_french(client, french):
    # French counts 0 in the singular ("0 participation"), as its plural rule says.
    session = french.sessions[0]
    text = text_of(client.get(f"/organiser/sessions/{session.id}/delete").data)

    assert (
        f"Supprimer «{NB}Borders & Security{NB}»{NN}? Personne n’y est inscrit. Cela supprime la séance avec ses "
        "2 points de l’ordre du jour et les 0 participation de personnes qui y figurent (les personnes restent "
        "dans l’événement). Aucun e-mail n’est envoyé. Cette action est irréversible." in text
    )


def test_the_activity_log_keeps_its_record_in_english_when_the_organiser_reads_french(client, french):
    page = client.post(
        f"/organiser/events/{french.id}/sessions/new",
        data={"title": "Afternoon", "day": "2030-10-30", "starts": "14:00", "ends": "15:30"},
        follow_redirects=True,
    )

    assert f"La séance «{NB}Afternoon{NB}» est ajoutée." in text_of(page.data)
    entry = db.session.scalars(select(ActivityEntry).where(ActivityEntry.action == "session.created")).one()
    assert entry.summary == "Added the session “Afternoon” (Wednesday 30 October 2030, 14:00–15:30 CET)."
