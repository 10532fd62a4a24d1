"""The iCalendar builders: feeds, invites, slots from models and Google Calendar links, without HTTP."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from app.calendar import identity
from app.calendar.ical import (
    Slot,
    feed_calendar,
    google_calendar_url,
    invite_calendar,
    item_slot,
    session_slot,
    to_bytes,
)
from app.models import AgendaItem, Appearance, Event, EventSession, EventStatus, ItemKind, Person, Role, SessionStatus

STAMP = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
START = datetime(2027, 10, 30, 8, 0, tzinfo=UTC)
SLOT = Slot(
    uid="abc@events.example.org",
    sequence=2,
    summary="Looking Ahead",
    start=START,
    end=START + timedelta(minutes=90),
    description="Questions\nand discussion",
    location="Online",
    url="https://events.example.org/events/x/",
)


def parsed(calendar: Calendar) -> Calendar:
    body = to_bytes(calendar)
    result = Calendar.from_ical(body)
    assert result.errors == []
    assert [e.errors for e in result.events] == [[] for _ in result.events]
    vobject.readOne(body.decode())
    return result


def _agenda():
    """Transient models, as the loaded agenda holds them: an event, a session, an item with a moderator."""
    event = Event(slug="x", title="MPF Exchange Event", venue="Brussels", status=EventStatus.PUBLISHED)
    session = EventSession(
        event=event,
        title="Morning",
        starts_at=START,
        ends_at=START + timedelta(hours=4),
        location="Plenary room",
        is_online=False,
        version=3,
        status=SessionStatus.SCHEDULED,
        uid="s1",
        description="Aims",
        join_url="https://meet.example.org/secret",
    )
    item = AgendaItem(
        session=session,
        title="Panel",
        kind=ItemKind.PANEL,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        version=2,
        uid="i1",
        description="About borders",
        location="",
    )
    person = Person(honorific="Mr", name="Borut Erzen", position="Head of Programme", organisation="ICMPD")
    item.appearances.append(Appearance(person=person, role=Role.MODERATOR))
    return event, session, item


def test_feed_calendar_has_no_method_and_announces_its_refresh_interval():
    calendar = parsed(feed_calendar("feed@x", "Agenda", [SLOT], stamp=STAMP, refresh=timedelta(minutes=30)))

    body = to_bytes(calendar)
    (event,) = calendar.events
    assert "METHOD" not in calendar
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT30M\r\n" in body
    assert b"X-PUBLISHED-TTL:PT30M\r\n" in body
    assert (str(event["UID"]), int(event["SEQUENCE"])) == ("abc@events.example.org", 2)
    assert b"DTSTART:20271030T080000Z\r\n" in body
    assert b"DTSTAMP:20261129T120000Z\r\n" in body


def test_feed_calendar_gives_the_same_bytes_for_the_same_data():
    first = to_bytes(feed_calendar("feed@x", "Agenda", [SLOT], stamp=STAMP, refresh=timedelta(hours=1)))
    second = to_bytes(feed_calendar("feed@x", "Agenda", [SLOT], stamp=STAMP, refresh=timedelta(hours=1)))

    assert first == second


def test_invite_calendar_request_names_organizer_and_attendee():
    calendar = parsed(
        invite_calendar(
            SLOT,
            method="REQUEST",
            organizer_email="mpf@example.org",
            organizer_name="MPF Team",
            attendee_email="ana@example.com",
            attendee_name="Ana",
            stamp=STAMP,
        )
    )

    (event,) = calendar.events
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["ORGANIZER"]) == "mailto:mpf@example.org"
    assert str(event["ATTENDEE"]) == "mailto:ana@example.com"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert "STATUS" not in event


def test_invite_calendar_cancel_marks_the_event_cancelled():
    calendar = parsed(
        invite_calendar(
            SLOT,
            method="CANCEL",
            organizer_email="mpf@example.org",
            organizer_name="MPF Team",
            attendee_email="ana@example.com",
            attendee_name="Ana",
            stamp=STAMP,
        )
    )

    assert (str(calendar["METHOD"]), str(calendar.events[0]["STATUS"])) == ("CANCEL", "CANCELLED")


def test_item_slot_describes_session_people_and_place_with_the_summed_sequence(app_context):
    _event, _session, item = _agenda()

    slot = item_slot(
        item,
        uid=identity.item_uid(item),
        sequence=identity.item_sequence(item),
        location=identity.location(item.session, item=item, join_link=False),
        url="https://e/x#item-1",
    )

    assert slot == Slot(
        uid="i1@events.example.org",
        sequence=5,
        summary="Panel",
        start=START,
        end=START + timedelta(hours=1),
        description="Morning\n\nMr Borut Erzen (moderator), Head of Programme, ICMPD\n\nAbout borders",
        location="Plenary room, Brussels",
        url="https://e/x#item-1",
        cancelled=False,
    )


def test_session_slot_of_an_online_session_says_online_and_never_the_join_link(app_context):
    _event, session, _item = _agenda()
    session.is_online = True

    slot = session_slot(
        session,
        uid=identity.session_uid(session),
        sequence=identity.session_sequence(session),
        location=identity.location(session, join_link=False),
    )

    assert (slot.summary, slot.location, slot.sequence) == ("Morning – MPF Exchange Event", "Online", 3)
    assert "meet.example.org" not in repr(slot)


def test_slots_of_a_cancelled_session_or_event_are_cancelled(app_context):
    event, session, item = _agenda()
    session.status = SessionStatus.CANCELLED
    session_off = identity.is_called_off(session)
    session.status = SessionStatus.SCHEDULED
    still_on = identity.is_called_off(session)
    event.status = EventStatus.CANCELLED

    assert (session_off, still_on, identity.is_called_off(session)) == (True, False, True)
    assert item_slot(item, uid="i", sequence=0, location="", cancelled=True).cancelled
    assert not session_slot(session, uid="s", sequence=0, location="").cancelled


def test_one_line_properties_lose_control_characters_and_line_breaks():
    slot = Slot(**{**SLOT.__dict__, "summary": "Title\r\nDTSTART:19700101T000000Z\x07"})

    body = to_bytes(feed_calendar("f@x", "A\nB", [slot], stamp=STAMP, refresh=timedelta(hours=1)))

    assert b"SUMMARY:Title DTSTART:19700101T000000Z\r\n" in body
    assert b"NAME:A B\r\n" in body


def test_google_calendar_url_carries_title_utc_dates_details_and_place():
    url = google_calendar_url(SLOT)

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "calendar.google.com", "/calendar/render")
    assert query == {
        "action": ["TEMPLATE"],
        "text": ["Looking Ahead"],
        "dates": ["20271030T080000Z/20271030T093000Z"],
        "details": ["Questions\nand discussion\n\nhttps://events.example.org/events/x/"],
        "location": ["Online"],
    }
    assert "+" not in url


def test_google_calendar_url_converts_aware_local_times_to_utc():
    local = datetime.combine(
        date(2027, 10, 14), datetime.min.time().replace(hour=9, minute=30), ZoneInfo("Europe/Brussels")
    )
    slot = Slot(uid="u", sequence=0, summary="PROMETHEUS II", start=local, end=local + timedelta(minutes=25))

    assert parse_qs(urlsplit(google_calendar_url(slot)).query)["dates"] == ["20271014T073000Z/20271014T075500Z"]


def test_invite_calendar_refuses_a_request_for_a_cancelled_slot():
    cancelled = Slot(**{**SLOT.__dict__, "cancelled": True})

    with pytest.raises(ValueError, match="CANCEL"):
        invite_calendar(
            cancelled,
            method="REQUEST",
            organizer_email="mpf@example.org",
            organizer_name="MPF Team",
            attendee_email="ana@example.com",
            attendee_name="Ana",
            stamp=STAMP,
        )


def test_feed_names_escape_commas_semicolons_and_backslashes():
    name = r"Borders, security; and \ more"

    body = to_bytes(feed_calendar("f@x", name, [SLOT], stamp=STAMP, refresh=timedelta(hours=1)))

    assert b"NAME:Borders\\, security\\; and \\\\ more\r\n" in body
    assert b"X-WR-CALNAME:Borders\\, security\\; and \\\\ more\r\n" in body
    calendar = parsed(Calendar.from_ical(body))
    # icalendar keeps both as raw values (it does not know them as TEXT): the whole name, escaped as TEXT.
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == r"Borders\, security\; and \\ more"
    read = vobject.readOne(body.decode())
    assert read.contents["name"][0].value == read.contents["x-wr-calname"][0].value == name
