"""The organiser's back office in French and in the pseudo-locale: the dashboard and the registrations page word
for word in French, the language an organiser signs in with kept for their emails, and the organisers' emails (the
reset link, a speaker's answer, the test copy of a message to registrants) with nothing outside the catalogue."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app import create_app, timeutil
from app.activity import CommandActor
from app.extensions import db
from app.mail import organiser_messages
from app.models import AttendeeGroup, Organiser, OutboxMessage
from app.organiser import services as accounts
from app.registration import listing
from app.registration import services as registration_services
from app.speakers import services as speaker_services
from app.transaction import use_case
from tests import pseudo
from tests.conftest import make_config
from tests.factories import (
    DAY,
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_session,
    make_speaker,
)
from tests.http.conftest import PASSWORD, make_organiser

NOW = at(9, day=DAY - timedelta(days=10))
NB, NNB = "\u00a0", "\u202f"


def _session_with_three():
    """Two seats, both taken, and one person waiting: registered on three days in a row."""
    session = make_online_session(capacity=2, title="Looking Ahead")
    for n, name in enumerate(["Ana Silva", "Bo Berg", "Cleo Diaz"]):
        registration_services.register_attendee(
            session,
            full_name=name,
            email=f"{name.split()[0].lower()}@example.com",
            organisation="Agency",
            group=AttendeeGroup.EU_SERVICE,
            question="",
            consent=True,
            now=NOW + timedelta(days=n),
        )
    db.session.commit()
    return session


def test_the_dashboard_in_french(app_context, client, sign_in):
    session = _session_with_three()
    sign_in(events=[session.event])
    client.set_cookie("lang", "fr")

    page = client.get(f"/organiser/events/{session.event.id}/dashboard").text

    assert f"<title>Tableau de bord · {session.event.title} · " in page
    assert "<h1>Tableau de bord</h1>" in page
    assert "places prises · 1 en attente · 0 annulées" in page
    assert 'aria-label="2 places prises sur 2"' in page
    assert f"Inscriptions par jour{NB}: 20 oct.{NB}: 1, 21 oct.{NB}: 1, 22 oct.{NB}: 1" in page
    assert f"<li>20 octobre{NB}: 1 inscription</li>" in page
    assert "Jours en Europe/Brussels, inscriptions annulées comprises." in page
    assert '<h2 class="h4">Questions pour le panel</h2>' in page
    assert "<p>Aucune question pour l’instant.</p>" in page


def test_the_registrations_page_in_french_with_its_cancelled_banner(app_context, client, sign_in):
    session = _session_with_three()
    organiser = sign_in(events=[session.event])
    client.set_cookie("lang", "fr")
    url = f"/organiser/sessions/{session.id}/registrations/"

    page = client.get(url).text
    client.set_cookie("lang", "en")
    english = client.get(url).text
    client.set_cookie("lang", "fr")
    with use_case():
        registration_services.cancel_session(session, by=organiser, now=NOW + timedelta(days=4))
    called_off = client.get(url).text

    assert "<h1>Inscriptions</h1>" in page
    expected = '<p id="seats"><strong>2</strong> places prises sur 2 · <strong>1</strong> en attente · 0 annulées</p>'
    assert expected in page
    assert '<p id="shown">3 inscriptions affichées.</p>' in page
    assert ">Écrire aux participants</a>" in page
    with force_locale("fr"):
        day = timeutil.format_date(session.starts_at, session.event.timezone)
    assert f'<p class="lead">Looking Ahead, {day}, ' in page and day.split()[0] in {"mercredi", "jeudi", "vendredi"}
    # The page is kept rendered, but per language: English visitors still get English.
    assert '<p id="seats"><strong>2</strong> of 2 seats taken · <strong>1</strong> waiting · 0 cancelled</p>' in english
    assert (
        f"<strong>Annulée{NB}:</strong> «{NB}Looking Ahead{NB}» n’aura pas lieu. Ses participants, la liste d’attente "
        "et ses intervenants en ont été informés." in called_off
    )
    assert '>écrire aux participants<span class="visually-hidden"> de Looking Ahead</span></a>.' in called_off


def test_the_message_form_starts_with_the_greeting_of_the_page_language(app_context, client, sign_in):
    session = _session_with_three()
    sign_in(events=[session.event])
    client.set_cookie("lang", "fr")

    page = client.get(f"/organiser/sessions/{session.id}/message").text

    assert "Bonjour {name},\n\n</textarea>" in page
    assert "<h1>Écrire aux participants</h1>" in page
    assert "2 participants confirmés, 1 sur la liste d’attente." in page


def test_an_organiser_signing_in_in_french_gets_their_reset_email_in_french(app_context, client):
    organiser = make_organiser("olga@example.org")
    client.set_cookie("lang", "fr")

    signed_in = client.post("/organiser/sign-in", data={"email": "olga@example.org", "password": PASSWORD})
    client.post("/organiser/sign-out")
    client.post("/organiser/reset", data={"email": "olga@example.org"})

    assert signed_in.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organiser, organiser.id).language == "fr"
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "organiser_password_reset"))
    assert message.subject == "Réinitialisez votre mot de passe d’organisateur"
    assert message.body_text == (
        "Quelqu’un (vous, nous l’espérons) a demandé la réinitialisation du mot de passe de votre compte "
        f"d’organisateur.\n\nChoisissez un nouveau mot de passe ici dans l’heure{NB}:\n[private link 1]\n\n"
        f"Le lien fonctionne une fois. Si vous n’avez rien demandé, ignorez ce message{NB}: votre mot de passe "
        "reste inchangé.\n"
    )


def test_a_wrong_password_in_french_is_said_next_to_the_field_and_stores_no_language(app_context, client):
    organiser = make_organiser("olga@example.org")
    client.set_cookie("lang", "fr")

    page = client.post("/organiser/sign-in", data={"email": "olga@example.org", "password": "wrong one"}).text

    assert "L’adresse électronique ou le mot de passe n’est pas le bon." in page
    assert 'value="olga@example.org"' in page
    db.session.expire_all()
    assert db.session.get(Organiser, organiser.id).language is None


def test_organisers_who_never_signed_in_get_english(app_context):
    organiser = make_organiser("olga@example.org")

    with use_case():
        accounts.request_password_reset("olga@example.org", now=NOW)

    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == organiser.email))
    assert message.subject == "Reset your organiser password"


# --- the pseudo-locale -------------------------------------------------------------------------------------------


@pytest.fixture
def pseudo_app(app, tmp_path):
    return create_app(make_config(BABEL_TRANSLATION_DIRECTORIES=pseudo.build_catalogue(str(tmp_path))))


def _assert_all_wrapped(message: OutboxMessage, data: tuple[str, ...]) -> None:
    assert message.subject.startswith(pseudo.OPEN) or pseudo.OPEN in message.subject
    assert pseudo.escaped_text(message.subject, data=data) == []
    assert pseudo.escaped_text(message.body_text, data=data) == []
    if message.body_html:
        assert pseudo.escaped_text(message.body_html, data=data) == []


def test_the_reset_email_escapes_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        make_organiser("olga@example.org", language=pseudo.PSEUDO)
        with use_case():
            accounts.request_password_reset("olga@example.org", now=NOW)
        message = db.session.scalar(select(OutboxMessage))

        _assert_all_wrapped(message, ("[private link 1]",))


def test_the_speaker_answer_email_escapes_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        event = make_event(title="Energy Week")
        item = make_item(make_session(event, title="Morning"), title="Looking Ahead")
        person = make_person(event, honorific="Ms", name="Silvia Carta", email="silvia.carta@example.org")
        appearance = make_appearance(item, person)
        make_organiser("first@example.org", events=[event], language=pseudo.PSEUDO)
        speaker = make_speaker(person.email)
        now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
        with use_case():
            speaker_services.respond_to_slot(
                appearance, response="declined", note="On mission that week", by=speaker, now=now
            )
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "first@example.org"))
        when = timeutil.format_range(item.starts_at, item.ends_at, event.timezone)
        data = (
            "Ms Silvia Carta",
            "Looking Ahead",
            "Morning",
            "Energy Week",
            "On mission that week",
            event.timezone,
            f"http://127.0.0.1:5000/organiser/items/{item.id}/edit#people",
        )

        assert message.subject.startswith(pseudo.OPEN)
        # The time range is Babel's (digits and a zone), and the role's label is the enum's own.
        text = message.body_text.replace(when, "")
        assert pseudo.escaped_text(text, data=(*data, appearance.role.label.lower())) == []


def test_the_test_copy_of_a_message_escapes_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        session = make_online_session(capacity=2, title="Looking Ahead")
        organiser = make_organiser("olga@example.org", events=[session.event], language=pseudo.PSEUDO)
        with use_case():
            listing.send_test_message(
                session,
                audience="confirmed",
                subject="Slides",
                body="{name}: slides",
                by=organiser,
                now=NOW,
            )
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "organiser_message_test"))
        data = (
            "Slides",
            "slides",
            "Looking Ahead",
            "Alex Example",
            session.event.title,
            "--",
            session.event.contact_name or "",
        )

        assert message.subject.startswith(pseudo.OPEN)
        assert pseudo.escaped_text(message.body_html, data=tuple(d for d in data if d)) == []
        assert message.kind == organiser_messages.REGISTRANTS_TEST_KIND


def test_command_line_accounts_stay_english(app_context):
    """Accounts made on the command line have no language until their owner signs in."""
    with use_case():
        organiser = accounts.create_organiser(
            "cli@example.org", "a long enough password", by=CommandActor("flask organiser create"), now=NOW
        )

    assert organiser.language is None


def test_the_reset_pages_escape_nothing_in_the_pseudo_locale(pseudo_app):
    """The page a real reset link opens, and the one an unknown link gets."""
    with pseudo_app.app_context():
        organiser = make_organiser("olga@example.org")
        with use_case():
            link = accounts.new_reset_link(organiser, now=datetime.now(UTC))
    browser = pseudo_app.test_client()
    browser.set_cookie("lang", pseudo.PSEUDO)

    page = browser.get(link.removeprefix("http://127.0.0.1:5000"))
    unknown = browser.get("/organiser/reset/not-a-real-token")

    assert page.status_code == 200 and "<h1>⟦" in page.text
    assert pseudo.escaped_text(page.text, data=("English", "Esperanto")) == []
    assert unknown.status_code == 404
    assert pseudo.escaped_text(unknown.text, data=("English", "Esperanto")) == []


def test_the_message_preview_and_a_refused_sign_in_escape_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        session = _session_with_three()
        organiser = make_organiser("olga@example.org", events=[session.event])
        data = (
            session.title,
            session.event.title,
            "English",
            "Esperanto",
            "Ana Silva",
            "Bo Berg",
            "Slides",
            "{name}, Slides",
            "--",
        )
        data += (session.event.contact_name or session.event.title, "Europe/Brussels")
        with force_locale(pseudo.PSEUDO):
            data += (timeutil.format_date(session.starts_at, session.event.timezone),)
            data += (timeutil.format_range(session.starts_at, session.ends_at, session.event.timezone),)
        session_id, organiser_id = session.id, organiser.id
    browser = pseudo_app.test_client()
    browser.set_cookie("lang", pseudo.PSEUDO)

    refused = browser.post("/organiser/sign-in", data={"email": "olga@example.org", "password": "wrong"}).text
    browser.post("/organiser/sign-in", data={"email": "olga@example.org", "password": PASSWORD})
    form = {"audience": "confirmed", "subject": "Slides", "body": "{name}, Slides", "preview": "y"}
    preview = browser.post(f"/organiser/sessions/{session_id}/message", data=form).text

    # The error summary's heading is the shared template's (wrapped with app/forms.py, not here).
    assert pseudo.escaped_text(refused, data=("English", "Esperanto", "olga@example.org")) in (
        [],
        ["There is a problem"],
    )
    assert 'id="preview"' in preview
    assert pseudo.escaped_text(preview, data=data) == []
    with pseudo_app.app_context():
        assert db.session.get(Organiser, organiser_id).language == pseudo.PSEUDO
