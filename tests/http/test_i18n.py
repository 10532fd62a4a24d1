"""Languages through HTTP: the switch and Accept-Language, the headers that say and vary on the language, the render
cache per language, people's stored language and their mail, the pseudo-locale over the translated pages, and a
third language added by a catalogue alone."""

import re
import shutil
from datetime import timedelta

import pytest
from flask import g
from flask_babel import force_locale
from sqlalchemy import select

from app import create_app, i18n, timeutil
from app.activity import CommandActor
from app.extensions import db
from app.models import EventSession, OutboxMessage, Registration, Speaker
from app.models.base import utcnow
from app.registration.services import reschedule_session
from app.render_cache import render_cache
from app.speakers.services import new_sign_in_url
from app.transaction import use_case
from tests import pseudo
from tests.conftest import make_config
from tests.factories import (
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_session,
    make_speaker,
)
from tests.http.test_agenda_pages import text_of

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
NBSP = "\u00a0"
OPERATOR = CommandActor("flask shell")


def _open_session(**fields):
    return make_online_session(registration_opens_at=None, registration_closes_at=None, **fields)


def _registration_form(**fields) -> dict:
    values = dict(
        full_name="Aminata Diallo",
        email="aminata@example.com",
        organisation="Ministère de l’Intérieur, Sénégal",
        group="partner_country",
        timezone="Europe/Brussels",
        consent="y",
    )
    values.update(fields)
    return values


def test_home_page_in_french_for_a_french_browser(client):
    make_event(title="MPF Exchange Event", venue="Bruxelles")
    db.session.commit()

    response = client.get("/", headers=FRENCH)

    page = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == "fr"
    assert response.headers["Vary"] == "Accept-Language, Cookie"
    assert '<html lang="fr">' in page
    assert "<title>Événements à venir · Événements MPF</title>" in page
    assert text_of(response.data).startswith("Aller au contenu Événements MPF Menu Événements Événements à venir")
    assert "30 octobre 2030" in page
    assert "Inscriptions aux événements d’échange" in page


def test_home_page_in_english_by_default(client):
    make_event(title="MPF Exchange Event")
    db.session.commit()

    response = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})

    page = response.get_data(as_text=True)
    assert (response.headers["Content-Language"], '<html lang="en">' in page) == ("en", True)
    assert "Accept-Language" in response.headers["Vary"]
    assert text_of(response.data).startswith(
        "Skip to content MPF Events Menu Events Upcoming events MPF Exchange Event"
    )
    assert "30 October 2030" in page


def test_the_switch_is_on_every_page_and_leads_back_to_the_same_page(client):
    event = make_event()
    db.session.commit()

    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)

    switch = re.search(r'<nav class="d-inline" aria-label="Language">(.*?)</nav>', page, re.S).group(1)
    assert '<span lang="en" aria-current="true" class="fw-semibold">English</span>' in switch
    assert f'<a href="/language/fr?next=/events/{event.slug}/" lang="fr" hreflang="fr">Français</a>' in switch


def test_choosing_french_is_remembered_in_a_lax_cookie_and_goes_back(client):
    make_event()
    db.session.commit()

    chosen = client.get("/language/fr?next=/events/", headers={"Accept-Language": "en"})
    later = client.get("/", headers={"Accept-Language": "en"})

    assert (chosen.status_code, chosen.headers["Location"]) == (303, "/events/")
    cookie = chosen.headers["Set-Cookie"]
    assert cookie.startswith("lang=fr;") and "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "Max-Age=31536000" in cookie
    assert later.headers["Content-Language"] == "fr"
    assert "<h1>Événements à venir</h1>" in later.get_data(as_text=True)

    back = client.get("/language/en?next=/")
    assert "<h1>Upcoming events</h1>" in client.get("/", headers=FRENCH).get_data(as_text=True)
    assert back.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example", "%2F%2Fevil.example"],
)
def test_the_switch_never_leads_to_another_site(client, target):
    response = client.get("/language/fr", query_string={"next": target})

    assert (response.status_code, response.headers["Location"]) == (303, "/")


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/language/de?next=/")

    assert (response.status_code, response.headers["Location"]) == (303, "/")
    assert "Set-Cookie" not in response.headers


def test_the_render_cache_keeps_one_page_per_language(client):
    make_event(title="MPF Exchange Event")
    db.session.commit()

    french = client.get("/", headers=FRENCH).get_data(as_text=True)
    english = client.get("/").get_data(as_text=True)
    french_again = client.get("/", headers=FRENCH).get_data(as_text=True)

    assert "<h1>Événements à venir</h1>" in french and french_again == french
    assert "<h1>Upcoming events</h1>" in english
    assert sorted(language for language, _key in render_cache()._entries) == ["en", "fr"]


def test_a_visitor_with_the_language_cookie_still_gets_the_kept_page(client):
    make_event()
    db.session.commit()
    client.get("/language/fr?next=/")

    client.get("/")
    entries = len(render_cache())
    client.get("/")

    assert entries == 1 and len(render_cache()) == 1


def test_error_pages_are_in_the_visitors_language(client):
    missing = client.get("/no-such-page", headers=FRENCH)
    gone_method = client.post("/healthz", headers=FRENCH)

    assert missing.status_code == 404
    assert text_of(missing.data).startswith(
        "Aller au contenu Événements MPF Menu Événements Page introuvable "
        "Nous n’avons pas trouvé cette page. Le lien est peut-être erroné, ou ce vers quoi il pointait n’existe plus."
    )
    assert missing.headers["Content-Language"] == "fr"
    assert "Méthode non autorisée" in text_of(gone_method.data)
    assert "Cette méthode n’est pas autorisée pour l’adresse demandée." in text_of(gone_method.data)


def test_the_429_page_is_in_the_visitors_language(app):
    throttled = create_app(make_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"))
    browser = throttled.test_client()
    for _ in range(3):
        browser.post("/speaker/sign-in", data={"email": "dee@example.org"}, headers=FRENCH)

    limited = browser.post("/speaker/sign-in", data={"email": "dee@example.org"}, headers=FRENCH)

    assert limited.status_code == 429
    assert "Veuillez patienter un peu" in text_of(limited.data)
    assert "Trop de tentatives d’affilée. Veuillez patienter 15 minutes, puis réessayer." in text_of(limited.data)


def test_a_french_registrant_keeps_french_and_gets_the_confirmation_in_french(client):
    session = _open_session(title="Suivi en ligne", join_url="https://meet.example.org/suivi")
    db.session.commit()

    response = client.post(
        f"/events/{session.event.slug}/sessions/{session.id}/register", data=_registration_form(), headers=FRENCH
    )

    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration.language == "fr"
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    assert message.subject == f"Inscription confirmée{NBSP}: Suivi en ligne"
    assert message.body_text.startswith(
        f"Bonjour Aminata Diallo,\n\nVotre place est confirmée pour «{NBSP}Suivi en ligne{NBSP}» (Exchange Event"
    )
    assert f"Date et heure{NBSP}: mercredi 30 octobre 2030, 09:00–10:30 (Europe/Brussels)" in message.body_text
    assert f"Participer en ligne{NBSP}: https://meet.example.org/suivi" in message.body_text
    assert "Pour consulter, modifier ou annuler votre inscription" in message.body_text
    assert '<html lang="fr">' in message.body_html and "Gérer mon inscription</a>" in message.body_html
    assert f"Participer en ligne{NBSP}: https://meet.example.org/suivi" in message.ics.replace("\r\n ", "")


def test_an_english_registrant_gets_english_whatever_language_later_requests_are_in(client):
    session = _open_session(title="Online follow-up")
    db.session.commit()

    client.post(f"/events/{session.event.slug}/sessions/{session.id}/register", data=_registration_form())

    registration = db.session.scalar(select(Registration))
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    assert registration.language == "en"
    assert message.subject == "Registered: Online follow-up"
    assert message.body_text.startswith('Dear Aminata Diallo,\n\nYour place is confirmed for "Online follow-up"')
    assert "When: Wednesday 30 October 2030, 09:00–10:30 (Europe/Brussels)" in message.body_text


def test_a_speaker_keeps_the_language_they_sign_in_with(client, app):
    person = make_person(make_event(), name="Dovilė Škarnulis", email="dovile@example.org")
    with use_case():
        url = new_sign_in_url(person, now=utcnow())
    path = url.removeprefix(app.config["SERVER_BASE_URL"])

    signed_in = client.post(path, headers=FRENCH)

    assert signed_in.headers["Location"] == "/speaker/"
    assert db.session.scalar(select(Speaker.language).where(Speaker.email == "dovile@example.org")) == "fr"


def test_a_french_attendees_update_is_french_when_an_english_organiser_moves_the_session(app):
    with app.app_context():
        session = _open_session(title="Suivi")
        make_registration(session, language="fr", email="aminata@example.com", timezone=None)
        make_registration(session, language=None, email="ana@example.com", timezone=None)
        session_id = session.id

    with app.test_request_context("/organiser/", headers={"Accept-Language": "en"}), use_case():
        moved = db.session.get(EventSession, session_id)
        new_start = moved.starts_at + timedelta(days=1)
        reschedule_session(moved, starts_at=new_start, ends_at=new_start + timedelta(hours=1), by=OPERATOR)

    with app.app_context():
        updates = dict(
            db.session.execute(
                select(OutboxMessage.to_address, OutboxMessage.body_text).where(OutboxMessage.kind == "update")
            ).all()
        )
    assert (
        f"Date et heure{NBSP}: jeudi 31 octobre 2030, 09:00–10:00 (Europe/Brussels)" in updates["aminata@example.com"]
    )
    assert "When: Thursday 31 October 2030, 09:00–10:00 (Europe/Brussels)" in updates["ana@example.com"]


#: Each language's own name in the switch: not from the catalogue, on purpose.
LANGUAGE_NAMES = ("English", "Français", "Esperanto")


def _in_pseudo(pseudo_app, format_, *args) -> str:
    """A date as the pseudo-locale's pages write it (Babel's Esperanto forms: data, not catalogue words)."""
    with pseudo_app.app_context(), force_locale(pseudo.PSEUDO):
        return format_(*args)


def _wrapped_pages(pseudo_app) -> dict[str, tuple[str, ...]]:
    """The pages whose every string is wrapped, with the data each shows (not from the catalogue). Later waves add
    theirs here."""
    with pseudo_app.app_context():
        event = make_event(title="MPF Exchange Event", venue="Brussels")
        cancelled = make_event(title="Old Event", venue="Vienna", status="cancelled")
        db.session.commit()
        day = _in_pseudo(pseudo_app, timeutil.format_long_date, event.starts_on)
        shown = (event.title, event.venue, cancelled.title, cancelled.venue, day)
    return {
        "/": (*shown, *LANGUAGE_NAMES),
        "/no-such-page": LANGUAGE_NAMES,
    }


@pytest.fixture
def pseudo_app(app, tmp_path):
    """The app with the pseudo-locale as its only translation (see tests/pseudo.py)."""
    return create_app(make_config(BABEL_TRANSLATION_DIRECTORIES=pseudo.build_catalogue(str(tmp_path))))


def test_no_visible_text_of_the_wrapped_pages_escapes_the_catalogue(pseudo_app):
    pages = _wrapped_pages(pseudo_app)
    browser = pseudo_app.test_client()
    browser.set_cookie("lang", pseudo.PSEUDO)

    escaped = {}
    for url, data in pages.items():
        page = browser.get(url).get_data(as_text=True)
        assert pseudo.OPEN in page, url
        escaped[url] = pseudo.escaped_text(page, data=data)

    assert escaped == dict.fromkeys(pages, [])


def test_the_pseudo_locale_finds_a_string_left_out_of_the_catalogue():
    page = (
        "<html><head><title>⟦Évéñţš⟧</title></head><body><h1>⟦Ŭpçőmîñğ⟧</h1><p>Not wrapped</p>"
        '<a aria-label="Main">x</a><script>var s = "code"</script><p>MPF Exchange Event</p></body></html>'
    )

    assert pseudo.escaped_text(page, data=("MPF Exchange Event",)) == ["Not wrapped", "Main", "x"]


def test_the_confirmation_email_escapes_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        session = _open_session(title="Online follow-up", join_url="https://meet.example.org/x")
        db.session.commit()
        url = f"/events/{session.event.slug}/sessions/{session.id}/register"
        event_title = session.event.title
        day = _in_pseudo(pseudo_app, timeutil.format_date, session.starts_at, "Europe/Brussels")
    browser = pseudo_app.test_client()
    browser.set_cookie("lang", pseudo.PSEUDO)

    browser.post(url, data=_registration_form())

    with pseudo_app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
        data = (
            "Online follow-up",
            event_title,
            "Aminata Diallo",
            "https://meet.example.org/x",
            "[private link 1]",
            "Europe/Brussels",
            "MPF Team",
            "mpf@example.org",
            "--",
            day,
            "09:00",
            "10:30",
        )
        assert message.subject.startswith(pseudo.OPEN)
        assert pseudo.escaped_text(message.body_html, data=data) == []
        assert pseudo.escaped_text(message.body_text, data=data) == []


def test_a_third_language_is_one_catalogue_away(app, tmp_path):
    """Portuguese added as a copied catalogue (its words are French here, it only has to be found): the switch offers
    it and Accept-Language picks it, with no code change."""
    translations = tmp_path / "translations"
    shutil.copytree(i18n.os.path.join(app.root_path, "translations"), translations)
    shutil.copytree(translations / "fr", translations / "pt")
    with_portuguese = create_app(make_config(BABEL_TRANSLATION_DIRECTORIES=str(translations)))
    browser = with_portuguese.test_client()

    response = browser.get("/", headers={"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"})

    page = response.get_data(as_text=True)
    assert with_portuguese.extensions["languages"] == ("en", "fr", "pt")
    assert response.headers["Content-Language"] == "pt" and '<html lang="pt">' in page
    assert '<a href="/language/fr?next=/" lang="fr" hreflang="fr">Français</a>' in page
    assert '<span lang="pt" aria-current="true" class="fw-semibold">Português</span>' in page
    assert "<h1>Événements à venir</h1>" in page
    chosen = browser.get("/language/pt?next=/")
    assert chosen.headers["Set-Cookie"].startswith("lang=pt;")


def test_the_speakers_page_sorts_surnames_by_collation_not_character_codes(client):
    event = make_event()
    item = make_item(make_session(event))
    for name in ("Aisling Tangney", "Dovilė Škarnulis", "Erik Silfversten"):
        make_appearance(item, make_person(event, name=name))
    db.session.commit()

    text = text_of(client.get(f"/events/{event.slug}/speakers/").data)

    positions = [text.index(name) for name in ("Erik Silfversten", "Dovilė Škarnulis", "Aisling Tangney")]
    assert positions == sorted(positions)


def test_the_switch_stores_the_language_of_a_signed_in_speaker_and_organiser_and_of_nobody_else(
    client, app, sign_in, app_context
):
    """Their later emails follow the switch, not only the language they signed in with."""
    from app.models import Organiser
    from app.speakers.views import SESSION_KEY, VERSION_KEY

    speaker = make_speaker("ana@example.org", language="en")
    other = make_speaker("bo@example.org", language="en")
    with client.session_transaction() as flask_session:
        flask_session[SESSION_KEY] = speaker.id
        flask_session[VERSION_KEY] = speaker.session_version

    switched = client.get("/language/fr", query_string={"next": "/speaker/"})

    db.session.expire_all()
    assert switched.status_code == 303 and switched.location == "/speaker/"
    assert (db.session.get(Speaker, speaker.id).language, db.session.get(Speaker, other.id).language) == ("fr", "en")

    organiser = sign_in()
    g.pop("_login_user", None)  # the requests share the test's app context: forget the anonymous user loaded
    client.get("/language/fr", query_string={"next": "/organiser/"})
    db.session.expire_all()
    assert db.session.get(Organiser, organiser.id).language == "fr"
    client.get("/language/en")
    db.session.expire_all()
    assert (db.session.get(Organiser, organiser.id).language, db.session.get(Speaker, speaker.id).language) == (
        "en",
        "en",
    )

    anonymous = app.test_client()
    anonymous.get("/language/fr")
    db.session.expire_all()
    assert db.session.get(Speaker, other.id).language == "en"
