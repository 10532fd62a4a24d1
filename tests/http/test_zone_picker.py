"""The time-zone picker: a short list of common zones labelled by city, country and offset, and a search by
city or country for any other, on the public pages, the register and manage forms and the speaker's page."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.demo.loader import load_demo
from app.extensions import db
from app.models import OutboxMessage, Registration, Speaker
from app.registration.services import register_attendee
from tests.factories import at, make_appearance, make_event, make_item, make_online_session, make_person, make_session
from tests.http.test_agenda_pages import text_of
from tests.http.test_speaker_pages import people, sign_in_as, speaker_of  # noqa: F401 - people is a fixture

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SLUG = "mpf-exchange-event"
#: The demo's event page weighed 56,992 bytes with 614 options (every IANA name, aliases included); the
#: agenda itself is about 37 KB of it.
MAX_EVENT_PAGE_BYTES = 40_000
MAX_OPTIONS = 20


@pytest.fixture
def demo(app_context):
    return load_demo(today=NOW.date(), now=NOW).event


def _options(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<option[^>]* value="([^"]*)"[^>]*>([^<]*)</option>', page)


def test_event_page_offers_a_short_labelled_list_of_canonical_zones(client, demo):
    response = client.get(f"/events/{SLUG}/")

    page = response.text
    options = dict(_options(page))
    assert re.fullmatch(r"Tbilisi, Georgia \(UTC\+4\)", options["Asia/Tbilisi"])
    assert re.fullmatch(r"Brussels, Belgium \(UTC\+[12]\)", options["Europe/Brussels"])
    assert options["UTC"] == "UTC (Coordinated Universal Time)"
    assert not {"GB", "Turkey", "localtime", "Factory", "Europe/Amsterdam"} & set(options)
    assert len(options) == page.count("<option") <= MAX_OPTIONS
    assert len(response.data) < MAX_EVENT_PAGE_BYTES
    assert '<input type="search" id="find-zone" name="find_zone"' in page
    assert '<label for="find-zone" class="form-label mb-1">Another zone: type a city or country</label>' in page


@pytest.mark.parametrize("words", ["Tbilisi", "Georgia", "tbilisi, georgia (UTC+4)"])
def test_searching_a_city_or_country_shows_the_page_in_its_zone(client, demo, words):
    response = client.get(f"/events/{SLUG}/", query_string={"find_zone": words})
    shown = client.get(response.location)

    assert response.status_code == 303 and response.location == f"/events/{SLUG}/?tz=Asia/Tbilisi"
    assert "PROMETHEUS II 11:30–11:55 +04" in text_of(shown.data)
    assert shown.headers["Set-Cookie"].startswith("tz=Asia/Tbilisi;")
    assert '<option value="Asia/Tbilisi" selected>Tbilisi, Georgia (UTC+4)</option>' in shown.text


def test_a_search_with_several_matches_lists_them_to_choose_from(client, demo):
    speaker_page = f"/events/{SLUG}/"

    response = client.get(speaker_page, query_string={"find_zone": "georg"})

    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "Several time zones match “georg”: choose one, or type its city." in response.text
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', response.text.split('id="find-zone-result"')[1])
    assert [(href, re.sub(r" \(UTC.*", "", label)) for href, label in links] == [
        (f"{speaker_page}?tz=Atlantic/South_Georgia", "South Georgia, South Georgia &amp; the South Sandwich Islands"),
        (f"{speaker_page}?tz=Asia/Tbilisi", "Tbilisi, Georgia"),
    ]
    assert 'value="georg" aria-describedby="find-zone-result"' in response.text


def test_a_search_that_matches_nothing_says_what_to_type(client, demo):
    response = client.get(f"/events/{SLUG}/", query_string={"find_zone": "Atlantis"})

    assert "No time zone matches “Atlantis”: type a city, such as Lisbon, or a country." in response.text
    assert "PROMETHEUS II 09:30–09:55 CEST" in text_of(response.data)


# --- the register and manage forms ---------------------------------------------------------------------------


def _form(**fields) -> dict:
    values = dict(
        full_name="Nino Beridze",
        email="nino@example.ge",
        organisation="Ministry of Internal Affairs of Georgia",
        group="partner_country",
        timezone="Europe/Brussels",
        consent="y",
    )
    return values | fields


def _registration() -> Registration:
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.email == "nino@example.ge"))


def test_register_form_starts_in_the_zone_chosen_on_the_public_pages(client, app_context):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None)
    client.set_cookie("tz", "Asia/Tbilisi")

    page = client.get(f"/events/{session.event.slug}/sessions/{session.id}/register").text

    assert '<option selected value="Asia/Tbilisi">Tbilisi, Georgia (UTC+4)</option>' in page
    assert re.search(r'<span class="own-zone">[^<]*\d\d:\d\d–\d\d:\d\d \+04 in your time zone \(Asia/Tbilisi\)', page)
    assert page.count("<option") <= MAX_OPTIONS + 10  # the groups' options and the short zone list
    assert page.count('id="find_zone"') == 1
    assert '<label class="form-label" for="find_zone">Not in the list? Type your city or country</label>' in page


def test_register_with_a_typed_country_stores_its_zone(client, app_context):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None)

    response = client.post(
        f"/events/{session.event.slug}/sessions/{session.id}/register", data=_form(find_zone="Georgia")
    )

    assert response.status_code == 302
    registration = _registration()
    assert registration.timezone == "Asia/Tbilisi"
    confirmation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
    start = session.starts_at.astimezone(ZoneInfo("Asia/Tbilisi"))
    end = session.ends_at.astimezone(ZoneInfo("Asia/Tbilisi"))
    own_zone = f"{start:%A %-d %B %Y, %H:%M}–{end:%H:%M} +04 in your time zone (Asia/Tbilisi)"
    assert own_zone in confirmation.body_text and own_zone in confirmation.body_html


def test_register_with_vague_words_puts_the_matches_in_the_list(client, app_context):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None)

    response = client.post(
        f"/events/{session.event.slug}/sessions/{session.id}/register", data=_form(find_zone="georg")
    )

    assert response.status_code == 422 and _registration() is None
    error = re.search(r'<div id="find_zone-error" class="invalid-feedback">([^<]*)</div>', response.text).group(1)
    assert error.startswith("Several time zones match “georg”: South Georgia, South Georgia &amp; the South")
    assert "Tbilisi, Georgia (UTC+4). They are now first in the list: choose yours there, or type its city." in error
    names = [name for name, _ in _options(response.text) if "/" in name or name == "UTC"]
    assert names[:3] == ["Atlantic/South_Georgia", "Asia/Tbilisi", "Europe/Brussels"]


def test_manage_form_changes_the_zone_by_city(client, app_context):
    session = make_online_session(registration_opens_at=None, registration_closes_at=None)
    token = register_attendee(
        session, full_name="Nino Beridze", email="nino@example.ge", group="other", consent=True, timezone="UTC"
    ).token
    details = _form(find_zone="Kolkata")
    del details["email"], details["consent"]

    response = client.post(f"/registrations/{token}/", data=details, follow_redirects=True)

    assert _registration().timezone == "Asia/Kolkata"
    assert '<option selected value="Asia/Kolkata">Kolkata, India (UTC+5:30)</option>' in response.text


# --- the speaker's own page ------------------------------------------------------------------------------------


def test_a_speaker_finds_their_zone_by_city(client, people):  # noqa: F811
    speaker = sign_in_as(client, people["ben"])

    response = client.post(
        "/speaker/timezone", data={"timezone": "Europe/Brussels", "find_zone": "Tbilisi"}, follow_redirects=True
    )

    assert db.session.get(Speaker, speaker.id).timezone == "Asia/Tbilisi"
    assert "Times are now shown in Tbilisi, Georgia (UTC+4) as well." in response.text
    assert '<option selected value="Asia/Tbilisi">Tbilisi, Georgia (UTC+4)</option>' in response.text
    vague = client.post("/speaker/timezone", data={"timezone": "UTC", "find_zone": "United States"})
    assert vague.status_code == 400
    assert vague.text.count("Several time zones match “United States”: ") == 2  # in the summary and at the field
    assert 'href="#find_zone">Or type a city or country: Several time zones match' in vague.text
    assert 'name="find_zone" type="search" value="United States"' in vague.text
    assert db.session.get(Speaker, speaker.id).timezone == "Asia/Tbilisi"


def test_a_speakers_before_and_after_lines_show_their_zone_too(client, app_context):
    event = make_event(timezone="Europe/Brussels")
    session = make_session(event, title="Morning", starts_at=at(8), ends_at=at(12))
    make_item(session, title="Opening", starts_at=at(9), ends_at=at(10))
    talk = make_item(session, title="Talk", starts_at=at(10), ends_at=at(11))
    make_item(session, title="Closing", starts_at=at(11), ends_at=at(11, 30))
    person = make_person(event, email="zia@example.org")
    make_appearance(talk, person)
    sign_in_as(client, person)
    db.session.get(Speaker, speaker_of(person).id).timezone = "Asia/Karachi"
    db.session.commit()

    page = client.get("/speaker/").text

    assert (
        '<dd class="col-sm-9">Opening, 10:00–11:00 CET <span class="text-body-secondary">(14:00–15:00 PKT, your time)'
    ) in page
    assert (
        '<dd class="col-sm-9">Closing, 12:00–12:30 CET <span class="text-body-secondary">(16:00–16:30 PKT, your time)'
    ) in page
