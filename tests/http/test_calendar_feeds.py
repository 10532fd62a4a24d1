"""Calendar feeds through the test client: parsed by icalendar and vobject, stable bytes, ETag and 304."""

from datetime import UTC, datetime

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import select

from app.demo.loader import load_demo
from app.extensions import db
from app.models import AgendaItem, EventStatus, SessionStatus
from app.render_cache import render_cache
from tests.factories import at, make_event, make_session

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SLUG = "mpf-exchange-event"
DOMAIN = "events.example.org"


@pytest.fixture
def demo(app_context):
    return load_demo(today=NOW.date(), now=NOW).event


def parse(body: bytes) -> Calendar:
    """Parse with icalendar and vobject; both must accept it without errors."""
    calendar = Calendar.from_ical(body)
    assert calendar.errors == []
    assert [event.errors for event in calendar.events] == [[] for _ in calendar.events]
    parsed = vobject.readOne(body.decode())
    assert len(parsed.contents.get("vevent", [])) == len(calendar.events)
    return calendar


def _item(title: str) -> AgendaItem:
    return db.session.scalars(select(AgendaItem).where(AgendaItem.title == title)).first()


def test_agenda_feed_holds_every_item_in_utc_with_stable_uids(client, demo):
    items = [item for session in demo.sessions for item in session.items]

    response = client.get(f"/events/{SLUG}/agenda.ics")

    calendar = parse(response.data)
    events = calendar.events
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "METHOD" not in calendar
    assert str(calendar["UID"]) == f"{SLUG}-agenda@{DOMAIN}"
    assert str(calendar["X-WR-CALNAME"]) == "MPF Exchange Event"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.data
    assert b"VTIMEZONE" not in response.data
    assert [str(e["UID"]) for e in events] == [f"{item.uid}@{DOMAIN}" for item in items]
    assert [int(e["SEQUENCE"]) for e in events] == [0] * 19
    assert len(events) == 19


def test_agenda_feed_describes_prometheus_ii_with_its_speaker(client, demo):
    calendar = parse(client.get(f"/events/{SLUG}/agenda.ics").data)

    event = next(e for e in calendar.events if str(e["SUMMARY"]) == "PROMETHEUS II")
    assert event.start == datetime(2027, 10, 14, 7, 30, tzinfo=UTC)
    assert event.end == datetime(2027, 10, 14, 7, 55, tzinfo=UTC)
    assert str(event["LOCATION"]) == "Plenary room, ICMPD Brussels Mission, Brussels"
    assert str(event["DESCRIPTION"]).startswith(
        "Morning Session: Borders & Security Cooperation Priorities\n\n"
        "Mr Jean-Christophe Hilaire (speaker), Police Commander, Chief of Bureau, Ministry of Interior, France\n\n"
    )
    assert str(event["URL"]) == (
        f"http://127.0.0.1:5000/events/{SLUG}/sessions/{demo.sessions[0].id}/#item-{_item('PROMETHEUS II').id}"
    )


def test_feeds_never_carry_the_join_link(client, demo):
    follow_up = demo.sessions[2]
    discussion = follow_up.items[0]

    bodies = [
        client.get(f"/events/{SLUG}/agenda.ics").data,
        client.get(f"/events/{SLUG}/sessions/{follow_up.id}.ics").data,
        client.get(f"/events/{SLUG}/items/{discussion.id}.ics").data,
    ]

    assert [b"meet.example.org" in body for body in bodies] == [False, False, False]
    assert [b"LOCATION:Online\r\n" in body for body in bodies] == [True, True, True]


def test_feed_dtstamp_is_the_last_change_so_the_same_data_gives_the_same_bytes(client, demo):
    first = client.get(f"/events/{SLUG}/agenda.ics")
    render_cache().clear()
    second = client.get(f"/events/{SLUG}/agenda.ics")

    stamps = {e.decoded("DTSTAMP") for e in parse(first.data).events}
    items = [i for s in demo.sessions for i in s.items]
    latest = max(
        [demo.updated_at] + [i.updated_at for i in items] + [a.person.updated_at for i in items for a in i.appearances]
    )
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert len(stamps) == 1
    assert stamps.pop() == latest.replace(microsecond=0)
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["Content-Disposition"] == f'attachment; filename="{SLUG}.ics"'


def test_if_none_match_with_the_etag_answers_304_without_a_body(client, demo):
    etag = client.get(f"/events/{SLUG}/agenda.ics").headers["ETag"]

    same = client.get(f"/events/{SLUG}/agenda.ics", headers={"If-None-Match": etag})
    listed = client.get(f"/events/{SLUG}/agenda.ics", headers={"If-None-Match": f'"other", {etag}'})
    other = client.get(f"/events/{SLUG}/agenda.ics", headers={"If-None-Match": '"other"'})

    assert etag.startswith('"') and not etag.startswith("W/")
    assert (same.status_code, same.data, same.headers["ETag"]) == (304, b"", etag)
    assert listed.status_code == 304
    assert other.status_code == 200 and other.data.startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": '"unterminated'},
        {"If-None-Match": "W/"},
        {"If-None-Match": ",,,;;;"},
        {"If-None-Match": "\x7f\x00"},
        {"If-Modified-Since": "not a date"},
        {"If-Modified-Since": "Mon, 99 Foo 99999 99:99:99 GMT"},
        {"If-Range": "garbage", "Range": "bytes=oops"},
    ],
)
def test_malformed_conditional_headers_are_ignored(client, demo, headers):
    response = client.get(f"/events/{SLUG}/agenda.ics", headers=headers)

    assert response.status_code == 200
    assert len(parse(response.data).events) == 19


def test_a_changed_item_raises_its_sequence_and_changes_etag_and_dtstamp(client, demo):
    before = client.get(f"/events/{SLUG}/agenda.ics")
    item = _item("RAPAK")

    item.title = "RAPAK (moved)"
    item.version += 1
    db.session.commit()
    after = client.get(f"/events/{SLUG}/agenda.ics", headers={"If-None-Match": before.headers["ETag"]})

    event = next(e for e in parse(after.data).events if str(e["UID"]) == f"{item.uid}@{DOMAIN}")
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert (str(event["SUMMARY"]), int(event["SEQUENCE"])) == ("RAPAK (moved)", 1)
    assert event.decoded("DTSTAMP") == item.updated_at.replace(microsecond=0)


def test_items_of_a_cancelled_session_are_marked_cancelled_with_a_higher_sequence(client, demo):
    afternoon = demo.sessions[1]
    afternoon.status = SessionStatus.CANCELLED
    afternoon.version += 1
    db.session.commit()

    events = parse(client.get(f"/events/{SLUG}/agenda.ics").data).events

    uids = {f"{i.uid}@{DOMAIN}" for i in afternoon.items}
    cancelled = [e for e in events if str(e["UID"]) in uids]
    assert [(str(e.get("STATUS")), int(e["SEQUENCE"])) for e in cancelled] == [("CANCELLED", 1)] * 10
    assert [e for e in events if str(e["UID"]) not in uids and "STATUS" in e] == []


def test_a_called_off_session_and_its_items_are_no_longer_offered_for_calendars(client, demo):
    afternoon = demo.sessions[1]
    item = afternoon.items[0]
    page = client.get(f"/events/{SLUG}/sessions/{afternoon.id}/").data.decode()
    assert f'href="/events/{SLUG}/sessions/{afternoon.id}.ics"' in page
    assert f'href="/events/{SLUG}/items/{item.id}.ics"' in page
    afternoon.status = SessionStatus.CANCELLED
    afternoon.version += 1
    db.session.commit()

    pages = [client.get(url).data.decode() for url in (f"/events/{SLUG}/sessions/{afternoon.id}/", f"/events/{SLUG}/")]

    for page in pages:
        assert f"/sessions/{afternoon.id}.ics" not in page
        assert f"/items/{item.id}.ics" not in page
    assert "calendar.google.com" not in pages[0]  # no Google Calendar link either
    # Other sessions are still offered (on the event page once per session, not per item).
    assert f"/sessions/{demo.sessions[0].id}.ics" in pages[1]
    # The address still answers, as a feed entry marked cancelled (no METHOD): a subscriber learns of it.
    calendar = parse(client.get(f"/events/{SLUG}/items/{item.id}.ics").data)
    assert "METHOD" not in calendar
    assert str(calendar.events[0]["STATUS"]) == "CANCELLED"


def test_the_event_page_offers_a_webcal_subscription_beside_the_download(client, demo):
    page = client.get(f"/events/{SLUG}/").data.decode()

    assert f'<a href="webcal://127.0.0.1:5000/events/{SLUG}/agenda.ics">Subscribe to the agenda</a>' in page
    assert f'<a href="/events/{SLUG}/agenda.ics">download the agenda (.ics)</a>' in page


def test_session_feed_is_one_entry_for_the_whole_session(client, demo):
    follow_up = demo.sessions[2]

    response = client.get(f"/events/{SLUG}/sessions/{follow_up.id}.ics")

    calendar = parse(response.data)
    (event,) = calendar.events
    assert str(event["UID"]) == f"{follow_up.uid}@{DOMAIN}"
    assert str(event["SUMMARY"]) == "Looking Ahead: online follow-up session – MPF Exchange Event"
    assert (event.start, event.end) == (
        datetime(2027, 10, 30, 8, 0, tzinfo=UTC),
        datetime(2027, 10, 30, 9, 30, tzinfo=UTC),
    )
    assert str(event["DESCRIPTION"]).startswith('The panel "Looking Ahead" was very well received')
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-session-{follow_up.id}.ics"'


def test_item_feed_is_one_entry_for_the_item(client, demo):
    item = _item("PROMETHEUS II")

    response = client.get(f"/events/{SLUG}/items/{item.id}.ics")

    (event,) = parse(response.data).events
    assert (str(event["UID"]), str(event["SUMMARY"])) == (f"{item.uid}@{DOMAIN}", "PROMETHEUS II")
    assert event.start == datetime(2027, 10, 14, 7, 30, tzinfo=UTC)
    assert (
        client.get(
            f"/events/{SLUG}/items/{item.id}.ics", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )


def test_a_session_without_items_appears_in_the_agenda_feed_as_itself(client, app_context):
    event = make_event(slug="bare")
    session = make_session(event, title="Informal meeting", starts_at=at(9), ends_at=at(10))

    (entry,) = parse(client.get("/events/bare/agenda.ics").data).events

    assert str(entry["UID"]) == f"{session.uid}@{DOMAIN}"
    assert str(entry["SUMMARY"]) == "Informal meeting – Exchange Event " + event.title.split()[-1]


def test_a_cancelled_event_marks_every_entry_cancelled(client, app_context):
    event = make_event(slug="called-off", status=EventStatus.CANCELLED)
    make_session(event)

    (entry,) = parse(client.get("/events/called-off/agenda.ics").data).events

    assert str(entry["STATUS"]) == "CANCELLED"
    page = client.get("/events/called-off/").data.decode()
    assert "This event has been cancelled." in page
    assert "Add to calendar (.ics)" not in page and "calendar.google.com" not in page


def test_a_comma_in_the_event_title_is_escaped_in_the_feeds_name(client, app_context):
    make_session(make_event(slug="commas", title="Borders, security and migration"))

    body = client.get("/events/commas/agenda.ics").data

    parse(body)
    assert b"NAME:Borders\\, security and migration\r\n" in body
    assert b"X-WR-CALNAME:Borders\\, security and migration\r\n" in body
    assert vobject.readOne(body.decode()).contents["x-wr-calname"][0].value == "Borders, security and migration"


def test_feeds_of_an_event_with_a_newline_in_a_title_stay_valid(client, app_context):
    event = make_event(slug="odd", title="Line one\r\nDTSTART:19700101T000000Z")
    make_session(event, title="A\nB")

    body = client.get("/events/odd/agenda.ics").data

    (entry,) = parse(body).events
    assert str(entry["SUMMARY"]) == "A B – Line one DTSTART:19700101T000000Z"
    assert b"\r\nDTSTART:19700101" not in body


def test_a_seat_taken_leaves_the_feeds_bytes_and_etag_alone(client, demo):
    follow_up = demo.sessions[2]
    before = client.get(f"/events/{SLUG}/agenda.ics")

    follow_up.seats_taken += 1
    db.session.commit()
    after = client.get(f"/events/{SLUG}/agenda.ics", headers={"If-None-Match": before.headers["ETag"]})
    page = client.get(f"/events/{SLUG}/sessions/{follow_up.id}/")

    assert (after.status_code, after.headers["ETag"]) == (304, before.headers["ETag"])
    assert "99 of 100 seats left." in page.get_data(as_text=True)


def test_a_feed_is_written_in_the_language_its_link_carries_and_each_language_is_kept_apart(client, demo):
    """Calendar apps send no cookie: a subscription made from a French page carries ?lang=fr, and the feed
    gives the French titles and role names; the English feed, asked for between, stays English."""
    french_page = client.get(f"/events/{SLUG}/", headers={"Accept-Language": "fr"}).text
    english = parse(client.get(f"/events/{SLUG}/agenda.ics").data)
    french = parse(client.get(f"/events/{SLUG}/agenda.ics", query_string={"lang": "fr"}).data)
    english_again = client.get(f"/events/{SLUG}/agenda.ics").data

    assert f'href="webcal://127.0.0.1:5000/events/{SLUG}/agenda.ics?lang=fr"' in french_page
    assert str(french["X-WR-CALNAME"]) == "Rencontre d’échange du MPF"
    assert str(english["X-WR-CALNAME"]) == "MPF Exchange Event"
    opening = [str(e["SUMMARY"]) for e in french.events][0]
    assert opening == "Allocution d’ouverture"
    prometheus = next(e for e in french.events if str(e["SUMMARY"]) == "PROMETHEUS II")
    assert str(prometheus["DESCRIPTION"]).startswith(
        "Séance du matin\u00a0: priorités de la coopération en matière de frontières et de sécurité\n\n"
        "Mr Jean-Christophe Hilaire (intervenant), Police Commander"
    )
    assert english_again == client.get(f"/events/{SLUG}/agenda.ics").data
    assert b"Allocution" not in english_again and "PROMETHEUS II" in [str(e["SUMMARY"]) for e in english.events]
