"""The item page's person picker and "add a new person" from an item, through the test client."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Appearance, EventStatus, Person
from tests.factories import at, make_event, make_item, make_person, make_session


@pytest.fixture
def item_world(app_context):
    """An event with a panel and three people (names given first name first); another organiser's event."""
    event = make_event(title="MPF Exchange Event", slug="mpf", status=EventStatus.DRAFT)
    panel = make_item(make_session(event, starts_at=at(8), ends_at=at(11)), title="Looking Ahead")
    make_person(event, honorific="", position="", name="Zoe Adams", organisation="UNHCR")
    make_person(event, honorific="", position="", name="Ana Silva", organisation="ICMPD")
    make_person(event, honorific="", position="", name="Carl Bauer", organisation="Frontex")
    other = make_event(title="Someone else's event", slug="other")
    other_item = make_item(make_session(other), title="Their item")
    return {"event": event, "panel": panel, "other_item": other_item}


def _options(html: str) -> list[tuple[str, str, bool]]:
    if 'name="person_id"' not in html:
        return []
    select_html = html[html.index('name="person_id"') :].split("</select>")[0]
    return [
        (value, label, " selected" in attrs)
        for attrs, value, label in re.findall(r'<option([^>]*?)value="([^"]*)"[^>]*>([^<]*)</option>', select_html)
    ]


def test_the_picker_is_sorted_by_surname_with_nobody_chosen_and_a_required_empty_first_option(
    client, sign_in, item_world
):
    sign_in(events=[item_world["event"]])

    html = client.get(f"/organiser/items/{item_world['panel'].id}/edit").text

    assert [(label, selected) for _, label, selected in _options(html)] == [
        ("Choose a person", True),  # the empty option: nobody
        ("Zoe Adams — UNHCR", False),
        ("Carl Bauer — Frontex", False),
        ("Ana Silva — ICMPD", False),
    ]
    assert _options(html)[0][0] == ""
    assert re.search(r'<select[^>]*name="person_id"[^>]*required', html)


def test_the_picker_finds_people_by_surname_or_organisation_without_a_script(client, sign_in, item_world):
    sign_in(events=[item_world["event"]])
    url = f"/organiser/items/{item_world['panel'].id}/edit"

    by_surname = client.get(url, query_string={"q": "bauer"}).text
    by_organisation = client.get(url, query_string={"q": "icmpd"}).text
    nobody = client.get(url, query_string={"q": "Nowhere"}).text

    assert [label for _, label, _ in _options(by_surname)] == ["Choose a person", "Carl Bauer — Frontex"]
    assert [label for _, label, _ in _options(by_organisation)] == ["Choose a person", "Ana Silva — ICMPD"]
    assert _options(nobody) == []
    assert "Nobody’s surname or organisation matches “Nowhere”." in nobody
    assert 'name="q"' in by_surname and 'value="bauer"' in by_surname


def test_adding_a_new_person_from_an_item_comes_back_to_that_item_with_the_person_chosen(client, sign_in, item_world):
    event, panel = item_world["event"], item_world["panel"]
    sign_in(events=[event])
    item_page = client.get(f"/organiser/items/{panel.id}/edit").text
    link = f"/organiser/events/{event.id}/people/new?item={panel.id}"
    assert f'href="{link}"' in item_page

    form_page = client.get(link).text
    response = client.post(link, data={"name": "Dana Meyer", "organisation": "IOM", "position": "", "honorific": ""})

    person = db.session.scalars(select(Person).where(Person.name == "Dana Meyer")).one()
    assert f'href="/organiser/items/{panel.id}/edit#people"' in form_page  # "Back to “Looking Ahead”"
    assert response.status_code == 302
    assert response.location == f"/organiser/items/{panel.id}/edit?person={person.id}#people"
    back = client.get(response.location).text
    assert [label for _, label, selected in _options(back) if selected] == ["Dana Meyer — IOM"]
    assert "Dana Meyer is added to the people of this event. Choose their role and add them to “Looking Ahead”." in back
    assert db.session.scalars(select(Appearance).where(Appearance.person_id == person.id)).all() == []


def test_the_way_back_is_only_ever_to_an_item_of_this_event(client, sign_in, item_world):
    event = item_world["event"]
    sign_in(events=[event])
    base = f"/organiser/events/{event.id}/people/new"

    other_item = client.post(f"{base}?item={item_world['other_item'].id}", data={"name": "Eve Other"})
    missing_item = client.post(f"{base}?item=999999", data={"name": "Eve Missing"})
    outside = client.post(f"{base}?item=https://evil.example/&next=https://evil.example/", data={"name": "Eve Out"})

    assert (other_item.status_code, missing_item.status_code) == (404, 404)
    assert outside.status_code == 302 and outside.location == f"/organiser/events/{event.id}/people/"
    names = set(db.session.scalars(select(Person.name).where(Person.event_id == event.id)))
    assert "Eve Other" not in names and "Eve Missing" not in names and "Eve Out" in names


def test_a_person_chosen_in_the_address_who_is_not_of_this_event_is_not_chosen(client, sign_in, item_world):
    event, panel = item_world["event"], item_world["panel"]
    sign_in(events=[event])
    stranger = make_person(item_world["other_item"].session.event, name="Stranger Danger")

    html = client.get(f"/organiser/items/{panel.id}/edit", query_string={"person": stranger.id}).text

    assert [label for _, label, selected in _options(html) if selected] == ["Choose a person"]
    assert "Stranger Danger" not in html


def test_posting_the_empty_first_option_adds_nobody(client, sign_in, item_world):
    panel = item_world["panel"]
    sign_in(events=[item_world["event"]])

    response = client.post(f"/organiser/items/{panel.id}/appearances", data={"person_id": "", "role": "speaker"})

    assert response.status_code == 400
    assert "<title>Error: " in response.text
    assert '<a class="alert-link" href="#person_id">Person: Choose a person.</a>' in response.text
    assert '<div id="person_id-error" class="invalid-feedback">Choose a person.</div>' in response.text
    assert 'value="speaker" selected' in response.text or '<option selected value="speaker">' in response.text
    assert db.session.scalars(select(Appearance).where(Appearance.item_id == panel.id)).all() == []
