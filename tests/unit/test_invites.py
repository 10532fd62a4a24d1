"""The attendee's invite against the iTIP checklist (RFC 5546), read by icalendar and by vobject."""

from datetime import UTC, datetime

import icalendar
import vobject

from app.mail.messages import invite_ics
from tests.factories import at, make_event, make_online_session, make_registration

STAMP = datetime(2030, 10, 20, 9, 30, tzinfo=UTC)


def _parse(text: str):
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar.errors == []
    [event] = calendar.events
    assert event.errors == []
    return calendar, event


def test_invite_request_follows_the_itip_checklist(app_context):
    session = make_online_session()
    registration = make_registration(session, full_name="Amina Diallo", email="amina@example.com", sequence=3)

    text = invite_ics(registration, method="REQUEST", now=STAMP)

    calendar, event = _parse(text)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert "VTIMEZONE" not in text
    assert str(event["UID"]) == f"{registration.uid}@events.example.org"
    assert event["SEQUENCE"] == 3
    assert event["DTSTAMP"].dt == STAMP
    assert "DTSTART:20301030T080000Z" in text and "DTEND:20301030T093000Z" in text
    assert str(event["ORGANIZER"]) == "mailto:mpf@example.org"
    assert event["ORGANIZER"].params["CN"] == "MPF Team"
    [attendee] = event.get("ATTENDEE") if isinstance(event.get("ATTENDEE"), list) else [event["ATTENDEE"]]
    assert str(attendee) == "mailto:amina@example.com"
    assert (attendee.params["CN"], attendee.params["PARTSTAT"]) == ("Amina Diallo", "ACCEPTED")
    assert str(event["LOCATION"]) == "https://meet.example.org/looking-ahead"
    second = vobject.readOne(text)
    assert second.vevent.dtstart.value == at(8)
    assert second.vevent.uid.value == str(event["UID"])


def test_invite_cancel_keeps_uid_and_leaves_out_the_join_link(app_context):
    session = make_online_session()
    registration = make_registration(session, sequence=1)

    text = invite_ics(registration, method="CANCEL", now=STAMP)

    calendar, event = _parse(text)
    assert (str(calendar["METHOD"]), event["SEQUENCE"], str(event["STATUS"])) == ("CANCEL", 1, "CANCELLED")
    assert str(event["UID"]) == f"{registration.uid}@events.example.org"
    assert "meet.example.org/looking-ahead" not in text


def test_invite_with_line_breaks_in_the_name_stays_one_valid_attendee(app_context):
    session = make_online_session(title="Looking Ahead\r\nMETHOD:CANCEL")
    registration = make_registration(session, full_name="Eve\r\nATTENDEE:mailto:x@example.com")

    text = invite_ics(registration, method="REQUEST", now=STAMP)

    calendar, event = _parse(text)
    assert str(calendar["METHOD"]) == "REQUEST"
    lines = text.replace("\r\n ", "").split("\r\n")
    assert [line.split(";")[0].split(":")[0] for line in lines if line.startswith(("ATTENDEE", "METHOD"))] == [
        "METHOD",
        "ATTENDEE",
    ]
    assert str(event["SUMMARY"]) == "Looking Ahead METHOD:CANCEL"
    assert vobject.readOne(text).vevent.attendee.params["CN"] == ["Eve ATTENDEE:mailto:x@example.com"]


def test_invite_names_with_double_quotes_carry_no_rfc_6868_escape_and_the_calendar_no_uid_of_its_own(app_context):
    session = make_online_session(event=make_event(contact_name='The "MPF" Team'))
    registration = make_registration(session, full_name='Samuel "Sam" O\'Neil')

    text = invite_ics(registration, method="REQUEST", now=STAMP)

    assert "^'" not in text
    calendar, event = _parse(text)
    assert "UID" not in calendar  # only the event's UID, the one calendars match on
    assert text.count("UID:") == 1
    [attendee] = event.get("ATTENDEE") if isinstance(event.get("ATTENDEE"), list) else [event["ATTENDEE"]]
    assert attendee.params["CN"] == "Samuel 'Sam' O'Neil"
    assert event["ORGANIZER"].params["CN"] == "The 'MPF' Team"
    read = vobject.readOne(text)
    assert read.vevent.attendee.params["CN"] == ["Samuel 'Sam' O'Neil"]
    assert read.vevent.organizer.params["CN"] == ["The 'MPF' Team"]
    assert "uid" not in read.contents
