"""Organisers send a speaker their sign-in link and see the speakers' answers."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import EventStatus, OutboxMessage
from app.speakers.services import respond_to_slot
from tests.factories import make_appearance, make_event, make_item, make_person, make_session, make_speaker

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _panel(**event_fields):
    event = make_event(**event_fields)
    item = make_item(make_session(event), title="Looking Ahead")
    person = make_person(event, honorific="Ms", name="Silvia Carta", email="silvia.carta@example.org")
    appearance = make_appearance(item, person)
    return event, person, appearance


def _sent_links() -> list[str]:
    query = select(OutboxMessage.to_address).where(OutboxMessage.kind == "speaker_link")
    return list(db.session.scalars(query))


def test_send_link_queues_a_sign_in_link_for_the_speaker(client, sign_in):
    event, person, _ = _panel()
    sign_in(events=[event])

    response = client.post(f"/organiser/events/{event.id}/people/{person.id}/send-link", follow_redirects=True)

    assert "A sign-in link for the speaker pages is on its way to silvia.carta@example.org." in response.text
    assert _sent_links() == ["silvia.carta@example.org"]


def test_send_link_for_a_draft_event_says_why_and_sends_nothing(client, sign_in):
    event, person, _ = _panel(status=EventStatus.DRAFT)
    sign_in(events=[event])

    response = client.post(f"/organiser/events/{event.id}/people/{person.id}/send-link", follow_redirects=True)

    assert "This person does not appear in a published event or has no email address." in response.text
    assert _sent_links() == []


def test_send_link_for_another_organisers_event_is_404(client, sign_in):
    event, person, _ = _panel()
    sign_in(events=[make_event()])

    response = client.post(f"/organiser/events/{event.id}/people/{person.id}/send-link")

    assert response.status_code == 404
    assert _sent_links() == []


def test_send_link_signed_out_goes_to_sign_in(client):
    event, person, _ = _panel()

    response = client.post(f"/organiser/events/{event.id}/people/{person.id}/send-link")

    assert response.status_code == 302
    assert "/organiser/sign-in" in response.headers["Location"]
    assert _sent_links() == []


def test_people_and_agenda_pages_show_the_speakers_answers(client, sign_in):
    event, person, appearance = _panel()
    speaker = make_speaker(person.email)
    respond_to_slot(appearance, response="declined", note="On mission that week", by=speaker, now=NOW)
    sign_in(events=[event])

    people = client.get(f"/organiser/events/{event.id}/people/").text
    agenda = client.get(f"/organiser/events/{event.id}/").text

    assert "Looking Ahead (speaker, declined: “On mission that week”)" in people
    assert 'Send sign-in link<span class="visually-hidden"> to Ms Silvia Carta</span>' in people
    assert "Ms Silvia Carta (speaker, declined)" in agenda
