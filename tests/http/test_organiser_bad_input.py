"""Bad input on every organiser page: answered with a message or a form error, never a 500, nothing stored."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Person
from tests.factories import make_appearance, make_item, make_material
from tests.http.test_organiser_registrations import setup  # noqa: F401 (the fixture)

JUNK = {
    "title": "x" * 5000,
    "starts": "zz",
    "ends": "25:99",
    "day": "2030-02-31",
    "capacity": "-1e9",
    "person_id": "abc",
    "role": "boss",
    "kind": "nope",
    "timezone": "\x00",
    "starts_on": "x",
    "email": "@",
    "confirm": "y",
    "audience": "all",
    "subject": "\r\n",
    "body": "\x00",
    "join_url": "javascript:alert(1)",
    "is_online": "y",
    "registration_enabled": "y",
    "registration_opens_at": "2030-13-01T00:00",
    "password": "x",
    "reason": "r" * 900,
    "status": "bad",
    "q": "%_\\\x00",
}


def test_no_organiser_page_fails_on_junk_or_nothing(client, sign_in, setup, app):  # noqa: F811
    session = setup["session"]
    item = make_item(session)
    appearance = make_appearance(item)
    material = make_material(session, item, by=appearance.person)
    sign_in(events=[setup["event"]])
    values = {
        "event_id": session.event_id,
        "session_id": session.id,
        "item_id": item.id,
        "appearance_id": appearance.id,
        "person_id": appearance.person_id,
        "registration_id": 1,
        "message_id": setup["failed"].id,
        "material_id": material.id,
        "rapporteur_id": 1,
        "token": "abc",
        "status": "published",
        "direction": "up",
        "action": "confirm",
    }
    rules = [
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("organiser.") and r.endpoint not in ("organiser.sign_out", "organiser.sign_in")
    ]
    failures = []
    for rule in rules:
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)
        for data in ({}, JUNK):
            for response in (client.get(url, query_string=data), client.post(url, data=data)):
                signed_out = response.status_code == 302 and "sign-in" in response.headers["Location"]
                if response.status_code >= 500 or signed_out:
                    failures.append((url, response.status_code))

    assert len(rules) >= 28
    assert failures == []


def test_control_characters_are_refused_next_to_the_field(client, sign_in, setup):  # noqa: F811
    """NUL is refused site-wide before any view (app/web.py); the other control characters here."""
    sign_in(events=[setup["event"]])

    person = client.post(f"/organiser/events/{setup['event'].id}/people/new", data={"name": "Ana\x1bSilva"})
    message = client.post(
        f"/organiser/sessions/{setup['session'].id}/message",
        data={"audience": "confirmed", "subject": "Hello", "body": "Line one\nLine\x07two"},
    )
    search = client.get(f"/organiser/sessions/{setup['session'].id}/registrations/", query_string={"q": "a\x01"})

    assert 'id="name-error" class="invalid-feedback">This contains characters that are not allowed.' in person.text
    assert 'id="body-error" class="invalid-feedback">This contains characters that are not allowed.' in message.text
    assert "3 registrations shown." in search.text
    assert db.session.scalar(select(Person)) is None
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "organiser_message")) is None
