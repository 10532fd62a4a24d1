"""Every email to an attendee goes through the catalogue (each built in the pseudo-locale escapes nothing), and a
French attendee's reminder and session-moved email are French when an English organiser causes them."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app import create_app, timeutil
from app.activity import CommandActor
from app.extensions import db
from app.mail import messages
from app.models import EventSession, OutboxMessage, Registration, RegistrationStatus
from app.models.base import utcnow
from app.registration.services import reschedule_session
from app.transaction import use_case
from tests import pseudo
from tests.conftest import make_config
from tests.factories import make_online_session, make_registration

NBSP, NNBSP = "\u00a0", "\u202f"
OPERATOR = CommandActor("flask shell")


@pytest.fixture
def pseudo_app(app, tmp_path):
    """The app with the pseudo-locale as its only translation (see tests/pseudo.py)."""
    return create_app(make_config(BABEL_TRANSLATION_DIRECTORIES=pseudo.build_catalogue(str(tmp_path))))


def _in_pseudo(function, *args) -> str:
    with force_locale(pseudo.PSEUDO):
        return function(*args)


def _emails(registration: Registration, session: EventSession) -> dict[str, tuple[str, str, str]]:
    """Each attendee email for this registration, built in its (pseudo) language: kind -> subject, text, html."""
    now = utcnow()
    moved = messages.SessionChange(
        moved=((session.starts_at, session.ends_at), (session.starts_at + timedelta(days=1), session.ends_at)),
        link="changed",
    )
    built = {
        "waitlisted": messages.queue_waitlisted(registration, "token-w", 3, now=now),
        "promoted": messages.queue_promoted(registration, now=now),
        "manage_link": messages.queue_manage_link(registration, "token-m", now=now),
        "cancelled_seat": messages.queue_registration_cancelled(registration, now=now, had_seat=True),
        "cancelled_waiting": messages.queue_registration_cancelled(registration, now=now, had_seat=False),
        "update": messages.queue_update(registration, moved, now=now),
        "update_link": messages.queue_update(registration, messages.SessionChange(link="removed"), now=now),
        "waitlist_update": messages.queue_waitlist_update(registration, moved.without_link(), 2, now=now),
        "session_cancelled": messages.queue_session_cancelled(registration, now=now, reason="The room flooded."),
    }
    emails = {kind: (m.subject, m.body_text, m.body_html) for kind, m in built.items()}
    for kind in messages.REMINDERS:
        reminder = messages.compose_reminder(registration, kind)
        emails[kind] = (reminder.subject, reminder.body_text, reminder.body_html)
    registration.status = RegistrationStatus.WAITLISTED
    waiting = messages.queue_session_cancelled(registration, now=now)
    emails["session_cancelled_waiting"] = (waiting.subject, waiting.body_text, waiting.body_html)
    return emails


def test_every_attendee_email_escapes_nothing_in_the_pseudo_locale(pseudo_app):
    with pseudo_app.app_context():
        session = make_online_session(title="Online follow-up")
        registration = make_registration(
            session, language=pseudo.PSEUDO, full_name="Aminata Diallo", timezone="America/Sao_Paulo"
        )
        event = session.event
        new_start = session.starts_at + timedelta(days=1)
        data = (
            session.title,
            event.title,
            "Aminata Diallo",
            session.join_url,
            "[private link 1]",
            "Europe/Brussels",
            "America/Sao_Paulo",
            "The room flooded.",
            event.contact_name or "",
            event.contact_email or "",
            "--",
            messages.session_url(session),
            _in_pseudo(timeutil.format_date, session.starts_at, "Europe/Brussels"),
            _in_pseudo(timeutil.format_date, session.starts_at, "America/Sao_Paulo"),
            _in_pseudo(timeutil.format_range, session.starts_at, session.ends_at, "America/Sao_Paulo"),
            _in_pseudo(timeutil.format_when, session.starts_at, session.ends_at, "Europe/Brussels"),
            _in_pseudo(timeutil.format_when, new_start, session.ends_at, "Europe/Brussels"),
            _in_pseudo(timeutil.format_time, session.starts_at, "Europe/Brussels"),
            _in_pseudo(timeutil.format_time, session.ends_at, "Europe/Brussels"),
        )
        emails = _emails(registration, session)

    assert len(emails) == 12
    for kind, (subject, text, html) in emails.items():
        assert subject.startswith(pseudo.OPEN), kind
        assert pseudo.escaped_text(html, data=data) == [], kind
        assert pseudo.escaped_text(text, data=data) == [], kind


def test_a_french_attendees_reminder_is_french_when_english_requests_cause_it(app):
    with app.app_context():
        session = make_online_session(title="Suivi en ligne")
        registration = make_registration(session, language="fr", full_name="Aminata Diallo", timezone=None)
        registration_id = registration.id

    with app.test_request_context("/organiser/", headers={"Accept-Language": "en"}):
        reminder = messages.compose_reminder(db.session.get(Registration, registration_id), "reminder_24h")

    assert reminder.subject == "Rappel\u00a0: Suivi en ligne commence demain"
    assert reminder.body_text.startswith("Bonjour Aminata Diallo,\n\n")
    assert f"Rappel{NBSP}: «{NBSP}Suivi en ligne{NBSP}» (" in reminder.body_text
    assert ") commence demain.\n" in reminder.body_text
    assert f"Participer en ligne{NBSP}: https://meet.example.org/looking-ahead\n" in reminder.body_text
    assert (
        "Pour consulter, modifier ou annuler votre inscription, utilisez votre lien privé (ne le partagez pas"
        f"{NNBSP}; il remplace celui envoyé précédemment){NBSP}:\n[private link 1]\n"
    ) in reminder.body_text
    assert '<a href="[private link 1]">Gérer ou annuler mon inscription</a>' in reminder.body_html


def test_a_french_attendees_session_moved_email_is_french_when_an_english_organiser_moves_it(app):
    with app.app_context():
        session = make_online_session(title="Suivi en ligne")
        make_registration(session, language="fr", email="aminata@example.com", timezone=None)
        make_registration(session, language=None, email="ana@example.com", timezone=None)
        session_id, event_title = session.id, session.event.title

    with app.test_request_context("/organiser/", headers={"Accept-Language": "en"}), use_case():
        moved = db.session.get(EventSession, session_id)
        new_start = moved.starts_at + timedelta(days=1)
        reschedule_session(
            moved,
            starts_at=new_start,
            ends_at=new_start + timedelta(hours=1),
            join_url="https://meet.example.org/new",
            by=OPERATOR,
        )

    with app.app_context():
        updates = {
            m.to_address: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "update"))
        }
    french, english = updates["aminata@example.com"], updates["ana@example.com"]
    assert french.subject == f"Mise à jour{NBSP}: Suivi en ligne"
    assert (
        f"«{NBSP}Suivi en ligne{NBSP}» ({event_title}) a changé{NBSP}: elle est déplacée du "
        "mercredi 30 octobre 2030, 09:00–10:30 CET au jeudi 31 octobre 2030, 09:00–10:00 CET. "
        "Le lien pour rejoindre la séance en ligne a changé.\n"
    ) in french.body_text
    assert f"Participer en ligne{NBSP}: https://meet.example.org/new\n" in french.body_text
    assert "L’invitation jointe met à jour l’entrée de votre agenda." in french.body_text
    assert english.subject == "Updated: Suivi en ligne"
    assert (
        f'"Suivi en ligne" ({event_title}) has changed: it moved from '
        "Wednesday 30 October 2030, 09:00–10:30 CET to Thursday 31 October 2030, 09:00–10:00 CET. "
        "The link to join online changed.\n"
    ) in english.body_text
