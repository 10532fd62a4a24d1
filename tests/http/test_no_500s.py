"""Inputs that used to answer 500: a JSON body to the speaker pages, CR/LF in the sign-in's next=, bios
nested deeper than the Markdown renderer can go, and bodies larger than the site accepts (413 page)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import create_app
from app.extensions import db
from app.models import Person
from tests.conftest import make_config
from tests.factories import make_event, make_person, make_session
from tests.http.conftest import PASSWORD, make_organiser
from tests.http.test_speaker_pages import sign_in_as

SPEAKER_POSTS = [
    "/speaker/sign-in",
    "/speaker/sign-in/not-a-token",
    "/speaker/sign-out",
    "/speaker/timezone",
    "/speaker/slots/1/",
    "/speaker/calendar/feed",
    "/speaker/profile",
]
JSON_BODIES = ['{"email": "ana@example.org"}', "[1, 2]", "3", '{"email": [1, {"a": null}]}', "null"]


@pytest.mark.parametrize("url", SPEAKER_POSTS)
@pytest.mark.parametrize("body", JSON_BODIES)
def test_a_json_body_to_a_speaker_page_without_a_cookie_is_a_415_page(client, url, body):
    response = client.post(url, data=body, content_type="application/json")

    assert response.status_code == 415
    assert "This site takes web forms only, not JSON" in response.text


def test_with_csrf_on_a_json_body_to_a_speaker_page_is_refused_with_a_page_too(app):
    csrf_app = create_app(make_config(WTF_CSRF_ENABLED=True))

    response = csrf_app.test_client().post("/speaker/profile", data="[1, 2]", content_type="application/json")
    button = csrf_app.test_client().post("/speaker/sign-out", data="[1, 2]", content_type="application/json")

    # The profile's form would give itself back on a bad token: the JSON refusal answers first.
    assert response.status_code == 415
    assert "This site takes web forms only, not JSON" in response.text
    assert button.status_code == 400
    assert "This page had expired" in button.text and "CSRF" not in button.text


@pytest.mark.parametrize(
    "next_url",
    ["/organiser/\r\nSet-Cookie: x=1", "/organiser/\nX: 1", "/organiser/\x0bevents", "/organiser/\t", "/organiser\x7f"],
)
def test_a_control_character_in_next_goes_to_the_organiser_home(client, next_url):
    make_organiser("ana@example.org")

    response = client.post(
        "/organiser/sign-in",
        query_string={"next": next_url},
        data={"email": "ana@example.org", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


NESTED = ["- " * 500, "> " * 1000, "1. " * 500, "".join("    " * i + "- x\n" for i in range(40))]


@pytest.mark.parametrize("bio", NESTED)
def test_saving_a_bio_nested_too_deeply_is_a_form_error_and_saves_nothing(client, bio):
    person = make_person(make_event(), name="Dee Speaker", email="dee@example.org", bio="Works on migration.")
    sign_in_as(client, person)

    response = client.post("/speaker/profile", data={"name": "Dee Speaker", "bio": bio})

    assert response.status_code == 400
    assert "Lists and quotes may be nested at most 8 levels deep" in response.text
    db.session.expire_all()
    assert db.session.get(Person, person.id).bio == "Works on migration."


@pytest.mark.parametrize("bio", NESTED)
def test_a_bio_saved_nested_too_deeply_still_shows_as_text_on_the_profile_and_public_pages(client, bio):
    person = make_person(make_event(), name="Dee Speaker", email="dee@example.org", bio=bio)
    sign_in_as(client, person)

    profile = client.get("/speaker/profile")

    assert profile.status_code == 200
    assert "<p>" + bio.split("\n")[0].strip().replace(">", "&gt;")[:40] in profile.text


def test_a_request_larger_than_the_limit_is_a_413_page_and_saves_nothing(app):
    small = create_app(make_config(MAX_CONTENT_LENGTH=2048))
    client = small.test_client()

    response = client.post("/speaker/sign-in", data={"email": "a" * 4000 + "@example.org"})

    assert response.status_code == 413
    assert "<h1>Request too large</h1>" in response.text
    assert "larger than this site accepts (at most 2 KiB). Nothing was saved." in response.text


def test_the_default_limit_is_one_mib(app, client):
    response = client.post("/speaker/sign-in", data={"email": "x", "filler": "a" * (1024 * 1024 + 1)})

    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_REQUEST_BYTES"] == 1024 * 1024
    assert response.status_code == 413
    assert "(at most 1 MiB)" in response.text


@pytest.mark.parametrize(
    ("day", "zone"),
    [
        (date(1900, 1, 1), "Etc/GMT+12"),
        (date(1900, 1, 1), "Pacific/Kiritimati"),
        (date(2999, 12, 31), "Pacific/Kiritimati"),
        (date(2999, 12, 31), "Etc/GMT+12"),
    ],
)
@pytest.mark.parametrize("viewer", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_the_event_and_session_pages_show_sessions_on_the_first_and_last_day_in_far_zones(client, day, zone, viewer):
    event = make_event(timezone=zone, starts_on=day, ends_on=day)
    midnight = datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))
    first = make_session(event, title="Just after midnight", starts_at=midnight, ends_at=midnight + timedelta(hours=1))
    make_session(
        event, title="Till midnight", starts_at=midnight + timedelta(hours=23), ends_at=midnight + timedelta(days=1)
    )

    event_page = client.get(f"/events/{event.slug}/", query_string={"tz": viewer})
    session_page = client.get(f"/events/{event.slug}/sessions/{first.id}/", query_string={"tz": viewer})

    assert event_page.status_code == session_page.status_code == 200
    assert "Just after midnight" in event_page.text and "Till midnight" in event_page.text
    assert "Just after midnight" in session_page.text


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_organiser_form_with_a_date_at_the_ends_of_the_calendar_says_so(client, sign_in, day):
    event = make_event()
    sign_in(events=[event])

    response = client.post(
        f"/organiser/events/{event.id}/sessions/new",
        data={"title": "Far", "day": day, "starts": "00:00", "ends": "01:00"},
    )

    assert response.status_code in (200, 422)
    assert "Choose a date between the years 1900 and 2999." in response.text
    assert event.sessions == []
