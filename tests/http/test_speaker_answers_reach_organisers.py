"""A speaker's answer to a slot reaches the organisers: an email to each active organiser of the event on a
decline (and on accepting after one), "Declined" in text in the agenda editor, and the speaker's own feed
keeping the slot, marked declined."""

from datetime import UTC, datetime

import vobject
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.models import ActivityEntry, OutboxMessage
from app.speakers import services
from app.transaction import use_case
from tests.factories import make_appearance, make_event, make_item, make_person, make_session, make_speaker
from tests.http.conftest import make_organiser

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KIND = "organiser_speaker_answer"


def _panel():
    event = make_event(title="Energy Week")
    item = make_item(make_session(event, title="Morning"), title="Looking Ahead")
    person = make_person(event, honorific="Ms", name="Silvia Carta", email="silvia.carta@example.org")
    appearance = make_appearance(item, person)
    first = make_organiser("first@example.org", name="First Organiser", events=[event])
    second = make_organiser("second@example.org", name="Second Organiser", events=[event])
    make_organiser("disabled@example.org", events=[event], is_disabled=True)
    make_organiser("elsewhere@example.org", events=[make_event()])
    return event, item, appearance, make_speaker(person.email), (first, second)


def _answer(appearance, speaker, response, note=""):
    with use_case():
        services.respond_to_slot(appearance, response=response, note=note, by=speaker, now=NOW)


def _told() -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == KIND).order_by(OutboxMessage.to_address)
    return list(db.session.scalars(query))


def test_a_decline_emails_each_active_organiser_of_the_event_and_nobody_else(app_context):
    _, item, appearance, speaker, _ = _panel()

    _answer(appearance, speaker, "declined", "On mission that week")

    told = _told()
    assert [m.to_address for m in told] == ["first@example.org", "second@example.org"]
    assert [m.to_name for m in told] == ["First Organiser", "Second Organiser"]
    assert {m.subject for m in told} == {"Ms Silvia Carta declined “Looking Ahead”"}
    body = told[0].body_text
    assert body.startswith("Ms Silvia Carta declined their slot as speaker in “Looking Ahead”.\n\n")
    assert "Session: Morning\nEvent: Energy Week\n" in body
    assert "Their note:\nOn mission that week\n" in body
    assert f"http://127.0.0.1:5000/organiser/items/{item.id}/edit#people" in body
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["first@example.org", "second@example.org"]
    assert (
        "Ms Silvia Carta declined “Looking Ahead” with a note."
        in db.session.scalars(select(ActivityEntry.summary)).all()
    )


def test_accepting_after_a_decline_tells_the_organisers_and_a_first_acceptance_does_not(app_context):
    _, _, appearance, speaker, _ = _panel()

    _answer(appearance, speaker, "confirmed")
    assert _told() == []

    _answer(appearance, speaker, "declined")
    _answer(appearance, speaker, "confirmed", "Moved my trip")

    subjects = [m.subject for m in _told()]
    assert sorted(subjects) == sorted(
        ["Ms Silvia Carta declined “Looking Ahead”"] * 2 + ["Ms Silvia Carta accepted “Looking Ahead”"] * 2
    )
    accepted = [m for m in _told() if "accepted" in m.subject][0].body_text
    assert accepted.startswith("Ms Silvia Carta accepted their slot as speaker in “Looking Ahead” after declining it.")
    assert "Their note:\nMoved my trip\n" in accepted


def test_the_agenda_editor_and_the_item_page_say_declined_in_text(client, sign_in):
    event, item, appearance, speaker, (first, _) = _panel()
    _answer(appearance, speaker, "declined", "On mission that week")
    sign_in(first)

    agenda = client.get(f"/organiser/events/{event.id}/").text
    item_page = client.get(f"/organiser/items/{item.id}/edit").text

    assert 'Ms Silvia Carta (speaker, declined) <strong class="badge text-bg-warning">Declined</strong>' in agenda
    assert 'Answer: <strong class="badge text-bg-warning">Declined</strong> — “On mission that week”' in item_page


def test_the_speakers_feed_keeps_a_declined_slot_and_marks_it_declined(client, app_context):
    _, item, appearance, speaker, _ = _panel()
    with use_case():
        token = services.reset_feed_token(speaker, now=NOW)
    url = f"/speaker/feed/{token}.ics"
    before = client.get(url).get_data(as_text=True)

    _answer(appearance, speaker, "declined")
    after = client.get(url).get_data(as_text=True)

    (event_before,) = Calendar.from_ical(before).events
    assert str(event_before["SUMMARY"]) == "Looking Ahead (Speaker)"
    (event,) = Calendar.from_ical(after).events
    assert str(event["SUMMARY"]) == "Declined: Looking Ahead (Speaker)"
    assert "STATUS" not in event
    assert str(event["DESCRIPTION"]).startswith("You declined this slot; the organisers were told.\n")
    assert str(event["UID"]) == str(event_before["UID"])
    parsed = vobject.readOne(after)
    assert parsed.vevent.summary.value == "Declined: Looking Ahead (Speaker)"
    assert not hasattr(parsed.vevent, "status")
    assert parsed.vevent.dtstart.value == item.starts_at.astimezone(UTC)
