"""The speaker side in French and in the pseudo-locale: the slots page and a slot's email in exact French, every
speaker email with nothing outside the catalogue, and a shared form message (app/forms.py) in French."""

import re

import pytest
from flask_babel import force_locale

from app import create_app, timeutil
from app.extensions import db
from app.mail import speaker_messages
from app.models import Role, SlotNotice
from tests import pseudo
from tests.conftest import make_config
from tests.factories import at, make_appearance, make_event, make_item, make_session, make_speaker
from tests.http.test_agenda_pages import text_of
from tests.http.test_speaker_pages import sign_in_as

NBSP, NNBSP = "\u00a0", "\u202f"


def _slot(**person):
    event = make_event(title="MPF Exchange Event", timezone="Europe/Brussels")
    session = make_session(event, title="Morning", starts_at=at(9), ends_at=at(12))
    item = make_item(session, title="Looking Ahead", starts_at=at(9), ends_at=at(10))
    return make_appearance(item, role=Role.MODERATOR)


def test_the_slots_page_in_french(client):
    appearance = _slot()
    db.session.commit()
    sign_in_as(client, appearance.person)
    client.set_cookie("lang", "fr")

    response = client.get("/speaker/")
    page = text_of(response.data)

    assert page.startswith("Aller au contenu"), page[:80]
    assert f"Mes interventions Connecté en tant que {appearance.person.display_name}, Project Manager, ICMPD." in page
    assert (
        "Looking Ahead Quand mercredi 30 octobre 2030, 10:00–11:00 CET (Europe/Brussels, heure de l’événement) "
        "Votre rôle Modérateur Séance Morning · MPF Exchange Event Salle Brussels Avec Personne d’autre "
        "Avant Début de la séance Après Fin de la séance Votre réponse En attente "
        "Confirmer ou décliner « Looking Ahead » Ajouter à l’agenda (.ics) pour « Looking Ahead »"
    ) in page  # (text_of makes every space a plain one)
    assert "<h1>Mes interventions</h1>" in response.get_data(as_text=True)
    assert f'Confirmer ou décliner<span class="visually-hidden"> «{NBSP}Looking Ahead{NBSP}»</span>' in (
        response.get_data(as_text=True)
    )


def test_a_moved_slot_email_in_french(app_context):
    appearance = _slot()
    make_speaker(appearance.person.email, language="fr")

    moved = speaker_messages.queue_slot_changed(
        appearance, change="moved", zone="Asia/Tokyo", ics="BEGIN:VCALENDAR", ics_method="REQUEST"
    )

    assert moved.subject == f"Votre intervention a été déplacée{NBSP}: Looking Ahead"
    assert moved.body_text == (
        f"Bonjour {appearance.person.display_name},\n\n"
        f"Votre intervention «{NBSP}Looking Ahead{NBSP}» (modérateur) dans Morning, MPF Exchange Event, "
        "a été déplacée.\n"
        "Elle a désormais lieu le mercredi 30 octobre 2030, 18:00–19:00 JST (Asia/Tokyo)"
        f"{NNBSP}; mercredi 30 octobre 2030, 10:00–11:00 CET dans le fuseau horaire de l’événement (Europe/Brussels).\n"
        "L’invitation jointe met à jour l’entrée de votre agenda.\n\n"
        f"Questions{NBSP}: MPF Team <mpf@example.org>"
    )


def test_a_shared_form_message_in_french(client):
    appearance = _slot()
    db.session.commit()
    sign_in_as(client, appearance.person)
    client.set_cookie("lang", "fr")
    form = {"name": "Ana", "position": "x" * 301}
    page = text_of(client.post("/speaker/profile", data=form).data)

    assert "Il y a un problème Fonction : Utilisez 300 caractères au plus." in page  # (spaces made plain)
    assert page.count("Utilisez 300 caractères au plus.") == 2  # the summary, and next to the field


# --- the pseudo-locale ---------------------------------------------------------------------------


@pytest.fixture
def pseudo_app(app, tmp_path):
    return create_app(make_config(BABEL_TRANSLATION_DIRECTORIES=pseudo.build_catalogue(str(tmp_path))))


def _pseudo(format_, *args) -> str:
    with force_locale(pseudo.PSEUDO):
        return format_(*args)


@pytest.mark.parametrize("change", ["added", "moved", "changed", "cancelled"])
def test_every_slot_email_escapes_nothing_in_the_pseudo_locale(pseudo_app, change):
    with pseudo_app.app_context():
        appearance = _slot()
        make_speaker(appearance.person.email, language=pseudo.PSEUDO)
        message = speaker_messages.queue_slot_changed(
            appearance, change=change, zone="Asia/Tokyo", ics="BEGIN:VCALENDAR", ics_method="REQUEST"
        )
        data = (
            appearance.person.display_name,
            "Looking Ahead",
            "Morning",
            "MPF Exchange Event",
            "MPF Team",
            "mpf@example.org",
            "Asia/Tokyo",
            "Europe/Brussels",
            _pseudo(timeutil.format_date, appearance.item.starts_at, "Asia/Tokyo"),
            _pseudo(timeutil.format_when, appearance.item.starts_at, appearance.item.ends_at, "Europe/Brussels"),
            _pseudo(timeutil.format_range, appearance.item.starts_at, appearance.item.ends_at, "Asia/Tokyo"),
        )
        assert message.subject.startswith(pseudo.OPEN)
        assert pseudo.escaped_text(message.body_html, data=data) == []
        assert pseudo.escaped_text(message.body_text, data=data) == []


def test_the_sign_in_link_and_the_gone_slot_emails_escape_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        appearance = _slot()
        make_speaker(appearance.person.email, language=pseudo.PSEUDO)
        person = appearance.person
        link = speaker_messages.queue_sign_in_link(person.email, person, "https://ev.example.org/speaker/sign-in/t")
        nameless = speaker_messages.queue_sign_in_link(person.email, None, "https://ev.example.org/speaker/sign-in/u")
        notice = SlotNotice(
            uid="x",
            to_address=person.email,
            to_name=person.display_name,
            item_title="Looking Ahead",
            session_title="Morning",
            role="speaker",
        )
        gone = speaker_messages.queue_gone_slot_cancelled(
            notice, appearance.item.session.event, role=str(Role.SPEAKER.label), ics="BEGIN:VCALENDAR"
        )
        data = (person.display_name, "Looking Ahead", "Morning", "MPF Exchange Event", "MPF Team", "mpf@example.org")
        for message in (link, nameless, gone):
            assert message.subject.startswith(pseudo.OPEN)
            assert pseudo.escaped_text(message.body_html, data=data) == [], message.kind
            assert pseudo.escaped_text(message.body_text, data=(*data, "[private link 1]")) == [], message.kind


def test_the_slots_page_escapes_nothing_but_the_time_zones_labels_in_the_pseudo_locale(pseudo_app):
    """speakers.slots stays in NOT_YET_WRAPPED for its zone picker's labels only (app/zones.py, not yet wrapped)."""
    browser = pseudo_app.test_client()
    browser.set_cookie("lang", pseudo.PSEUDO)
    with pseudo_app.app_context():
        appearance = _slot()
        db.session.commit()
        person, event = appearance.person, appearance.item.session.event
        sign_in_as(browser, person)
        day = _pseudo(timeutil.format_date, appearance.item.starts_at, "Europe/Brussels")
        data = (person.display_name, "Project Manager", "ICMPD", "Looking Ahead", "Morning", event.title, day)
        data += (event.venue, "Europe/Brussels", "English", "Français", "Esperanto")

    words = pseudo.escaped_text(browser.get("/speaker/").get_data(as_text=True), data=data)

    zones = re.compile(r"\((UTC[+−-]?\d*|Coordinated Universal Time)\)$")
    assert [w for w in words if not zones.search(w) and not re.fullmatch(r",? ?[\d:–]+ CET", w)] == []
    assert words, "the zone labels are wrapped now: take speakers.slots out of NOT_YET_WRAPPED"
