"""Risky actions ask first and say what follows: back to draft, cancelling an event or a registration, deleting
an event, a session or an item; dates in the past and a new session's room clash warn and can be saved anyway."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ActivityEntry,
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    OutboxMessage,
    Person,
    RegistrationStatus,
    SessionStatus,
)
from app.speakers.services import list_slots
from tests.factories import (
    at,
    make_appearance,
    make_event,
    make_item,
    make_person,
    make_registration,
    make_session,
    make_speaker,
)


@pytest.fixture
def live(app_context):
    """A published event: a morning session (a panel with a speaker) and an online session with two registrants
    (one confirmed, one waiting); another organiser's event."""
    event = make_event(title="MPF Exchange Event", slug="mpf")
    morning = make_session(event, title="Borders & Security", starts_at=at(8), ends_at=at(11), location="Room 1")
    panel = make_item(morning, title="Looking Ahead", starts_at=at(9), ends_at=at(10))
    speaker = make_person(event, name="Ana Silva", email="ana.silva@example.org")
    make_appearance(panel, speaker)
    online = make_session(event, title="Online follow-up", starts_at=at(12), ends_at=at(13), registration_enabled=True)
    make_registration(online, full_name="Bo Berg")
    make_registration(online, full_name="Cleo Diaz", status=RegistrationStatus.WAITLISTED)
    other = make_event(title="Someone else's event")
    return {"event": event, "morning": morning, "panel": panel, "online": online, "other": other}


def _count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _status(event_id: int) -> EventStatus:
    db.session.expire_all()
    return db.session.get(Event, event_id).status


# --- back to draft --------------------------------------------------------------------------------


def test_back_to_draft_asks_first_saying_what_disappears_and_that_nobody_is_told(client, sign_in, live):
    sign_in(events=[live["event"]])
    event_id = live["event"].id
    mails = _count(OutboxMessage)

    page = client.get(f"/organiser/events/{event_id}/back-to-draft").text

    assert "<h1>Return “MPF Exchange Event” to draft?</h1>" in page
    assert (
        '<ul id="unpublish-effects">\n'
        "  <li>Its public pages (the event, its sessions with their registration forms, its speakers) answer "
        "“not found”, and nobody can register.</li>\n"
        "  <li>Its calendar feed (agenda.ics), which calendar apps subscribed to it fetch, answers “not found” "
        "too.</li>\n"
        "  <li>Its speakers no longer see its slots on their pages or in their personal calendar feeds.</li>\n"
        "  <li>No email is sent: the 1 confirmed attendee and the 1 on the waiting list keep their registrations "
        "and are not told; their private links keep working.</li>\n"
        "</ul>"
    ) in page
    assert _status(event_id) == EventStatus.PUBLISHED
    assert client.get("/events/mpf/").status_code == 200
    assert client.get("/events/mpf/agenda.ics").status_code == 200
    speaker = make_speaker("ana.silva@example.org")
    assert [slot.item.title for slot in list_slots(speaker)] == ["Looking Ahead"]

    done = client.post(f"/organiser/events/{event_id}/back-to-draft", follow_redirects=True)

    assert "The event is a draft again: the public no longer sees it." in done.text
    assert _status(event_id) == EventStatus.DRAFT
    assert client.get("/events/mpf/").status_code == 404
    assert client.get("/events/mpf/agenda.ics").status_code == 404
    assert client.get(f"/events/mpf/sessions/{live['online'].id}/").status_code == 404
    assert list_slots(speaker) == []
    assert _count(OutboxMessage) == mails


def test_the_old_back_to_draft_button_only_opens_the_page_that_asks(client, sign_in, live):
    sign_in(events=[live["event"]])
    event_id = live["event"].id

    response = client.post(f"/organiser/events/{event_id}/status/draft")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/organiser/events/{event_id}/back-to-draft"
    assert _status(event_id) == EventStatus.PUBLISHED


def test_back_to_draft_of_an_event_that_is_not_published_does_nothing(client, sign_in, live):
    live["event"].status = EventStatus.CANCELLED
    db.session.commit()
    sign_in(events=[live["event"]])
    url = f"/organiser/events/{live['event'].id}/back-to-draft"

    page = client.get(url).text
    client.post(url)

    assert (
        '<p id="refusal">“MPF Exchange Event” is not published: it is cancelled, so there is nothing to take off '
        "the public site.</p>"
    ) in page
    assert _status(live["event"].id) == EventStatus.CANCELLED


def test_another_organisers_event_pages_that_ask_are_not_found(client, sign_in, live):
    sign_in(events=[live["other"]])
    event_id = live["event"].id

    for path in ("back-to-draft", "cancel", "delete"):
        assert client.get(f"/organiser/events/{event_id}/{path}").status_code == 404
        assert client.post(f"/organiser/events/{event_id}/{path}").status_code == 404
    assert _status(event_id) == EventStatus.PUBLISHED
    assert _count(Event) == 2


# --- cancelling the event -------------------------------------------------------------------------


def test_cancelling_the_event_asks_first_saying_it_emails_nobody_and_how_to_tell_them(client, sign_in, live):
    sign_in(events=[live["event"]])
    event_id = live["event"].id
    mails = _count(OutboxMessage)

    page = client.get(f"/organiser/events/{event_id}/cancel").text

    assert "<h1>Mark “MPF Exchange Event” cancelled?</h1>" in page
    assert "<li>It stays on the public site, marked cancelled, and nobody can register any more.</li>" in page
    assert "<li>Its entries in the calendar feed (agenda.ics) are marked cancelled.</li>" in page
    assert "<li>Reminders not yet sent are not sent.</li>" in page
    assert (
        '<li id="nobody-told">This sends no email: the 1 confirmed attendee, the 1 on the waiting list and the '
        "speakers are not told by it.</li>"
    ) in page
    morning, online = live["morning"].id, live["online"].id
    assert (
        f'<li><a href="/organiser/sessions/{morning}/cancel">Cancel “Borders &amp; Security”</a>: tells '
        "0 confirmed attendees, 0 on the waiting list and 1 speaker.</li>"
    ) in page
    assert (
        f'<li><a href="/organiser/sessions/{online}/cancel">Cancel “Online follow-up”</a>: tells '
        "1 confirmed attendee, 1 on the waiting list and 0 speakers.</li>"
    ) in page

    done = client.post(f"/organiser/events/{event_id}/cancel", follow_redirects=True)

    assert "The event is marked cancelled." in done.text
    assert _status(event_id) == EventStatus.CANCELLED
    assert _count(OutboxMessage) == mails
    feed = client.get("/events/mpf/agenda.ics").text
    assert feed.count("STATUS:CANCELLED") == feed.count("BEGIN:VEVENT") > 0


# --- deleting an event ----------------------------------------------------------------------------


def test_a_draft_nothing_depends_on_is_deleted_after_a_page_saying_what_goes(client, sign_in, app_context):
    draft = make_event(title="Draft Meeting", slug="draft-meeting", status=EventStatus.DRAFT)
    session = make_session(draft, title="Plenary")
    make_appearance(make_item(session, title="Welcome"), make_person(draft, name="Ana Silva"))
    kept = make_event(title="Kept")
    organiser = sign_in(events=[draft, kept])
    draft_id = draft.id

    detail = client.get(f"/organiser/events/{draft_id}/").text
    page = client.get(f"/organiser/events/{draft_id}/delete").text

    assert (
        f'<a class="btn btn-outline-danger btn-sm" href="/organiser/events/{draft_id}/delete">Delete the draft…</a>'
        in detail
    )
    assert (
        '<p id="delete-effects">This deletes the draft with its 1 session, 1 agenda item, 1 person and its activity '
        "log. It was never published and nobody registered, so nobody is told. It cannot be undone.</p>"
    ) in page

    done = client.post(f"/organiser/events/{draft_id}/delete", follow_redirects=True)

    assert "The draft “Draft Meeting” is deleted." in done.text
    assert _count(Event, Event.id == draft_id) == 0
    assert _count(EventSession, EventSession.event_id == draft_id) == 0
    assert _count(AgendaItem) == 0
    assert _count(Person, Person.event_id == draft_id) == 0
    assert _count(Appearance) == 0
    assert _count(Event) == 1
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.action == "event.deleted"))
    assert (entry.event_id, entry.actor_id, entry.target_id) == (None, organiser.id, draft_id)
    assert entry.summary == "Deleted the draft event “Draft Meeting” (draft-meeting) with 1 session and 1 agenda item."


def test_a_published_event_cannot_be_deleted_and_a_post_is_refused(client, sign_in, live):
    sign_in(events=[live["event"]])
    event_id = live["event"].id

    detail = client.get(f"/organiser/events/{event_id}/").text
    page = client.get(f"/organiser/events/{event_id}/delete").text
    refused = client.post(f"/organiser/events/{event_id}/delete", follow_redirects=True)

    assert f"/organiser/events/{event_id}/delete" not in detail
    assert "<h1>“MPF Exchange Event” cannot be deleted</h1>" in page
    assert "<li>Only a draft can be deleted; this event is published.</li>" in page
    assert "<form" not in page.split("<h1>")[1]
    assert (
        "This event cannot be deleted. Only a draft can be deleted; this event is published. Its sessions hold "
        "2 registrations (cancelled ones included)."
    ) in refused.text
    assert _count(Event, Event.id == event_id) == 1


def test_a_draft_once_published_or_with_registrations_cannot_be_deleted(client, sign_in, live):
    sign_in(events=[live["event"]])
    event_id = live["event"].id
    client.post(f"/organiser/events/{event_id}/back-to-draft")

    detail = client.get(f"/organiser/events/{event_id}/").text
    refused = client.post(f"/organiser/events/{event_id}/delete", follow_redirects=True)

    assert (
        '<p class="small text-body-secondary" id="event-not-deletable">This draft cannot be deleted: It was '
        "published once, so people may have its pages, invites or feed entries: keep it as a draft. Its sessions "
        "hold 2 registrations (cancelled ones included).</p>"
    ) in detail
    assert "This event cannot be deleted. It was published once" in refused.text
    assert _status(event_id) == EventStatus.DRAFT


# --- deleting a session ---------------------------------------------------------------------------


def test_a_session_with_registrations_cannot_be_deleted(client, sign_in, live):
    sign_in(events=[live["event"]])
    online = live["online"].id

    detail = client.get(f"/organiser/events/{live['event'].id}/").text
    page = client.get(f"/organiser/sessions/{online}/delete").text
    refused = client.post(f"/organiser/sessions/{online}/delete", follow_redirects=True)

    assert f"/organiser/sessions/{online}/delete" not in detail
    assert "Not deletable: people registered for it; cancel it instead." in detail
    assert (
        "<li>It holds 2 registrations (cancelled ones included): cancel the session instead, which tells its "
        "attendees and keeps their records.</li>"
    ) in page
    assert "This session cannot be deleted. It holds 2 registrations" in refused.text
    assert _count(EventSession, EventSession.id == online) == 1


def test_a_session_nobody_registered_for_is_deleted_with_its_items_and_its_speaker_told(client, sign_in, live):
    organiser = sign_in(events=[live["event"]])
    morning = live["morning"].id

    page = client.get(f"/organiser/sessions/{morning}/delete").text

    assert "<h1>Delete “Borders &amp; Security”?</h1>" in page
    assert (
        '<p id="delete-effects">Nobody registered for it. This deletes the session with its 1 agenda item and the '
        "1 appearance of people in them (the people stay in the event). 1 speaker gets an email cancelling their "
        "slot. It cannot be undone.</p>"
    ) in page
    assert "<li>Looking Ahead: Ms Ana Silva (speaker)</li>" in page

    done = client.post(f"/organiser/sessions/{morning}/delete", follow_redirects=True)

    assert "The session “Borders &amp; Security” is deleted with its items." in done.text
    assert _count(EventSession, EventSession.id == morning) == 0
    assert _count(AgendaItem) == 0
    assert _count(Appearance) == 0
    assert _count(Person, Person.name == "Ana Silva") == 1
    told = db.session.scalars(select(OutboxMessage.to_address).where(OutboxMessage.person_id.is_not(None))).all()
    assert told == ["ana.silva@example.org"]
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.action == "session.deleted"))
    assert (entry.event_id, entry.actor_id) == (live["event"].id, organiser.id)
    assert entry.summary == "Deleted the session “Borders & Security” with 1 agenda item."


def test_another_organisers_session_and_item_cannot_be_deleted(client, sign_in, live):
    sign_in(events=[live["other"]])

    assert client.post(f"/organiser/sessions/{live['morning'].id}/delete").status_code == 404
    assert client.get(f"/organiser/items/{live['panel'].id}/delete").status_code == 404
    assert client.post(f"/organiser/items/{live['panel'].id}/delete").status_code == 404
    assert _count(EventSession) == 2 and _count(AgendaItem) == 1


# --- deleting an item -----------------------------------------------------------------------------


def test_removing_an_item_asks_first_saying_who_goes_with_it(client, sign_in, live):
    sign_in(events=[live["event"]])
    panel = live["panel"].id
    live["online"].follows_up_item_id = panel
    db.session.commit()

    page = client.get(f"/organiser/items/{panel}/delete").text

    assert "<h1>Remove “Looking Ahead” from “Borders &amp; Security”?</h1>" in page
    assert (
        '<p id="delete-effects">Its 1 appearance goes with it: Ms Ana Silva (speaker) (the people stay in the event). '
        "1 speaker gets an email cancelling their slot. “Online follow-up” no longer says it follows it up. "
        "It cannot be undone.</p>"
    ) in page
    assert _count(AgendaItem, AgendaItem.id == panel) == 1

    done = client.post(f"/organiser/items/{panel}/delete", follow_redirects=True)

    assert "“Looking Ahead” is removed from the agenda." in done.text
    assert _count(AgendaItem, AgendaItem.id == panel) == 0
    assert db.session.get(EventSession, live["online"].id).follows_up_item_id is None


# --- a cancelled session's items ------------------------------------------------------------------


def test_the_items_of_a_cancelled_session_cannot_be_edited_or_removed(client, sign_in, live):
    live["morning"].status = SessionStatus.CANCELLED
    db.session.commit()
    sign_in(events=[live["event"]])
    panel = live["panel"].id

    page = client.get(f"/organiser/items/{panel}/edit").text
    posted = client.post(
        f"/organiser/items/{panel}/edit",
        data={"title": "Renamed", "kind": "panel", "starts": "10:00", "ends": "11:00"},
        follow_redirects=True,
    )
    removal = client.get(f"/organiser/items/{panel}/delete").text
    refused = client.post(f"/organiser/items/{panel}/delete", follow_redirects=True)

    assert (
        '<p id="item-frozen">The items of a cancelled session stay as they were when it was called off: '
        "“Looking Ahead” cannot be changed or removed here.</p>"
    ) in page
    assert 'name="title"' not in page
    assert "This item&#39;s session is cancelled: its items stay as they were when it was called off." in posted.text
    assert (
        '<p id="refusal">Its session “Borders &amp; Security” is cancelled: its items stay as they were when it was '
        "called off.</p>"
    ) in removal
    assert "This item&#39;s session is cancelled" in refused.text
    new = client.get(f"/organiser/sessions/{live['morning'].id}/items/new").text
    assert "stay as they were when it was called off: no item can be added to it.</p>" in new
    assert 'name="title"' not in new
    db.session.expire_all()
    item = db.session.get(AgendaItem, panel)
    assert (item.title, item.starts_at) == ("Looking Ahead", at(9))


# --- warnings: dates in the past, a new session's room ---------------------------------------------

PAST_EVENT = {
    "title": "Last year's meeting",
    "timezone": "Europe/Brussels",
    "starts_on": "2020-10-30",
    "ends_on": "2020-10-30",
    "contact_email": "mpf@example.org",
}


def test_an_event_in_the_past_warns_and_is_created_once_saved_anyway(client, sign_in, app_context):
    sign_in()

    warned = client.post("/organiser/events/new", data=PAST_EVENT)

    assert (
        '<li data-warning="past"><a class="alert-link" href="#ends_on">'
        "The event ends in the past (30 October 2020). Check the date, or save anyway.</a></li>"
    ) in warned.text
    assert "Save anyway</button>" in warned.text
    assert _count(Event) == 0
    key = warned.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]

    saved = client.post("/organiser/events/new", data={**PAST_EVENT, "confirm": key}, follow_redirects=True)

    assert "“Last year&#39;s meeting” is created as a draft." in saved.text
    assert _count(Event) == 1


def test_editing_a_past_event_without_changing_its_days_does_not_warn(client, sign_in, app_context):
    event = make_event(
        title="Old", slug="old", starts_on=at(8).date().replace(year=2020), ends_on=at(8).date().replace(year=2020)
    )
    sign_in(events=[event])
    form = {**PAST_EVENT, "title": "Old, renamed", "slug": "old"}

    saved = client.post(f"/organiser/events/{event.id}/edit", data=form, follow_redirects=True)

    assert "The event is saved." in saved.text


def test_a_session_in_the_past_warns_and_is_added_once_saved_anyway(client, sign_in, app_context):
    event = make_event(
        title="Old", slug="old", starts_on=at(8).date().replace(year=2020), ends_on=at(8).date().replace(year=2020)
    )
    sign_in(events=[event])
    form = {"title": "Plenary", "day": "2020-10-30", "starts": "10:00", "ends": "11:00"}

    warned = client.post(f"/organiser/events/{event.id}/sessions/new", data=form)

    assert (
        '<li data-warning="past"><a class="alert-link" href="#day">'
        "The session ends in the past (Friday 30 October 2020, 10:00–11:00 CET). "
        "Check the date, or save anyway.</a></li>"
    ) in warned.text
    assert _count(EventSession) == 0
    key = warned.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    client.post(f"/organiser/events/{event.id}/sessions/new", data={**form, "confirm": key})
    assert _count(EventSession) == 1


def test_a_new_session_in_a_taken_room_warns_and_is_added_once_saved_anyway(client, sign_in, live):
    sign_in(events=[live["event"]])
    url = f"/organiser/events/{live['event'].id}/sessions/new"
    form = {"title": "Workshop", "day": "2030-10-30", "starts": "10:00", "ends": "12:00", "location": "room 1"}

    warned = client.post(url, data=form)

    assert (
        '<li data-warning="room_clash"><a class="alert-link" href="#location">'
        "The session “Borders &amp; Security” (09:00–12:00 CET) and the new session “Workshop” (10:00–12:00 CET) "
        "are both in “Room 1” at the same time.</a></li>"
    ) in warned.text
    assert _count(EventSession) == 2
    key = warned.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    moved = client.post(url, data={**form, "starts": "11:30", "ends": "12:30", "confirm": key})
    assert "Save anyway</button>" in moved.text  # other times: asked again
    assert _count(EventSession) == 2
    key = moved.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    saved = client.post(url, data={**form, "starts": "11:30", "ends": "12:30", "confirm": key}, follow_redirects=True)
    assert "The session “Workshop” is added." in saved.text
    assert _count(EventSession) == 3
