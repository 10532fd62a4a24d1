"""The privacy pages through the test client: the notice, an attendee's download and erasure from their private
link, the organisers' export and erasure, the CSV's accessibility needs, and where those needs may appear."""

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import EventSession, EventStatus, OutboxMessage, Registration, RegistrationStatus
from app.registration.services import register_attendee
from app.speakers.services import list_questions
from tests.factories import make_appearance, make_event, make_item, make_online_session, make_person, make_speaker
from tests.personal_data import where_found

NEEDS = "Sign language interpretation (quokka dialect)"
QUESTION = "How will the quokka call treat partnerships?"
BO = dict(question="", accessibility_needs="Live captions")


def _open_session(**fields):
    """An online session open now (the pages use the real clock), in the future, with one seat."""
    values = dict(registration_opens_at=None, registration_closes_at=None, capacity=1, title="Looking Ahead")
    values.update(fields)
    return make_online_session(**values)


def _register(session, email="amina@example.com", name="Amina Zebradottir", **fields):
    values = dict(
        full_name=name,
        email=email,
        organisation="Ministry of Interior, Nigeria",
        group="partner_country",
        question=QUESTION,
        accessibility_needs=NEEDS,
        consent=True,
        timezone="Africa/Lagos",
    )
    values.update(fields)
    return register_attendee(session, **values)


def _reload(registration_id: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- the notice -----------------------------------------------------------------------------------------


def test_notice_shows_who_what_why_how_long_rights_and_its_version(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_RETENTION_DAYS", 45)
    monkeypatch.setitem(app.config, "MAIL_RETENTION_DAYS", 12)
    monkeypatch.setitem(app.config, "PRIVACY_NOTICE_VERSION", "2026-12")
    event = make_event(title="MPF Exchange Event", contact_name="MPF Team", contact_email="mpf@example.org")

    response = client.get(f"/events/{event.slug}/privacy")

    text = _text(response.text)
    assert response.status_code == 200
    assert "Privacy notice: MPF Exchange Event" in text
    assert "Version 2026-12" in text
    assert "The organiser of MPF Exchange Event, MPF Team, decides what is done with your data" in text
    assert 'href="mailto:mpf@example.org"' in response.text
    for kept in (
        "Full name",
        "Email address",
        "Organisation",
        "Group you belong to",
        "Question for the panel",
        "Accessibility needs",
        "Time zone",
        "Consent",
        "Status and its times",
        "The emails sent to you",
    ):
        assert f'<th scope="row">{kept}' in response.text, kept
    assert "Your registration is anonymised 45 days after its session ends" in text
    assert "deleted 12 days after it was delivered" in text
    assert "then for 12 days" in text
    assert "Accessibility needs are deleted first: at once when you cancel or the session is called off" in text
    assert "Article 6(1)(a)" in text and "Article 5(1)(d) of Regulation (EU) 2018/1725" in text
    assert "European Data Protection Supervisor (EDPS" in text
    for right in ("Access", "Rectification", "Erasure", "Objection"):
        assert f"<strong>{right}</strong>" in response.text


def test_notice_without_a_contact_names_the_sender_address(client):
    event = make_event(contact_name="", contact_email="")

    text = _text(client.get(f"/events/{event.slug}/privacy").text)

    assert "Write to events@example.org ." in text


def test_notice_of_a_draft_or_unknown_event_is_not_found(client):
    draft = make_event(title="Hidden Draft Exchange", status=EventStatus.DRAFT)

    of_draft = client.get(f"/events/{draft.slug}/privacy")
    unknown = client.get("/events/no-such-event/privacy")

    assert (of_draft.status_code, unknown.status_code) == (404, 404)
    assert of_draft.text == unknown.text
    assert "We could not find that page." in of_draft.text
    assert "Hidden Draft Exchange" not in of_draft.text


def test_registration_form_links_the_notice_and_states_the_real_retention(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_RETENTION_DAYS", 60)
    session = _open_session()

    html = client.get(f"/events/{session.event.slug}/sessions/{session.id}/register").text

    assert f'href="/events/{session.event.slug}/privacy">Read the full privacy notice</a>' in html
    assert "Your registration is anonymised 60 days after the session ends" in _text(html)
    assert "three months" not in html


# --- the attendee's own data ---------------------------------------------------------------------------


def test_manage_page_offers_download_and_erasure_with_the_consented_version(client):
    result = _register(_open_session())

    html = client.get(f"/registrations/{result.token}/").text

    assert f'href="/registrations/{result.token}/data.json">Download my data' in html
    assert f'href="/registrations/{result.token}/erase">Erase my data' in html
    assert "You agreed to version 2026-11 of the" in html


def test_download_is_a_json_attachment_of_the_registration_and_its_emails(client):
    session = _open_session()
    result = _register(session)

    response = client.get(f"/registrations/{result.token}/data.json")

    data = json.loads(response.data)
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="registration-{session.event.slug}-{session.id}-{result.registration.id}.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert data["registration"]["email"] == "amina@example.com"
    assert data["registration"]["accessibility_needs"] == NEEDS
    assert data["registration"]["question"] == QUESTION
    assert [e["kind"] for e in data["emails"]] == ["confirmation", "reminder_24h", "reminder_1h"]
    assert [s["status"] for s in data["status_history"]] == ["registered", "confirmed"]


def test_wrong_tokens_answer_404_on_every_privacy_route(client):
    result = _register(_open_session())

    answers = [
        client.get("/registrations/wrong-token/data.json"),
        client.get("/registrations/wrong-token/erase"),
        client.post("/registrations/wrong-token/erase"),
        client.get("/registrations/" + "x" * 150 + "/data.json"),
    ]

    assert [a.status_code for a in answers] == [404] * 4
    assert all("We could not find that page." in a.text and "amina@example.com" not in a.text for a in answers)
    db.session.expire_all()
    kept = db.session.get(Registration, result.registration.id)
    assert (kept.status, kept.email) == (RegistrationStatus.CONFIRMED, "amina@example.com")


def test_erase_asks_first_then_erases_promotes_the_waiting_list_and_the_link_is_gone(client):
    session = _open_session()
    holder = _register(session)
    waiting_id = _register(session, email="bo@example.com", name="Bo Berg", **BO).registration.id

    confirm = client.get(f"/registrations/{holder.token}/erase")
    still = _reload(holder.registration.id).full_name
    erased = client.post(f"/registrations/{holder.token}/erase")
    landing = client.get(erased.location)

    assert confirm.status_code == 200 and confirm.headers["Cache-Control"] == "no-store"
    assert "cancels your registration and gives your seat to the next person on the waiting list" in _text(confirm.text)
    assert "We send no email about it, not even a cancellation" in _text(confirm.text)
    assert still == "Amina Zebradottir"  # the GET changed nothing
    assert erased.location == f"/events/{session.event.slug}/sessions/{session.id}/"
    assert "Your registration and its data are erased. We have sent no email." in landing.text
    assert client.get(f"/registrations/{holder.token}/").status_code == 404
    assert client.get(f"/registrations/{holder.token}/data.json").status_code == 404
    assert client.post(f"/registrations/{holder.token}/erase").status_code == 404
    assert _reload(waiting_id).status == RegistrationStatus.CONFIRMED
    assert db.session.get(EventSession, session.id).seats_taken == 1
    assert where_found("Amina Zebradottir", "amina@example.com", QUESTION, NEEDS) == []
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "cancellation")) is None


def test_erase_without_csrf_token_is_refused_and_changes_nothing(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    result = _register(_open_session())

    refused = client.post(f"/registrations/{result.token}/erase")
    page = client.get(f"/registrations/{result.token}/erase").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post(f"/registrations/{result.token}/erase", data={"csrf_token": token})

    assert refused.status_code == 400 and "This page had expired" in refused.text
    assert accepted.status_code == 302
    assert _reload(result.registration.id).anonymised_at is not None


# --- organisers -----------------------------------------------------------------------------------------


@pytest.fixture
def registered(app_context):
    """Amina (confirmed, with needs) and Bo (waiting) in Ana's session; a session of another event."""
    session = _open_session()
    amina = _register(session)
    bo = _register(session, email="bo@example.com", name="Bo Berg", **BO)
    other = _register(
        _open_session(event=make_event(title="Other")), email="other@example.com", name="Olga Other", **BO
    )
    return {"session": session, "amina": amina.registration, "bo": bo.registration, "other": other.registration}


def test_organiser_exports_one_persons_data_as_json(client, sign_in, registered):
    sign_in(events=[registered["session"].event])

    response = client.get(f"/organiser/registrations/{registered['amina'].id}/data.json")

    data = json.loads(response.data)
    assert response.headers["Content-Disposition"].startswith('attachment; filename="registration-')
    assert response.headers["Cache-Control"] == "no-store"
    assert (data["registration"]["full_name"], data["registration"]["accessibility_needs"]) == (
        "Amina Zebradottir",
        NEEDS,
    )


def test_organiser_erases_on_request_after_a_confirmation(client, sign_in, registered):
    sign_in(events=[registered["session"].event])
    amina_id, bo_id = registered["amina"].id, registered["bo"].id
    url = f"/organiser/registrations/{amina_id}/erase"
    list_url = f"/organiser/sessions/{registered['session'].id}/registrations/"

    confirm = client.get(url)
    before = client.get(list_url).text
    erased = client.post(url)
    after = client.get(erased.location).text

    assert "Erase the data of Amina Zebradottir?" in confirm.text
    assert "gives the seat to the next on the waiting list" in _text(confirm.text)
    assert f'href="/organiser/registrations/{amina_id}/erase"' in before
    assert f'href="/organiser/registrations/{amina_id}/data.json"' in before
    assert erased.location == list_url
    assert "The personal data of Amina Zebradottir&#39;s registration is erased; no email was sent." in after
    rows = re.findall(r"<tr data-registration=.*?</tr>", after, re.S)
    assert len(rows) == 2 and "Personal data erased" in rows[0] and "Amina" not in rows[0]
    assert f"/organiser/registrations/{amina_id}/" not in rows[0]  # no actions left on it
    assert "<strong>1</strong> of 1 seats taken · <strong>0</strong> waiting · 1 cancelled" in after
    assert _reload(bo_id).status == RegistrationStatus.CONFIRMED
    assert where_found("Amina Zebradottir", "amina@example.com", NEEDS) == []
    assert "already erased" in client.get(url).text


def test_organiser_privacy_routes_need_sign_in(client, registered):
    rid = registered["amina"].id
    for url in (f"/organiser/registrations/{rid}/data.json", f"/organiser/registrations/{rid}/erase"):
        assert client.get(url).headers["Location"].startswith("/organiser/sign-in?next="), url
    assert client.post(f"/organiser/registrations/{rid}/erase").headers["Location"].startswith("/organiser/sign-in")
    assert _reload(rid).full_name == "Amina Zebradottir"


def test_organiser_privacy_routes_of_another_event_are_not_found(client, sign_in, registered):
    sign_in(events=[registered["session"].event])
    rid = registered["other"].id

    for url in (f"/organiser/registrations/{rid}/data.json", f"/organiser/registrations/{rid}/erase"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/organiser/registrations/{rid}/erase").status_code == 404
    assert client.get("/organiser/registrations/999999/data.json").status_code == 404
    assert _reload(rid).full_name == "Olga Other"


def test_organiser_erase_without_csrf_token_is_refused(app, client, sign_in, registered, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    sign_in(events=[registered["session"].event])

    response = client.post(f"/organiser/registrations/{registered['amina'].id}/erase")

    assert response.status_code == 400 and "This page had expired" in response.text
    assert _reload(registered["amina"].id).anonymised_at is None


# --- accessibility needs: only the event's organisers -------------------------------------------------------


def test_csv_leaves_accessibility_needs_out_unless_asked_for(client, sign_in, registered):
    sign_in(events=[registered["session"].event])
    url = f"/organiser/sessions/{registered['session'].id}/registrations.csv"

    plain = client.get(url).data.decode("utf-8-sig")
    with_needs = client.get(url, query_string={"accessibility_needs": "1"}).data.decode("utf-8-sig")
    listed = client.get(f"/organiser/sessions/{registered['session'].id}/registrations/").text

    assert NEEDS not in plain and "Accessibility needs" not in plain
    rows = list(csv.DictReader(io.StringIO(with_needs, newline="")))
    assert [(r["Name"], r["Accessibility needs"]) for r in rows] == [
        ("Amina Zebradottir", NEEDS),
        ("Bo Berg", "Live captions"),
    ]
    assert "registrations.csv?accessibility_needs=1" in listed
    assert NEEDS not in listed


def test_csv_after_erasure_keeps_the_row_without_the_person(client, sign_in, registered):
    sign_in(events=[registered["session"].event])
    client.post(f"/organiser/registrations/{registered['amina'].id}/erase")

    data = client.get(
        f"/organiser/sessions/{registered['session'].id}/registrations.csv", query_string={"accessibility_needs": "1"}
    ).data.decode("utf-8-sig")

    rows = list(csv.DictReader(io.StringIO(data, newline="")))
    assert [(r["Name"], r["Email"], r["Status"]) for r in rows] == [
        ("Personal data erased", "", "Cancelled"),
        ("Bo Berg", "bo@example.com", "Confirmed"),
    ]
    assert "Amina" not in data and NEEDS not in data and "Live captions" in data  # Bo's needs, asked for


def test_accessibility_needs_appear_in_no_email_and_on_no_page_but_the_attendees_and_organisers(
    client, sign_in, registered
):
    session = registered["session"]
    speaker = make_person(session.event, email="speaker@example.org")
    make_appearance(make_item(session), speaker)
    event = session.event
    pages = [
        f"/events/{event.slug}/",
        f"/events/{event.slug}/sessions/{session.id}/",
        f"/events/{event.slug}/privacy",
    ]
    bodies = db.session.scalars(select(OutboxMessage.body_text + OutboxMessage.body_html)).all()

    assert bodies and not [body for body in bodies if NEEDS in body]
    for url in pages:
        assert NEEDS not in client.get(url).text, url
    sign_in(events=[event])
    for url in (
        f"/organiser/sessions/{session.id}/registrations/",
        f"/organiser/events/{event.id}/dashboard",
        f"/organiser/events/{event.id}/outbox/",
    ):
        assert NEEDS not in client.get(url).text, url
    # Speakers see the question (the speaker pages' own query), never the needs.
    by_address = make_speaker(speaker.email)
    assert [(q.text, q.asked_by) for q in list_questions(by_address)][-1] == (QUESTION, "Amina Zebradottir")
    assert all(NEEDS not in q.text for q in list_questions(by_address))


def test_outbox_page_of_a_purged_message_says_its_content_was_deleted(client, sign_in, registered):
    event = registered["session"].event
    sign_in(events=[event])
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "bo@example.com"))
    message_id = message.id
    client.post(f"/organiser/registrations/{registered['bo'].id}/erase")

    html = client.get(f"/organiser/outbox/{message_id}").text

    assert "The content of this message was deleted on" in html
    assert 'id="body-text"' not in html and "bo@example.com" not in html
