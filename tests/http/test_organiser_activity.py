"""The activity page of an event: its organisers see who changed what, newest first; nobody else sees it."""

import re
from datetime import timedelta

import pytest
from flask import g

from app.activity import CommandActor, record
from app.agenda import services as agenda
from app.extensions import db
from app.models import Event, Role
from app.registration import services as registration_services
from app.speakers import services as speaker_services
from tests.factories import (
    DAY,
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_speaker,
)
from tests.http.conftest import make_organiser

NOW = at(9, day=DAY - timedelta(days=10))


@pytest.fixture
def log(app_context):
    """Olga's event with four changes an hour apart (organiser, attendee, speaker, command), and Pia's event
    with one change of its own."""
    olga = make_organiser("olga@example.org", name="Olga Organiser")
    event = make_event(title="MPF Exchange Event", slug="mpf")
    olga.events.append(event)
    session = make_online_session(event, title="Looking Ahead")
    item = make_item(session, title="Panel")
    speaker = make_person(event, honorific="Dr", name="Ana Silva")
    appearance = make_appearance(item, speaker)
    db.session.commit()
    agenda.update_item(item, by=olga, now=NOW, title="Panel: Looking Ahead")
    registration = registration_services.register_attendee(
        session, full_name="Zofia Quintanilla", email="zofia@example.com", consent=True, now=NOW + timedelta(hours=1)
    ).registration
    speaker_services.respond_to_slot(
        appearance, response="confirmed", note="", by=make_speaker(speaker.email), now=NOW + timedelta(hours=2)
    )
    record(
        by=CommandActor("flask organisers grant"),
        event=event,
        action="event.organiser_added",
        summary="Listed Pia as an organiser of the event.",
        now=NOW + timedelta(hours=3),
    )
    db.session.commit()
    pia = make_organiser("pia@example.org", name="Pia")
    other = make_event(title="Pia's event", slug="pias")
    pia.events.append(other)
    agenda.update_event(other, by=pia, now=NOW, venue="Secret venue")
    return {"olga": olga, "event": event, "pia": pia, "other": other, "registration": registration, "item": item}


def _actions(html: str) -> list[str]:
    return re.findall(r'data-action="([^"]+)"', html)


def test_the_activity_page_lists_the_events_changes_newest_first(client, sign_in, log):
    sign_in(log["olga"])

    response = client.get(f"/organiser/events/{log['event'].id}/activity")

    assert response.status_code == 200
    assert _actions(response.text) == [
        "event.organiser_added",
        "appearance.answered",
        "registration.created",
        "item.updated",
    ]
    text = response.text
    assert "flask organisers grant" in text and "Listed Pia as an organiser of the event." in text
    assert "Dr Ana Silva confirmed “Panel: Looking Ahead”." in text
    reg = log["registration"].id
    assert f"Attendee of registration {reg}" in text
    assert f"Registration {reg} for “Looking Ahead”: a seat." in text
    assert "Olga Organiser" in text and "Changed the title of “Panel: Looking Ahead”." in text
    assert "Sunday 20 October 2030, 11:00 CEST" in text  # the organiser's change, in the event's zone
    assert "Zofia" not in text and "zofia@example.com" not in text
    assert "Secret venue" not in text  # another event's change
    assert "4 changes." in text


def test_the_activity_page_filters_by_kind_of_actor(client, sign_in, log):
    sign_in(log["olga"])
    url = f"/organiser/events/{log['event'].id}/activity"

    assert _actions(client.get(url + "?kind=speaker").text) == ["appearance.answered"]
    assert _actions(client.get(url + "?kind=attendee").text) == ["registration.created"]
    assert _actions(client.get(url + "?kind=system").text) == []
    assert "No changes by this kind of actor yet." in client.get(url + "?kind=system").text
    assert len(_actions(client.get(url + "?kind=nonsense").text)) == 4  # an unknown kind is no filter


def test_the_activity_page_of_another_organisers_event_is_not_found(client, sign_in, log):
    sign_in(log["pia"])

    response = client.get(f"/organiser/events/{log['event'].id}/activity")

    assert response.status_code == 404
    assert "We could not find that page." in response.text
    assert client.get("/organiser/events/999999/activity").status_code == 404


def test_the_activity_page_sends_a_signed_out_visitor_to_sign_in(client, log):
    response = client.get(f"/organiser/events/{log['event'].id}/activity")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organiser/sign-in?next=")


def test_an_admin_sees_any_events_activity(client, sign_in, log):
    sign_in(make_organiser("boss@example.org", is_admin=True))

    response = client.get(f"/organiser/events/{log['other'].id}/activity")

    assert _actions(response.text) == ["event.updated"]
    assert "Pia" in response.text and "Changed the event&#39;s venue." in response.text


def test_the_agenda_editor_links_to_the_activity_page(client, sign_in, log):
    sign_in(log["olga"])

    response = client.get(f"/organiser/events/{log['event'].id}/")

    assert f'href="/organiser/events/{log["event"].id}/activity">Activity</a>' in response.text


def test_a_change_made_through_the_pages_shows_on_the_activity_page(client, sign_in, log):
    sign_in(log["olga"])
    item = log["item"]
    person = make_person(log["event"], honorific="Mr", name="Ben Okafor")

    client.post(f"/organiser/items/{item.id}/appearances", data={"person_id": person.id, "role": Role.MODERATOR.value})
    response = client.get(f"/organiser/events/{log['event'].id}/activity")

    # Made now, so listed after the fixture's changes dated in 2030.
    assert _actions(response.text)[-1] == "appearance.added"
    assert "Put Mr Ben Okafor in “Panel: Looking Ahead” as moderator." in response.text


def _many(event, count: int) -> None:
    for n in range(count):
        record(
            by=CommandActor("flask shell"),
            event=event,
            action="item.updated",
            summary=f"Change number {n}!",
            now=NOW + timedelta(days=1, minutes=n),
        )
    db.session.commit()


def test_the_activity_page_shows_fifty_entries_a_page(client, sign_in, log):
    sign_in(log["olga"])
    _many(log["event"], 50)  # 54 in all
    url = f"/organiser/events/{log['event'].id}/activity"

    first, second = client.get(url), client.get(url + "?page=2")

    assert len(_actions(first.text)) == 50 and "Change number 49!" in first.text and "Change number 0!" in first.text
    assert "Listed Pia" not in first.text
    assert "54 changes, page 1 of 2." in first.text and 'page=2">Older</a>' in first.text
    assert _actions(second.text) == [
        "event.organiser_added",
        "appearance.answered",
        "registration.created",
        "item.updated",
    ]
    assert "Change number" not in second.text and 'page=1">Newer</a>' in second.text
    assert _actions(client.get(url + "?page=99").text) == _actions(second.text)  # past the last: the last


def _fresh_request() -> None:
    """Each request reads the organiser afresh, as a real one does (the tests share one app context)."""
    g.pop("_login_user", None)
    db.session.remove()


def test_the_activity_page_runs_the_same_queries_for_few_and_many_entries(client, sign_in, log, count_queries):
    sign_in(log["olga"])
    url = f"/organiser/events/{log['event'].id}/activity"
    _fresh_request()
    with count_queries() as few:
        small = client.get(url)
    _many(db.session.get(Event, log["event"].id), 40)
    _fresh_request()
    with count_queries() as many:
        large = client.get(url)

    assert (len(_actions(small.text)), len(_actions(large.text))) == (4, 44)
    # The organiser, the event, the count, the page of entries.
    assert len(few) == len(many) == 4, many
