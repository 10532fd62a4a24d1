"""French titles and descriptions through HTTP: an organiser gives them, French readers (the switch's cookie) see
them on the event and session pages and in their email, English readers see the English, and an empty French
field falls back to the English."""

from sqlalchemy import select

from app.extensions import db
from app.models import AgendaItem, Event, EventSession, EventStatus, OutboxMessage
from tests.factories import at, make_event, make_item, make_online_session, make_session
from tests.http.test_agenda_pages import text_of

NBSP = "\u00a0"


def _reader(client, language: str):
    client.set_cookie("lang", language)
    return client


def test_an_organiser_gives_french_titles_to_the_event_a_session_and_an_item(client, sign_in):
    event = make_event(title="MPF Exchange Event", status=EventStatus.DRAFT)
    session = make_session(event, title="Morning Session", starts_at=at(8), ends_at=at(11))
    item = make_item(session, title="Coffee break", starts_at=at(9), ends_at=at(9, 15))
    sign_in(events=[event])
    event_id, session_id, item_id = event.id, session.id, item.id

    form = client.get(f"/organiser/events/{event_id}/edit").text
    client.post(
        f"/organiser/events/{event_id}/edit",
        data={"title": "MPF Exchange Event", "title_fr": "Rencontre d’échange du MPF", "timezone": "Europe/Brussels",
              "starts_on": "2030-10-30", "ends_on": "2030-10-30", "contact_email": "mpf@example.org"},
    )  # fmt: skip
    client.post(
        f"/organiser/sessions/{session_id}/edit",
        data={"title": "Morning Session", "title_fr": "Séance du matin", "description_fr": "Les priorités.",
              "day": "2030-10-30", "starts": "09:00", "ends": "12:00", "move_items": "y"},
    )  # fmt: skip
    client.post(
        f"/organiser/items/{item_id}/edit",
        data={"title": "Coffee break", "title_fr": "Pause café", "kind": "break", "starts": "10:00", "ends": "10:15"},
    )

    db.session.expire_all()
    assert '<label class="form-label" for="title_fr">Title in French</label>' in form
    assert 'id="title_fr" lang="fr" maxlength="200" name="title_fr"' in form
    assert 'id="description_fr" lang="fr" maxlength="5000"' in form
    assert db.session.get(Event, event_id).title_fr == "Rencontre d’échange du MPF"
    session = db.session.get(EventSession, session_id)
    assert (session.title_fr, session.description_fr) == ("Séance du matin", "Les priorités.")
    assert db.session.get(AgendaItem, item_id).title_fr == "Pause café"


def test_the_organiser_form_labels_are_in_french_for_a_french_organiser(client, sign_in):
    event = make_event(status=EventStatus.DRAFT)
    sign_in(events=[event])

    page = _reader(client, "fr").get(f"/organiser/events/{event.id}/sessions/new").text

    assert '<label class="form-label" for="title_fr">Titre en français</label>' in page
    assert '<label class="form-label" for="description_fr">Description en français</label>' in page


def test_a_french_reader_sees_the_french_titles_and_an_english_reader_the_english(client):
    event = make_event(title="MPF Exchange Event", title_fr="Rencontre d’échange du MPF")
    session = make_session(
        event,
        title="Looking Ahead: online follow-up session",
        title_fr=f"Perspectives{NBSP}: séance de suivi en ligne",
        description="More time for questions.",
        description_fr="Plus de temps pour les questions.",
    )
    make_item(session, title="Questions and discussion", title_fr="Questions et échanges", starts_at=at(8),
              ends_at=at(9))  # fmt: skip
    make_item(session, title="Coffee break", starts_at=at(9), ends_at=at(9, 30))
    db.session.commit()
    event_url, session_url = f"/events/{event.slug}/", f"/events/{event.slug}/sessions/{session.id}/"

    french_event = text_of(_reader(client, "fr").get(event_url).data)
    french_session = _reader(client, "fr").get(session_url)
    english_event = text_of(_reader(client, "en").get(event_url).data)
    english_session = _reader(client, "en").get(session_url)

    assert "Rencontre d’échange du MPF" in french_event and "MPF Exchange Event" not in french_event
    assert "Perspectives : séance de suivi en ligne" in french_event  # text_of makes the no-break space a space
    french = text_of(french_session.data)
    assert f"<h1>Perspectives{NBSP}: séance de suivi en ligne" in french_session.text
    assert "Plus de temps pour les questions." in french and "More time for questions." not in french
    assert "Questions et échanges" in french
    assert "Coffee break" in french  # no French title: the English one
    assert "Rencontre d’échange du MPF" in french
    assert "MPF Exchange Event" in english_event and "Rencontre" not in english_event
    english = text_of(english_session.data)
    assert "<h1>Looking Ahead: online follow-up session" in english_session.text
    assert "More time for questions." in english and "Questions and discussion" in english
    assert "Perspectives" not in english and "Questions et échanges" not in english


def test_an_empty_french_title_falls_back_to_the_english_one(client, sign_in):
    event = make_event(title="MPF Exchange Event", status=EventStatus.DRAFT)
    session = make_session(event, title="Morning Session", title_fr="Séance du matin", starts_at=at(8), ends_at=at(11))
    sign_in(events=[event])
    client.post(
        f"/organiser/sessions/{session.id}/edit",
        data={"title": "Morning Session", "title_fr": "", "day": "2030-10-30", "starts": "09:00", "ends": "12:00"},
    )
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    event.status = EventStatus.PUBLISHED
    db.session.commit()

    page = _reader(client, "fr").get(f"/events/{event.slug}/sessions/{session.id}/").text

    assert db.session.get(EventSession, session.id).title_fr is None
    assert "<h1>Morning Session" in page


def test_a_french_registrant_gets_the_french_title_in_the_email_and_the_invite(client):
    session = make_online_session(
        make_event(title="MPF Exchange Event", title_fr="Rencontre d’échange du MPF"),
        title="Looking Ahead: online follow-up session",
        title_fr="Perspectives : séance de suivi en ligne",
        join_url="https://meet.example.org/suivi",
        registration_opens_at=None,
        registration_closes_at=None,
    )
    db.session.commit()
    form = {"full_name": "Aminata Diallo", "email": "aminata@example.com", "organisation": "Ministère",
            "group": "partner_country", "timezone": "Europe/Brussels", "consent": "y"}  # fmt: skip

    _reader(client, "fr").post(f"/events/{session.event.slug}/sessions/{session.id}/register", data=form)

    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    assert message.subject == f"Inscription confirmée{NBSP}: Perspectives : séance de suivi en ligne"
    assert message.body_text.startswith(
        f"Bonjour Aminata Diallo,\n\nVotre place est confirmée pour «{NBSP}Perspectives : séance de suivi en ligne"
        f"{NBSP}» (Rencontre d’échange du MPF)"
    )
    ics = message.ics.replace("\r\n ", "")
    assert "SUMMARY:Perspectives : séance de suivi en ligne\r\n" in ics
    assert "Rencontre d’échange du MPF" in ics


def test_an_english_registrant_gets_the_english_title(client):
    session = make_online_session(
        title="Looking Ahead: online follow-up session",
        title_fr="Perspectives : séance de suivi en ligne",
        registration_opens_at=None,
        registration_closes_at=None,
    )
    db.session.commit()
    form = {"full_name": "Ana Silva", "email": "ana@example.com", "organisation": "ICMPD",
            "group": "partner_country", "timezone": "Europe/Brussels", "consent": "y"}  # fmt: skip

    _reader(client, "en").post(f"/events/{session.event.slug}/sessions/{session.id}/register", data=form)

    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    assert message.subject == "Registered: Looking Ahead: online follow-up session"
    assert "SUMMARY:Looking Ahead: online follow-up session\r\n" in message.ics.replace("\r\n ", "")
