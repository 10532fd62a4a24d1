"""Speaker pages through the test client: sign-in by link, slots, answers, calendar, profile, questions."""

import re
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import func, select

from app import create_app
from app.activity import CommandActor
from app.agenda import services as agenda_services
from app.extensions import db
from app.mail.outbox import links_of
from app.models import AppearanceResponse, OutboxMessage, Person, Role, Speaker, SpeakerLoginToken
from app.render_cache import render_cache
from app.security import hash_token
from app.speakers import services
from app.speakers.views import SESSION_KEY, VERSION_KEY
from app.transaction import use_case
from tests.conftest import make_config
from tests.factories import (
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_session,
    make_speaker,
)
from tests.http.conftest import make_organiser

OPERATOR = CommandActor("flask speakers send-link")


@pytest.fixture
def people(app_context):
    event = make_event(title="MPF Exchange Event")
    session = make_session(event, title="Morning", location="Plenary room")
    panel = make_item(session, title="Looking Ahead", starts_at=at(9), ends_at=at(10))
    online = make_online_session(event, join_url="https://meet.example.org/secret-room")
    discussion = make_item(online, title="Questions and discussion", starts_at=online.starts_at, ends_at=online.ends_at)
    ana = make_person(event, name="Ana Moderator", email="ana@example.org")
    ben = make_person(event, name="Ben Panellist", email="ben@example.org")
    cas = make_person(event, name="Cas Elsewhere", email="cas@example.org")
    make_appearance(panel, ana, role=Role.MODERATOR)
    ben_panel = make_appearance(panel, ben, role=Role.PANELLIST)
    make_appearance(discussion, ben, role=Role.PANELLIST)
    cas_slot = make_appearance(make_item(make_session(event, title="Afternoon"), title="Typology"), cas)
    return dict(ana=ana, ben=ben, cas=cas, ben_panel=ben_panel, cas_slot=cas_slot, online=online)


def speaker_of(person: Person) -> Speaker:
    """The speaker row of a person's address (made as a sign-in link would make it)."""
    return services.find_speaker(person.email) or make_speaker(person.email)


def sign_in_as(client, person: Person) -> Speaker:
    speaker = speaker_of(person)
    with client.session_transaction() as flask_session:
        flask_session[SESSION_KEY] = speaker.id
        flask_session[VERSION_KEY] = speaker.session_version
    return speaker


def _text(response) -> str:
    return response.get_data(as_text=True)


def _last_token() -> str:
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"/speaker/sign-in/([A-Za-z0-9_-]+)", links_of(message)[0]).group(1)


# --- sign-in ---------------------------------------------------------------------------------------


def test_sign_in_page_answers_the_same_for_known_and_unknown_addresses(client, people):
    known = client.post("/speaker/sign-in", data={"email": "ben@example.org"})
    unknown = client.post("/speaker/sign-in", data={"email": "stranger@example.org"})

    assert (
        (known.status_code, known.location) == (unknown.status_code, unknown.location) == (302, "/speaker/sign-in/sent")
    )
    assert _text(client.get(known.location)) == _text(client.get(unknown.location))
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["ben@example.org"]


def test_sign_in_request_with_a_bad_address_shows_the_error_next_to_the_field_and_keeps_it(client, people):
    response = client.post("/speaker/sign-in", data={"email": "not-an-email"})

    html = _text(response)
    assert response.status_code == 400
    assert 'value="not-an-email"' in html
    assert 'class="form-control is-invalid"' in html
    assert 'aria-describedby="email-help email-error"' in html
    assert '<div id="email-error" class="invalid-feedback">' in html
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_sign_in_request_with_non_ascii_before_the_at_is_refused_unless_the_mail_server_offers_smtputf8(
    client, app, monkeypatch, people
):
    people["ben"].email = "björn@example.org"
    db.session.commit()

    refused = client.post("/speaker/sign-in", data={"email": "Björn@example.org"})
    monkeypatch.setitem(app.config, "MAIL_SMTPUTF8", True)
    taken = client.post("/speaker/sign-in", data={"email": "Björn@example.org"})

    assert refused.status_code == 400
    assert (
        '<div id="email-error" class="invalid-feedback">This address cannot receive our emails: use one with only '
        "ASCII letters before the @.</div>" in _text(refused)
    )
    assert taken.location == "/speaker/sign-in/sent"
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["björn@example.org"]


def test_opening_a_link_shows_a_button_and_does_not_sign_in(client, people):
    services.send_sign_in_link(people["ben"], by=OPERATOR, now=datetime.now(UTC))
    token = _last_token()

    response = client.get(f"/speaker/sign-in/{token}")

    assert response.status_code == 200
    assert '<input class="btn btn-primary" id="submit" name="submit" type="submit" value="Sign in">' in _text(response)
    assert (response.headers["Referrer-Policy"], response.headers["Cache-Control"]) == ("no-referrer", "no-store")
    assert db.session.scalars(select(SpeakerLoginToken.used_at)).one() is None
    assert client.get("/speaker/").location == "/speaker/sign-in"


def test_pressing_the_button_signs_in_once_and_a_reused_link_offers_a_new_one(client, people):
    services.send_sign_in_link(people["ben"], by=OPERATOR, now=datetime.now(UTC))
    token = _last_token()

    first = client.post(f"/speaker/sign-in/{token}")
    slots = client.get("/speaker/")
    other_client = client.application.test_client()
    again = other_client.post(f"/speaker/sign-in/{token}")

    assert first.location == "/speaker/"
    assert "Signed in as Ms Ben Panellist" in _text(slots)
    assert again.status_code == 410
    assert "This sign-in link has already been used." in _text(again)
    assert 'href="/speaker/sign-in">Get a new sign-in link</a>' in _text(again)
    assert other_client.get("/speaker/").location == "/speaker/sign-in"


def test_an_expired_link_gives_a_clear_page(client, people):
    services.send_sign_in_link(people["ben"], by=OPERATOR, now=datetime.now(UTC) - timedelta(minutes=31))
    token = _last_token()

    response = client.post(f"/speaker/sign-in/{token}")

    assert response.status_code == 410
    assert "This sign-in link has expired." in _text(response)
    assert client.get("/speaker/").location == "/speaker/sign-in"


def test_an_altered_link_gives_a_clear_page_and_nobodys_data(client, people):
    services.send_sign_in_link(people["ben"], by=OPERATOR, now=datetime.now(UTC))
    token = _last_token()

    response = client.get(f"/speaker/sign-in/{token[:-2]}xx")

    assert response.status_code == 410
    assert "This sign-in link is not valid." in _text(response)
    assert "Ben" not in _text(response)


def test_sign_out_forgets_the_speaker(client, people):
    sign_in_as(client, people["ben"])

    client.post("/speaker/sign-out")

    assert client.get("/speaker/").location == "/speaker/sign-in"


# --- slots and what one speaker may reach ------------------------------------------------------------


def test_pages_need_a_signed_in_speaker(client, people):
    for url in ("/speaker/", "/speaker/profile", "/speaker/calendar", "/speaker/questions", "/speaker/slots/1/"):
        response = client.get(url)
        assert (url, response.status_code, response.location) == (url, 302, "/speaker/sign-in")


def test_my_slots_shows_own_slots_with_the_moderator_and_the_join_link_of_the_online_session(client, people):
    sign_in_as(client, people["ben"])

    html = _text(client.get("/speaker/"))

    assert html.count('<section class="card mb-4"') == 2
    assert "Looking Ahead" in html and "Questions and discussion" in html
    assert 'Ms Ana Moderator <span class="text-body-secondary">(moderator' in html
    assert '<a href="https://meet.example.org/secret-room">' in html
    assert "Plenary room" in html
    assert "Typology" not in html and "Cas Elsewhere" not in html


def test_the_join_link_is_not_shown_to_a_speaker_who_is_not_in_the_online_session(client, people):
    sign_in_as(client, people["ana"])

    html = _text(client.get("/speaker/"))

    assert "Looking Ahead" in html
    assert "secret-room" not in html


def test_one_speaker_cannot_reach_another_speakers_slot_or_invite(client, people):
    sign_in_as(client, people["ben"])
    cas_slot = people["cas_slot"].id

    assert client.get(f"/speaker/slots/{cas_slot}/").status_code == 404
    assert client.post(f"/speaker/slots/{cas_slot}/", data={"response": "declined"}).status_code == 404
    assert client.get(f"/speaker/slots/{cas_slot}/invite.ics").status_code == 404
    assert db.session.get(type(people["cas_slot"]), cas_slot).response == AppearanceResponse.PENDING


def test_choosing_a_time_zone_is_remembered_and_shown(client, people):
    speaker = sign_in_as(client, people["ben"])

    client.post("/speaker/timezone", data={"timezone": "Asia/Karachi"})
    html = _text(client.get("/speaker/"))

    assert db.session.get(Speaker, speaker.id).timezone == "Asia/Karachi"
    assert '14:00–15:00 PKT <span class="text-body-secondary">(Asia/Karachi, your time)' in html
    assert '10:00–11:00 CET <span class="text-body-secondary">(Europe/Brussels, event time)' in html
    assert '<option selected value="Asia/Karachi">' in html


def test_an_unknown_time_zone_is_refused(client, people):
    speaker = sign_in_as(client, people["ben"])

    response = client.post("/speaker/timezone", data={"timezone": "Mars/Olympus"})
    html = _text(response)

    assert response.status_code == 400
    assert "<title>Error: My slots" in html
    assert '<a class="alert-link" href="#timezone">Show times in: Choose a time zone from the list.</a>' in html
    assert '<div id="timezone-error" class="invalid-feedback">Choose a time zone from the list.</div>' in html
    assert db.session.get(Speaker, speaker.id).timezone is None


def test_confirming_a_slot_saves_the_answer_and_note(client, people):
    sign_in_as(client, people["ben"])
    slot_id = people["ben_panel"].id

    response = client.post(f"/speaker/slots/{slot_id}/", data={"response": "confirmed", "note": "Happy to join"})

    assert response.location == "/speaker/"
    saved = db.session.get(type(people["ben_panel"]), slot_id)
    db.session.refresh(saved)
    assert (saved.response, saved.response_note) == (AppearanceResponse.CONFIRMED, "Happy to join")
    assert "Confirmed: “Happy to join”" in _text(client.get("/speaker/"))


def test_answering_without_a_choice_shows_the_error_and_keeps_the_note(client, people):
    sign_in_as(client, people["ben"])

    response = client.post(f"/speaker/slots/{people['ben_panel'].id}/", data={"note": "Kept text"})

    html = _text(response)
    assert response.status_code == 400
    assert "Choose confirm or decline." in html
    assert "Kept text</textarea>" in html


def test_slot_invite_download_is_a_request_for_the_speaker(client, people):
    sign_in_as(client, people["ben"])

    response = client.get(f"/speaker/slots/{people['ben_panel'].id}/invite.ics")

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    body = _text(response)
    assert "METHOD:REQUEST" in body
    assert f"UID:{people['ben_panel'].uid}@events.example.org" in body


def test_slot_download_after_the_session_is_called_off_is_the_emailed_cancel(client, people):
    speaker = sign_in_as(client, people["ben"])
    appearance = people["ben_panel"]
    session = appearance.item.session
    agenda_services.cancel_session(session, reason="Venue closed", by=make_organiser(), now=at(6))
    emailed = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "speaker_cancel", OutboxMessage.to_address == "ben@example.org"
        )
    ).one()

    response = client.get(f"/speaker/slots/{appearance.id}/invite.ics")

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8; method=CANCEL"
    body = _text(response)
    uid = f"{appearance.uid}@events.example.org"
    downloaded, sent = Calendar.from_ical(body), Calendar.from_ical(emailed.ics)
    assert (str(downloaded["METHOD"]), str(sent["METHOD"])) == ("CANCEL", "CANCEL")
    (event,), (sent_event,) = downloaded.events, sent.events
    assert (str(event["UID"]), str(event["STATUS"])) == (uid, "CANCELLED")
    assert int(event["SEQUENCE"]) == int(sent_event["SEQUENCE"]) > 0
    parsed = vobject.readOne(body)
    assert (parsed.method.value, parsed.vevent.uid.value, parsed.vevent.status.value) == ("CANCEL", uid, "CANCELLED")
    assert int(parsed.vevent.sequence.value) == int(sent_event["SEQUENCE"])
    # The feed says the same: cancelled, and not newer than the CANCEL.
    (in_feed,) = [e for e in Calendar.from_ical(services.speaker_feed(speaker)).events if str(e["UID"]) == uid]
    assert (str(in_feed["STATUS"]), int(in_feed["SEQUENCE"])) == ("CANCELLED", int(sent_event["SEQUENCE"]))
    page = _text(client.get("/speaker/"))
    assert "Remove from calendar (.ics)" in page


# --- feed ------------------------------------------------------------------------------------------


def test_feed_address_is_built_on_server_base_url_whatever_host_the_request_names(app, client, people):
    speaker = sign_in_as(client, people["ben"])
    # A client that sends the cookies it is given whatever the host (the usual one keeps them per host).
    forged = app.test_client(use_cookies=False)
    cookie = f"session={client.get_cookie('session').value}"

    made = forged.post("/speaker/calendar/feed", headers={"Host": "attacker.example.com", "Cookie": cookie})
    cookie = made.headers["Set-Cookie"].split(";")[0]
    page = _text(forged.get("/speaker/calendar", headers={"Host": "attacker.example.com", "Cookie": cookie}))

    token = re.search(r'value="http://127.0.0.1:5000/speaker/feed/([A-Za-z0-9_-]+)\.ics"', page).group(1)
    assert "attacker.example.com" not in page
    assert db.session.get(Speaker, speaker.id).feed_token_hash == hash_token(token)


def test_the_new_feed_address_is_offered_as_a_webcal_subscription_beside_the_https_one(client, people):
    sign_in_as(client, people["ben"])

    client.post("/speaker/calendar/feed")
    page = _text(client.get("/speaker/calendar"))

    https = re.search(r'value="(http://127.0.0.1:5000/speaker/feed/[A-Za-z0-9_-]+\.ics)"', page).group(1)
    subscribe = re.search(r'href="(webcal://[^"]+)">Subscribe in your calendar app</a>', page).group(1)
    assert subscribe == "webcal://" + https.removeprefix("http://")
    # The webcal address is the same feed: a calendar app fetches it over http(s).
    assert "BEGIN:VCALENDAR" in _text(client.get(subscribe.removeprefix("webcal://127.0.0.1:5000")))


def test_feed_address_is_shown_once_and_serves_only_its_owners_slots_with_etag(client, people):
    sign_in_as(client, people["ben"])

    client.post("/speaker/calendar/feed")
    page = _text(client.get("/speaker/calendar"))
    url = re.search(r'value="http://127.0.0.1:5000(/speaker/feed/[A-Za-z0-9_-]+\.ics)"', page).group(1)
    feed = client.get(url)
    cached = client.get(url, headers={"If-None-Match": feed.headers["ETag"]})

    assert feed.status_code == 200 and feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert _text(feed).count("BEGIN:VEVENT") == 2 and "METHOD" not in _text(feed)
    assert "Typology" not in _text(feed)
    assert (cached.status_code, cached.data) == (304, b"")
    assert "/speaker/feed/" not in _text(client.get("/speaker/calendar"))


def test_resetting_the_feed_address_retires_the_old_one(client, people):
    sign_in_as(client, people["ben"])
    client.post("/speaker/calendar/feed")
    old = re.search(r"(/speaker/feed/[A-Za-z0-9_-]+\.ics)", _text(client.get("/speaker/calendar"))).group(1)

    client.post("/speaker/calendar/feed")
    new = re.search(r"(/speaker/feed/[A-Za-z0-9_-]+\.ics)", _text(client.get("/speaker/calendar"))).group(1)

    assert old != new
    assert client.get(old).status_code == 404
    assert "Unknown calendar address" in _text(client.get(old))
    assert client.get(new).status_code == 200


def test_an_unknown_feed_token_gives_nothing(client, people):
    response = client.get("/speaker/feed/" + "A" * 43 + ".ics")

    assert response.status_code == 404
    assert "BEGIN:VCALENDAR" not in _text(response)


def vevent_of(body: bytes, title: str):
    calendar = Calendar.from_ical(body)
    (found,) = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]).startswith(title + " (")]
    return found


def _speaker_with_slots(count: int) -> tuple[Person, str]:
    """A person with `count` slots (each with a co-speaker) in a published event, and their feed token."""
    event = make_event(title=f"Event of {count}")
    session = make_session(event, title="Morning", starts_at=at(8), ends_at=at(18))
    person = make_person(event, name=f"Dee Speaker {count}", email=f"dee{count}@example.org")
    for hour in range(count):
        item = make_item(session, title=f"Talk {hour}", starts_at=at(8 + hour), ends_at=at(8 + hour, 45))
        make_appearance(item, make_person(event, name=f"Co Speaker {count}-{hour}"), role=Role.MODERATOR)
        make_appearance(item, person, role=Role.SPEAKER)
    return person, services.reset_feed_token(speaker_of(person), now=datetime.now(UTC))


def _cached_poll_statements(client, count_queries, token: str) -> list[str]:
    first = client.get(f"/speaker/feed/{token}.ics")
    with count_queries() as statements:
        again = client.get(f"/speaker/feed/{token}.ics")
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    return statements


def test_a_cached_feed_poll_costs_the_token_lookup_and_one_fingerprint_query_for_any_number_of_slots(
    client, app_context, count_queries, monkeypatch
):
    render_cache().clear()
    # Ask the database for the fingerprint at every poll (no trusted seconds), so the count is exact.
    monkeypatch.setattr(render_cache(), "version_seconds", 0)
    _, one = _speaker_with_slots(1)
    _, five = _speaker_with_slots(5)

    with count_queries() as uncached:
        body = client.get(f"/speaker/feed/{five}.ics").data
    cached_one = _cached_poll_statements(client, count_queries, one)
    cached_five = _cached_poll_statements(client, count_queries, five)

    assert body.count(b"BEGIN:VEVENT") == 5
    assert "With: Ms Co Speaker 5-4 (Moderator)" in str(vevent_of(body, "Talk 4")["DESCRIPTION"])
    assert len(uncached) > 2
    assert len(cached_one) == len(cached_five) == 2
    assert "feed_token_hash" in cached_five[0] and "UNION ALL" in cached_five[1]


def test_a_cached_feed_poll_with_its_owner_and_version_fresh_in_memory_runs_no_query(
    client, app_context, count_queries, monkeypatch
):
    render_cache().clear()
    monkeypatch.setattr(render_cache(), "version_seconds", 3600)
    _, token = _speaker_with_slots(2)

    statements = _cached_poll_statements(client, count_queries, token)

    assert statements == []


def test_a_reset_feed_address_stops_working_at_once_even_while_its_owner_is_remembered(
    client, app_context, monkeypatch
):
    render_cache().clear()
    monkeypatch.setattr(render_cache(), "version_seconds", 3600)
    person, old = _speaker_with_slots(1)
    assert client.get(f"/speaker/feed/{old}.ics").status_code == 200

    with use_case():
        new = services.reset_feed_token(speaker_of(person), now=datetime.now(UTC))

    gone = client.get(f"/speaker/feed/{old}.ics")
    assert (gone.status_code, "Unknown calendar address" in gone.get_data(as_text=True)) == (404, True)
    assert client.get(f"/speaker/feed/{new}.ics").data.count(b"BEGIN:VEVENT") == 1


def test_a_moved_slot_shows_on_the_very_next_poll_with_a_higher_sequence(client, app_context, monkeypatch):
    render_cache().clear()
    monkeypatch.setattr(render_cache(), "version_seconds", 3600)
    person, token = _speaker_with_slots(2)
    before = client.get(f"/speaker/feed/{token}.ics")
    item = next(a.item for a in person.appearances if a.item.title == "Talk 0")
    old = vevent_of(before.data, item.title)

    agenda_services.update_item(
        item, by=make_organiser(), now=datetime.now(UTC), starts_at=at(13, 30), ends_at=at(14, 15)
    )
    after = client.get(f"/speaker/feed/{token}.ics", headers={"If-None-Match": before.headers["ETag"]})
    new = vevent_of(after.data, item.title)

    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert (old.decoded("DTSTART"), new.decoded("DTSTART")) == (at(8), at(13, 30))
    assert new.decoded("DTEND") == at(14, 15)
    assert new["SEQUENCE"] > old["SEQUENCE"]
    assert str(new["UID"]) == str(old["UID"])


def test_a_changed_co_speaker_name_shows_on_the_very_next_poll(client, app_context, monkeypatch):
    render_cache().clear()
    monkeypatch.setattr(render_cache(), "version_seconds", 3600)
    person, token = _speaker_with_slots(1)
    before = vevent_of(client.get(f"/speaker/feed/{token}.ics").data, "Talk 0")
    (other,) = [a.person for a in person.appearances[0].item.appearances if a.person_id != person.id]

    agenda_services.update_person(other, by=make_organiser(), now=datetime.now(UTC), name="Renamed Moderator")

    after = vevent_of(client.get(f"/speaker/feed/{token}.ics").data, "Talk 0")
    assert "With: Ms Co Speaker 1-0 (Moderator)" in str(before["DESCRIPTION"])
    assert "With: Ms Renamed Moderator (Moderator)" in str(after["DESCRIPTION"])


# --- profile and questions ---------------------------------------------------------------------------


def test_profile_saves_and_shows_the_bio_sanitised(client, people):
    sign_in_as(client, people["ben"])

    response = client.post(
        "/speaker/profile",
        data={
            "honorific": "Dr",
            "name": "Ben Panellist",
            "position": "Researcher",
            "organisation": "RAND Europe",
            "bio": 'Works on **AI**. <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(2)">',
        },
    )
    html = _text(client.get("/speaker/profile"))

    assert response.location == "/speaker/profile"
    assert db.session.get(Person, people["ben"].id).display_name == "Dr Ben Panellist"
    preview = html.split('data-testid="bio-preview">', 1)[1]
    assert "<strong>AI</strong>" in preview
    # The only script is Bootstrap's own (the navbar's menu button), none from the bio.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/bootstrap/static/js/bootstrap.min.js">']
    assert "<img" not in html and 'href="javascript' not in html
    assert "onerror=" not in preview.replace("&#34;", '"').split("&lt;img", 1)[0]


def test_profile_without_a_name_shows_the_error_and_keeps_the_input(client, people):
    sign_in_as(client, people["ben"])

    response = client.post("/speaker/profile", data={"name": "", "position": "Kept position", "bio": "Kept bio"})

    html = _text(response)
    assert response.status_code == 400
    assert "Enter your name." in html
    assert 'value="Kept position"' in html and "Kept bio</textarea>" in html
    assert db.session.get(Person, people["ben"].id).name == "Ben Panellist"


def test_questions_page_shows_registrants_questions_without_their_emails(client, people):
    make_registration(
        people["online"], full_name="Nino K.", email="nino@example.com", question="What about AI?", created_at=at(6)
    )
    sign_in_as(client, people["ben"])

    html = _text(client.get("/speaker/questions"))

    assert "What about AI?" in html and "Nino K." in html
    assert "Wednesday 30 October 2030, 07:00 CET" in html  # in the event's zone until the speaker picks one
    assert "nino@example.com" not in html


def test_questions_page_of_a_speaker_without_online_sessions_is_empty(client, people):
    make_registration(people["online"], question="What about AI?")
    sign_in_as(client, people["cas"])

    html = _text(client.get("/speaker/questions"))

    assert "No questions yet." in html and "What about AI?" not in html


# --- CSRF and rate limits ----------------------------------------------------------------------------


def test_a_post_without_csrf_token_is_refused_when_csrf_is_on(app, people):
    csrf_app = create_app(make_config(WTF_CSRF_ENABLED=True))
    client = csrf_app.test_client()

    response = client.post("/speaker/sign-in", data={"email": "ben@example.org"})

    assert response.status_code == 400
    assert "This form had expired; your entries are kept: send it again." in _text(response)
    assert 'value="ben@example.org"' in _text(response)
    with csrf_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.fixture
def limited_app(app):
    """A dedicated app with rate limits on (TestingConfig turns them off)."""
    return create_app(
        make_config(
            RATELIMIT_ENABLED=True, SPEAKER_LINK_LIMIT_PER_EMAIL="2 per hour", SPEAKER_LINK_LIMIT_PER_IP="4 per hour"
        )
    )


def test_sign_in_links_are_rate_limited_per_email_and_per_ip(limited_app, people):
    client = limited_app.test_client()

    per_email = [client.post("/speaker/sign-in", data={"email": "ben@example.org"}).status_code for _ in range(3)]
    other_emails = [client.post("/speaker/sign-in", data={"email": f"x{n}@example.org"}).status_code for n in range(3)]
    from_elsewhere = client.post(
        "/speaker/sign-in", data={"email": "ana@example.org"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )

    assert per_email == [302, 302, 429]
    assert other_emails == [302, 302, 429]  # the IP's 4 allowed requests are used up
    assert from_elsewhere.status_code == 302
    with limited_app.app_context():
        assert db.session.scalars(select(OutboxMessage.to_address).order_by(OutboxMessage.id)).all() == [
            "ben@example.org",
            "ben@example.org",
            "ana@example.org",
        ]


# --- command ---------------------------------------------------------------------------------------


def test_send_link_command_queues_a_link_for_a_speaker(runner, people):
    result = runner.invoke(args=["speakers", "send-link", "BEN@example.org"])

    assert result.exit_code == 0
    assert result.output == "Sign-in link for Ms Ben Panellist queued for ben@example.org.\n"
    assert db.session.scalars(select(OutboxMessage.kind)).all() == ["speaker_link"]


def test_send_link_command_fails_for_an_unknown_address(runner, people):
    result = runner.invoke(args=["speakers", "send-link", "nobody@example.org"])

    assert result.exit_code == 1
    assert "No speaker of a published event has the address nobody@example.org." in result.output
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_my_slots_page_runs_the_same_number_of_queries_for_one_slot_or_five(client, people, count_queries):
    first = make_item(make_session(make_event()))
    person = make_person(first.session.event, email="busy@example.org")
    make_appearance(first, person)
    sign_in_as(client, person)
    db.session.expire_all()
    with count_queries() as one_slot:
        assert _text(client.get("/speaker/")).count('<section class="card mb-4"') == 1
    for _ in range(4):
        item = make_item(make_session(make_event()))
        event = item.session.event
        make_appearance(item, make_person(event), role=Role.MODERATOR)
        make_appearance(item, make_person(event, name=person.name, email=person.email))
    db.session.expire_all()

    with count_queries() as five_slots:
        assert _text(client.get("/speaker/")).count('<section class="card mb-4"') == 5

    assert len(five_slots) == len(one_slot) <= 6


def test_twenty_browsers_pressing_one_links_button_at_once_give_one_sign_in(app, live_server, people):
    with use_case():
        services.send_sign_in_link(people["ben"], by=OPERATOR, now=datetime.now(UTC))
    url = f"{live_server}/speaker/sign-in/{_last_token()}"
    db.session.remove()
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def press():
        barrier.wait()
        try:
            status = opener.open(urllib.request.Request(url, data=b"submit=Sign+in", method="POST"), timeout=30).status
        except urllib.error.HTTPError as error:
            status = error.code
        statuses.append(status)

    threads = [threading.Thread(target=press) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [302] + [410] * 19


def test_the_answer_form_starts_from_the_answer_already_given(client, people):
    speaker = sign_in_as(client, people["ben"])
    services.respond_to_slot(people["ben_panel"], response="declined", note="Travelling", by=speaker, now=at(7))

    html = _text(client.get(f"/speaker/slots/{people['ben_panel'].id}/"))

    assert '<input checked class="form-check-input" id="response-1" name="response" required type="radio"' in html
    assert "Travelling</textarea>" in html
