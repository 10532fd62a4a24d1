"""A speaker's invites, cancellations and private feed, parsed by icalendar and vobject."""

from datetime import UTC, timedelta

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.models import EventStatus, OutboxMessage, Role
from app.speakers import services
from tests.factories import (
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_session,
    make_speaker,
)

NOW = at(7)


@pytest.fixture
def slot(app_context):
    event = make_event(title="MPF Exchange Event", contact_name="MPF Team", contact_email="mpf@example.org")
    session = make_session(event, title="Morning", starts_at=at(8), ends_at=at(12), location="Plenary room")
    item = make_item(session, title="Looking Ahead", starts_at=at(9), ends_at=at(10))
    moderator = make_person(event, name="Borut Erzen", honorific="Mr")
    person = make_person(event, name="Erik Silfversten", honorific="Mr", email="erik@example.org")
    make_appearance(item, moderator, role=Role.MODERATOR)
    return make_appearance(item, person, role=Role.PANELLIST)


@pytest.fixture
def speaker(slot):
    return make_speaker("erik@example.org")


def _parse(text: str | bytes) -> Calendar:
    calendar = Calendar.from_ical(text)
    assert calendar.errors == []
    for component in calendar.walk():
        assert component.errors == []
    return calendar


def test_slot_invite_is_an_itip_request_with_the_appearances_uid_and_sequence(slot):
    slot.sequence = 2
    db.session.commit()

    text = services.slot_invite(slot, now=NOW)

    calendar = _parse(text)
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.events
    assert str(event["UID"]) == f"{slot.uid}@events.example.org"
    assert event["SEQUENCE"] == 2
    assert event.start == at(9) and event.end == at(10)
    assert str(event["ORGANIZER"]) == "mailto:mpf@example.org"
    assert str(event["ATTENDEE"]) == "mailto:erik@example.org"
    assert "Mr Borut Erzen (Moderator)" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Plenary room, Brussels"
    parsed = vobject.readOne(text)
    assert parsed.vevent.uid.value == f"{slot.uid}@events.example.org"
    assert parsed.vevent.dtstart.value == at(9).astimezone(UTC)


def test_notify_slot_changed_queues_an_update_with_a_higher_sequence_in_the_callers_transaction(slot):
    slot.item.starts_at, slot.item.ends_at = at(10), at(11)

    message = services.notify_slot_changed(slot, change="moved", now=NOW)

    assert slot.sequence == 1
    assert (message.kind, message.to_address, message.ics_method) == ("speaker_update", "erik@example.org", "REQUEST")
    assert "has moved" in message.body_text and "Looking Ahead" in message.subject
    (event,) = _parse(message.ics).events
    assert (str(event["UID"]), event["SEQUENCE"], event.start) == (f"{slot.uid}@events.example.org", 1, at(10))
    db.session.rollback()  # the caller's transaction decides: nothing was committed
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_notify_slot_changed_for_a_cancellation_queues_an_itip_cancel(slot):
    message = services.notify_slot_changed(slot, change="cancelled", now=NOW)
    db.session.commit()

    calendar = _parse(message.ics)
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.events
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)
    assert (message.kind, message.ics_method) == ("speaker_cancel", "CANCEL")
    assert db.session.scalars(select(OutboxMessage.kind)).all() == ["speaker_cancel"]


def test_notify_slot_changed_for_a_person_without_email_queues_nothing(slot):
    slot.person.email = None

    assert services.notify_slot_changed(slot, change="moved", now=NOW) is None
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert slot.sequence == 1  # the slot's one counter rose all the same


def test_speaker_feed_has_no_method_and_the_refresh_properties(slot, speaker):
    online = make_online_session(slot.item.session.event, starts_at=at(13), ends_at=at(14))
    make_appearance(make_item(online, starts_at=at(13), ends_at=at(14)), slot.person)

    body = services.speaker_feed(speaker)

    calendar = _parse(body)
    assert "METHOD" not in calendar
    assert str(calendar["REFRESH-INTERVAL"].to_ical(), "ascii") == "PT1H"
    assert "X-PUBLISHED-TTL:PT1H" in body.decode()
    assert len(calendar.events) == 2
    assert str(calendar.events[1]["LOCATION"]) == online.join_url
    parsed = vobject.readOne(body.decode())
    assert [e.summary.value for e in parsed.vevent_list] == [
        "Looking Ahead (Panellist)",
        f"{online.items[0].title} (Speaker)",
    ]


def test_speaker_feed_is_byte_stable_while_nothing_changes(slot, speaker):
    assert services.speaker_feed(speaker) == services.speaker_feed(speaker)


def test_speaker_feed_keeps_uids_and_raises_sequence_when_a_slot_moves(slot, speaker):
    before = _parse(services.speaker_feed(speaker)).events[0]

    slot.item.starts_at, slot.item.ends_at = at(10), at(11)
    slot.item.version += 1
    db.session.commit()
    after = _parse(services.speaker_feed(speaker)).events[0]

    assert str(after["UID"]) == str(before["UID"]) == f"{slot.uid}@events.example.org"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start == at(10)


def test_feed_sequence_never_falls_below_the_last_invite_sent(slot, speaker):
    services.notify_slot_changed(slot, change="moved", now=NOW)
    services.notify_slot_changed(slot, change="moved", now=NOW + timedelta(minutes=1))
    db.session.commit()

    (event,) = _parse(services.speaker_feed(speaker)).events
    assert event["SEQUENCE"] == 2


def test_reset_feed_token_replaces_the_address_and_stores_only_the_hash(slot, speaker):
    first = services.reset_feed_token(speaker, now=NOW)
    second = services.reset_feed_token(speaker, now=NOW)

    assert len(first) >= 43 and first != second
    assert speaker.feed_token_hash not in (first, second)
    assert services.find_speaker_by_feed_token(second) == speaker
    assert services.find_speaker_by_feed_token(first) is None
    assert services.find_speaker_by_feed_token("") is None


def test_notify_item_changed_queues_one_update_per_person_with_an_email(slot):
    item = slot.item
    make_appearance(item, make_person(item.session.event, email=None, name="No Mail"), role=Role.PANELLIST)

    messages = services.notify_item_changed(item, change="moved", now=NOW)
    db.session.commit()

    assert sorted(m.to_address for m in messages) == sorted(a.person.email for a in item.appearances if a.person.email)
    assert len(messages) == 2
    assert [a.sequence for a in item.appearances] == [1, 1, 1]


def test_speaker_feed_version_is_stable_and_changes_with_what_the_feed_shows(slot, speaker):
    person, moderator = slot.person, next(a.person for a in slot.item.appearances if a.id != slot.id)
    first = services.speaker_feed_version(speaker.id)
    assert services.speaker_feed_version(speaker.id) == first
    assert services.speaker_feed_version(10**9) is None

    versions = [first]
    for change in (
        lambda: setattr(slot, "sequence", slot.sequence + 1),
        lambda: setattr(slot, "role", Role.SPEAKER),
        lambda: setattr(slot.item, "title", "Looking Further Ahead"),
        lambda: setattr(slot.item.session, "location", "Room 2"),
        lambda: setattr(slot.item.session.event, "venue", "Ghent"),
        lambda: setattr(moderator, "name", "Borut Erzen-Novak"),
        lambda: setattr(person, "organisation", "RAND Europe"),
        lambda: setattr(speaker, "feed_token_hash", "0" * 64),
    ):
        change()
        db.session.commit()
        versions.append(services.speaker_feed_version(speaker.id))

    assert len(set(versions)) == len(versions)


def test_speaker_feed_version_leaves_out_slots_of_unpublished_events(slot, speaker):
    shown = services.speaker_feed_version(speaker.id)
    draft = make_event(title="Draft", status=EventStatus.DRAFT)
    make_appearance(make_item(make_session(draft)), make_person(draft, email=slot.person.email))

    assert services.speaker_feed_version(speaker.id) == shown
    assert len([row for row in shown if row[0] == 1]) == 1


def test_speaker_feed_gathers_the_slots_of_the_speakers_records_in_every_published_event(slot, speaker):
    other = make_event(title="Second Exchange")
    later = make_item(make_session(other, starts_at=at(14), ends_at=at(16)), starts_at=at(14), ends_at=at(15))
    elsewhere = make_appearance(later, make_person(other, name="Erik S.", email="erik@example.org"))
    shown = services.speaker_feed_version(speaker.id)

    uids = [str(e["UID"]) for e in _parse(services.speaker_feed(speaker)).events]

    assert uids == [f"{slot.uid}@events.example.org", f"{elsewhere.uid}@events.example.org"]
    assert len([row for row in shown if row[0] == 1]) == 2


def _sequences(text: str | bytes, uid: str) -> tuple[int, int]:
    """The SEQUENCE of the entry with this UID, as icalendar and as vobject read it."""
    text = text.decode() if isinstance(text, bytes) else text
    (by_icalendar,) = [int(e["SEQUENCE"]) for e in _parse(text).events if str(e["UID"]) == uid]
    (by_vobject,) = [int(e.sequence.value) for e in vobject.readOne(text).vevent_list if e.uid.value == uid]
    return by_icalendar, by_vobject


def test_the_feed_and_the_invites_of_a_slot_share_one_sequence_that_never_decreases(slot, speaker):
    from app.agenda import services as agenda
    from tests.http.conftest import make_organiser

    organiser = make_organiser()
    item, session = slot.item, slot.item.session
    uid = f"{slot.uid}@events.example.org"
    seen: list[tuple[str, int]] = []

    def look():
        for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == "erik@example.org").order_by(OutboxMessage.id)
        ).all()[len([s for s in seen if s[0] != "feed"]) :]:
            icalendar_value, vobject_value = _sequences(message.ics, uid)
            assert icalendar_value == vobject_value
            seen.append((message.ics_method, icalendar_value))
        icalendar_value, vobject_value = _sequences(services.speaker_feed(speaker), uid)
        assert icalendar_value == vobject_value
        seen.append(("feed", icalendar_value))

    look()
    agenda.update_item(item, by=organiser, now=NOW, title="Looking Further Ahead")  # no invite: the feed moves
    look()
    agenda.update_item(item, by=organiser, now=NOW, starts_at=at(10), ends_at=at(11))
    look()
    agenda.update_session(session, by=organiser, now=NOW, description="New aims")  # the session's version
    look()
    agenda.reorder_item(
        make_item(session, title="Later", starts_at=at(11), ends_at=at(12)), "up", by=organiser, now=NOW
    )
    look()
    agenda.update_session(session, by=organiser, now=NOW, starts_at=at(9), ends_at=at(13))
    look()
    agenda.cancel_session(session, reason="Venue closed", by=organiser, now=NOW)
    look()
    agenda.update_session(db.session.get_one(type(session), session.id), by=organiser, now=NOW, title="Renamed")
    look()

    methods = [method for method, _ in seen if method != "feed"]
    assert methods == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    values = [value for _, value in seen]
    assert values == sorted(values), seen
    invites = [value for method, value in seen if method != "feed"]
    assert len(set(invites)) == len(invites)  # each invite newer than the one before
    # Every invite is newer than any feed seen before it, and the feed never shows less than the last invite.
    for index, (method, value) in enumerate(seen):
        if method != "feed":
            assert all(earlier < value for kind, earlier in seen[:index] if kind == "feed")
    assert seen[-1] == ("feed", invites[-1])  # after the cancellation the feed stays at the emailed CANCEL
