"""Agenda-building screens through the test client: sign-in required, other events 404, exact content."""

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AgendaItem, Appearance, Event, EventSession, EventStatus, OutboxMessage, Person
from tests.factories import at, make_appearance, make_event, make_item, make_person, make_session
from tests.http.conftest import make_organiser


@pytest.fixture
def agenda(app_context):
    """An event with a morning session, two items and a person; plus another organiser's event."""
    event = make_event(title="MPF Exchange Event", slug="mpf", status=EventStatus.DRAFT)
    session = make_session(event, title="Borders & Security", starts_at=at(8), ends_at=at(11))
    opening = make_item(session, title="Opening remarks", starts_at=at(8), ends_at=at(8, 15))
    panel = make_item(session, title="Looking Ahead", starts_at=at(9), ends_at=at(10))
    person = make_person(event, honorific="Dr", name="Ana Silva")
    make_appearance(panel, person)
    other = make_event(title="Someone else's event")
    other_session = make_session(other)
    other_item = make_item(other_session)
    return {
        "event": event,
        "session": session,
        "opening": opening,
        "panel": panel,
        "person": person,
        "other": other,
        "other_session": other_session,
        "other_item": other_item,
    }


def _pages(a, mine: bool) -> list[str]:
    event = a["event"] if mine else a["other"]
    session = a["session"] if mine else a["other_session"]
    item = a["panel"] if mine else a["other_item"]
    return [
        f"/organiser/events/{event.id}/",
        f"/organiser/events/{event.id}/edit",
        f"/organiser/events/{event.id}/sessions/new",
        f"/organiser/sessions/{session.id}/edit",
        f"/organiser/sessions/{session.id}/items/new",
        f"/organiser/items/{item.id}/edit",
        f"/organiser/events/{event.id}/people/",
        f"/organiser/events/{event.id}/people/new",
    ]


def test_a_person_with_non_ascii_before_the_at_is_refused_unless_the_mail_server_offers_smtputf8(
    client, sign_in, agenda, app, monkeypatch
):
    sign_in(events=[agenda["event"]])
    url = f"/organiser/events/{agenda['event'].id}/people/new"

    refused = client.post(url, data={"name": "Jöran Berg", "email": "jöran@example.org"})
    monkeypatch.setitem(app.config, "MAIL_SMTPUTF8", True)
    taken = client.post(url, data={"name": "Jöran Berg", "email": "Jöran@Example.org"})

    assert (
        '<div id="email-error" class="invalid-feedback">This address cannot receive our emails: use one with only '
        "ASCII letters before the @.</div>" in refused.text
    )
    assert taken.status_code == 302
    assert db.session.scalars(select(Person.email).where(Person.name == "Jöran Berg")).all() == ["jöran@example.org"]


def test_every_agenda_page_sends_a_signed_out_visitor_to_sign_in(client, agenda):
    for url in [*_pages(agenda, mine=True), "/organiser/", "/organiser/events/new"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/organiser/sign-in?next="), url


def test_every_agenda_page_of_another_event_is_not_found(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    for url in _pages(agenda, mine=False):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We could not find that page." in response.text, url
    posts = [
        f"/organiser/events/{agenda['other'].id}/status/published",
        f"/organiser/items/{agenda['other_item'].id}/move/down",
        f"/organiser/items/{agenda['other_item'].id}/delete",
    ]
    for url in posts:
        assert client.post(url).status_code == 404, url
    assert db.session.get(AgendaItem, agenda["other_item"].id) is not None


def test_every_agenda_page_of_my_event_opens(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    expected = [
        "<h1>MPF Exchange Event</h1>",
        "<h1>Edit the event</h1>",
        "<h1>New session</h1>",
        "<h1>Edit the session</h1>",
        "<h1>New item in Borders &amp; Security</h1>",
        "<h1>Edit the item</h1>",
        "<h1>People</h1>",
        "<h1>New person</h1>",
    ]
    for url, heading in zip(_pages(agenda, mine=True), expected, strict=True):
        response = client.get(url)
        assert response.status_code == 200, url
        assert heading in response.text, url


def test_an_admin_opens_any_event(client, sign_in, agenda):
    sign_in(make_organiser("boss@example.org", is_admin=True))

    response = client.get(f"/organiser/events/{agenda['other'].id}/")

    assert "<h1>Someone else&#39;s event</h1>" in response.text


def test_index_lists_only_my_events(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    page = client.get("/organiser/").text

    assert "MPF Exchange Event" in page
    assert "Someone else" not in page


def test_event_page_shows_the_timeline_and_items_in_the_event_zone(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    page = client.get(f"/organiser/events/{agenda['event'].id}/").text

    assert "Wednesday 30 October 2030, 09:00–12:00 CET (Europe/Brussels)" in page
    assert '<svg viewBox="0 0 1000' in page and "Opening remarks, 09:00–09:15 CET" in page
    assert "10:00–11:00</td>" in page and "Dr Ana Silva (speaker, pending)" in page
    assert "Timeline warnings" not in page


def test_create_event_saves_a_draft_and_lists_me(client, sign_in, app_context):
    me = sign_in()
    form = {
        "title": "Exchange 2031",
        "timezone": "Europe/Brussels",
        "starts_on": "2031-10-14",
        "ends_on": "2031-10-30",
        "contact_email": "mpf@example.org",
        "venue": "Brussels",
    }

    response = client.post("/organiser/events/new", data=form, follow_redirects=True)

    event = db.session.scalar(select(Event).where(Event.slug == "exchange-2031"))
    assert "“Exchange 2031” is created as a draft." in response.text
    assert (event.status, event.starts_on, [o.id for o in event.organisers]) == (
        EventStatus.DRAFT,
        date(2031, 10, 14),
        [me.id],
    )


def test_create_event_shows_errors_next_to_fields_and_keeps_the_input(client, sign_in, app_context):
    sign_in()
    form = {"title": "Exchange", "timezone": "Mars/Olympus", "starts_on": "2031-10-14", "ends_on": "2031-10-01"}

    response = client.post("/organiser/events/new", data=form)

    assert response.status_code == 200
    assert 'class="form-control is-invalid"' in response.text
    assert 'aria-describedby="timezone-error"' in response.text
    assert "Choose a time zone from the list, such as Europe/Brussels." in response.text
    assert "The last day cannot be before the first day." in response.text
    assert 'value="Mars/Olympus"' in response.text
    assert db.session.scalar(select(db.func.count()).select_from(Event)) == 0


def test_create_event_with_a_taken_slug_shows_it_on_the_field(client, sign_in, agenda):
    sign_in()
    form = {
        "title": "Again",
        "slug": "mpf",
        "timezone": "UTC",
        "starts_on": "2031-10-14",
        "ends_on": "2031-10-14",
        "contact_email": "a@example.org",
    }

    response = client.post("/organiser/events/new", data=form)

    assert "Another event already uses the web address “mpf”." in response.text
    assert 'id="slug-error"' in response.text


def test_publish_then_back_to_draft(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    event_id = agenda["event"].id

    published = client.post(f"/organiser/events/{event_id}/status/published", follow_redirects=True)
    assert "The event is published" in published.text
    assert db.session.get(Event, event_id).status == EventStatus.PUBLISHED
    asked = client.post(f"/organiser/events/{event_id}/status/draft", follow_redirects=True)
    assert "<h1>Return “MPF Exchange Event” to draft?</h1>" in asked.text
    db.session.expire_all()
    assert db.session.get(Event, event_id).status == EventStatus.PUBLISHED
    drafted = client.post(f"/organiser/events/{event_id}/back-to-draft", follow_redirects=True)
    assert "The event is a draft again" in drafted.text
    db.session.expire_all()
    assert db.session.get(Event, event_id).status == EventStatus.DRAFT
    assert client.post(f"/organiser/events/{event_id}/status/nonsense").status_code == 400


def test_add_an_online_session_in_the_event_zone(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    form = {
        "title": "Looking Ahead: online follow-up",
        "day": "2030-10-30",
        "starts": "10:00",
        "ends": "11:30",
        "is_online": "y",
        "join_url": "https://meet.example.org/ahead",
        "registration_enabled": "y",
        "capacity": "100",
        "waitlist_enabled": "y",
        "registration_opens_at": "2030-10-01T09:00",
        "registration_closes_at": "2030-10-30T09:00",
    }

    response = client.post(f"/organiser/events/{agenda['event'].id}/sessions/new", data=form, follow_redirects=True)

    created = db.session.scalar(select(EventSession).where(EventSession.title.startswith("Looking Ahead")))
    assert "The session “Looking Ahead: online follow-up” is added." in response.text
    assert (created.starts_at, created.ends_at) == (at(9), at(10, 30))  # 10:00 CET is 09:00 UTC
    assert created.registration_opens_at == at(7, day=date(2030, 10, 1))  # 09:00 CEST
    assert (created.capacity, created.is_online, created.join_url) == (100, True, "https://meet.example.org/ahead")


def test_add_an_open_online_session_without_link_shows_the_error(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    form = {"title": "Online", "day": "2030-10-30", "starts": "10:00", "ends": "09:00", "is_online": "y",
            "registration_enabled": "y"}  # fmt: skip

    response = client.post(f"/organiser/events/{agenda['event'].id}/sessions/new", data=form)

    assert "An online session open for registration needs a join link." in response.text
    assert "The session must end after it starts." in response.text
    assert len(agenda["event"].sessions) == 1


def test_new_item_with_a_clash_shows_warnings_first_and_saves_when_confirmed(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    url = f"/organiser/sessions/{agenda['session'].id}/items/new"
    form = {"title": "Coffee", "kind": "break", "starts": "10:30", "ends": "11:30"}

    first = client.post(url, data=form)

    assert "Check the timeline before saving" in first.text
    assert "“Looking Ahead” (10:00–11:00 CET) and “Coffee” (10:30–11:30 CET) overlap" in first.text
    assert "Save anyway" in first.text
    assert db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Coffee")) is None
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]

    changed = client.post(url, data={**form, "ends": "12:30", "confirm": key})
    assert "lies outside its session" in changed.text  # new values: warned again, not saved
    assert db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Coffee")) is None

    saved = client.post(url, data={**form, "confirm": key}, follow_redirects=True)
    assert "“Coffee” is added." in saved.text
    assert db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Coffee")).starts_at == at(9, 30)


def test_new_item_without_problems_saves_at_once(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    response = client.post(
        f"/organiser/sessions/{agenda['session'].id}/items/new",
        data={"title": "Call for Proposals", "kind": "call_for_proposals", "starts": "09:15", "ends": "09:45"},
    )

    item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Call for Proposals"))
    assert response.headers["Location"] == f"/organiser/items/{item.id}/edit"
    assert (item.starts_at, item.ends_at, item.kind.value) == (at(8, 15), at(8, 45), "call_for_proposals")


def test_edit_item_with_shift_later_moves_the_later_items(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    form = {"title": "Opening remarks", "kind": "opening_remarks", "starts": "09:00", "ends": "09:30",
            "shift_later": "y"}  # fmt: skip

    response = client.post(f"/organiser/items/{agenda['opening'].id}/edit", data=form, follow_redirects=True)

    assert "The item is saved. 1 later item moved with it." in response.text
    db.session.expire_all()
    panel = db.session.get(AgendaItem, agenda["panel"].id)
    assert (panel.starts_at, panel.ends_at) == (at(9, 15), at(10, 15))


def test_move_item_up_swaps_it_with_the_one_before(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    response = client.post(f"/organiser/items/{agenda['panel'].id}/move/up", follow_redirects=True)

    assert "“Looking Ahead” moved up." in response.text
    db.session.expire_all()
    assert [i.title for i in db.session.get(EventSession, agenda["session"].id).items] == [
        "Looking Ahead",
        "Opening remarks",
    ]
    refused = client.post(f"/organiser/items/{agenda['panel'].id}/move/up", follow_redirects=True)
    assert "This item cannot move further that way." in refused.text


def test_add_a_person_then_put_them_in_an_item(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    event_id = agenda["event"].id

    created = client.post(
        f"/organiser/events/{event_id}/people/new",
        data={"honorific": "Mr", "name": "Jan Novak", "position": "Director", "organisation": "Ministry"},
        follow_redirects=True,
    )
    person = db.session.scalar(select(Person).where(Person.name == "Jan Novak"))
    added = client.post(
        f"/organiser/items/{agenda['opening'].id}/appearances",
        data={"person_id": person.id, "role": "chair"},
        follow_redirects=True,
    )

    assert "Mr Jan Novak is added." in created.text
    assert "Mr Jan Novak is added to “Opening remarks”." in added.text
    assert "Mr Jan Novak — Chair, Director, Ministry" in added.text
    people = client.get(f"/organiser/events/{event_id}/people/").text
    assert "Opening remarks (chair, pending)" in people


def test_a_person_put_in_an_item_of_a_published_event_is_told_and_the_organiser_sees_it(client, sign_in, agenda):
    agenda["event"].status = EventStatus.PUBLISHED
    person = make_person(agenda["event"], name="Jan Novak", email="jan@example.org")
    db.session.commit()
    sign_in(events=[agenda["event"]])

    added = client.post(
        f"/organiser/items/{agenda['opening'].id}/appearances",
        data={"person_id": person.id, "role": "chair"},
        follow_redirects=True,
    )

    assert "Ms Jan Novak is added to “Opening remarks”. They get an invite for this slot by email." in added.text
    sent = db.session.scalars(select(OutboxMessage.to_address).where(OutboxMessage.kind == "speaker_invite")).all()
    assert sent == ["jan@example.org"]


def test_adding_a_person_booked_in_another_of_my_events_asks_first_then_adds_a_copy(client, sign_in, agenda):
    elsewhere = make_session()
    sign_in(events=[agenda["event"], elsewhere.event])
    busy = make_person(elsewhere.event, name="Busy")
    make_appearance(make_item(elsewhere, title="Keynote elsewhere", starts_at=at(9), ends_at=at(10)), busy)
    url = f"/organiser/items/{agenda['panel'].id}/appearances"

    first = client.post(url, data={"person_id": busy.id, "role": "panellist"})
    assert "Ms Busy is in “Looking Ahead” and “Keynote elsewhere” at the same time (10:00–11:00 CET)" in first.text
    assert (
        db.session.scalar(
            select(Appearance).where(Appearance.person_id == busy.id, Appearance.item_id == agenda["panel"].id)
        )
        is None
    )
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]

    added = client.post(url, data={"person_id": busy.id, "role": "panellist", "confirm": key}, follow_redirects=True)

    appearance = db.session.scalars(
        select(Appearance).where(Appearance.item_id == agenda["panel"].id).order_by(Appearance.id.desc())
    ).first()
    assert appearance.role.value == "panellist"
    assert appearance.person_id != busy.id
    assert (appearance.person.event_id, appearance.person.name) == (agenda["event"].id, "Busy")
    assert (
        f"A copy of their details from “{elsewhere.event.title}” is now among the people of this event." in added.text
    )


def test_person_of_another_event_is_not_found(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    stranger = make_person(agenda["other"], name="Stranger")
    make_appearance(agenda["other_item"], stranger)

    response = client.get(f"/organiser/events/{agenda['event'].id}/people/{stranger.id}/edit")

    assert response.status_code == 404
    assert "We could not find that page." in response.text
    assert "Stranger" not in response.text


def test_delete_item_removes_it(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    response = client.post(f"/organiser/items/{agenda['opening'].id}/delete", follow_redirects=True)

    assert "“Opening remarks” is removed from the agenda." in response.text
    assert db.session.get(AgendaItem, agenda["opening"].id) is None


def _agenda_of(n_items: int) -> Event:
    event = make_event()
    for _ in range(2):
        session = make_session(event, starts_at=at(8), ends_at=at(20))
        for i in range(n_items):
            item = make_item(session, starts_at=at(8 + i), ends_at=at(8 + i, 50))
            make_appearance(item)
            make_appearance(item)
    return event


def test_event_page_runs_the_same_number_of_queries_for_a_longer_agenda(client, sign_in, count_queries, app_context):
    small, big = _agenda_of(2), _agenda_of(6)
    sign_in(events=[small, big])
    ids = small.id, big.id
    db.session.remove()

    counts = []
    for event_id in ids:
        with count_queries() as statements:
            response = client.get(f"/organiser/events/{event_id}/")
        assert response.status_code == 200
        counts.append(len([s for s in statements if "FROM organisers" not in s.split("WHERE")[0]]))

    # event, sessions, organisers, items, appearances with people, the people's other items, their names, the
    # sessions that hold registrations (they cannot be deleted)
    assert counts == [8, 8]


def test_agenda_forms_carry_a_csrf_token_and_a_post_without_one_is_refused(app, agenda):
    from app import create_app
    from tests.conftest import make_config
    from tests.http.conftest import PASSWORD

    csrf_app = create_app(make_config(WTF_CSRF_ENABLED=True))
    make_organiser("ana@example.org", events=[agenda["event"]])
    event_id = agenda["event"].id
    db.session.remove()
    client = csrf_app.test_client()
    sign_in_page = client.get("/organiser/sign-in").text
    token = sign_in_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/organiser/sign-in", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token})

    refused = client.post(f"/organiser/events/{event_id}/status/published")
    page = client.get(f"/organiser/events/{event_id}/").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    accepted = client.post(f"/organiser/events/{event_id}/status/published", data={"csrf_token": token})

    assert refused.status_code == 400 and "This page had expired" in refused.text and "CSRF" not in refused.text
    assert accepted.status_code == 302
    with csrf_app.app_context():
        assert db.session.get(Event, event_id).status == EventStatus.PUBLISHED


def test_moving_an_item_of_a_published_event_says_how_many_speakers_are_told(client, sign_in, agenda):
    agenda["event"].status = EventStatus.PUBLISHED
    db.session.commit()
    sign_in(events=[agenda["event"]])
    url = f"/organiser/items/{agenda['panel'].id}/edit"
    form = {"title": "Looking Ahead", "kind": "panel", "starts": "10:15", "ends": "11:15"}

    first = client.post(url, data=form)
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    saved = client.post(url, data={**form, "confirm": key}, follow_redirects=True)

    assert "Saving sends an updated calendar invite to 1 speaker." in first.text
    assert "The item is saved. 1 speaker gets an updated invite." in saved.text
    from app.models import OutboxMessage

    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert (message.kind, message.to_address) == ("speaker_update", agenda["person"].email)


def test_session_edit_form_shows_the_registration_window_in_the_event_zone(client, sign_in, agenda):
    from datetime import timedelta

    agenda["session"].registration_opens_at = at(7) - timedelta(days=29)  # 1 October, 09:00 CEST
    db.session.commit()
    sign_in(events=[agenda["event"]])

    page = client.get(f"/organiser/sessions/{agenda['session'].id}/edit").text

    assert 'name="registration_opens_at" type="datetime-local" value="2030-10-01T09:00"' in page
    assert 'name="starts" required type="time" value="09:00"' in page


def test_mark_an_event_cancelled(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    asked = client.post(f"/organiser/events/{agenda['event'].id}/status/cancelled", follow_redirects=True)
    assert "<h1>Mark “MPF Exchange Event” cancelled?</h1>" in asked.text
    response = client.post(f"/organiser/events/{agenda['event'].id}/cancel", follow_redirects=True)

    assert "The event is marked cancelled." in response.text
    assert 'data-status="cancelled">Cancelled</span>' in response.text


def test_the_event_page_warns_about_two_sessions_in_one_room(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    agenda["session"].location = "Room 2"
    make_session(agenda["event"], title="Workshop", location="room 2", starts_at=at(10), ends_at=at(12))
    db.session.commit()

    page = client.get(f"/organiser/events/{agenda['event'].id}/").text

    assert (
        '<li data-warning="room_clash">The session “Borders &amp; Security” (09:00–12:00 CET) and the session '
        "“Workshop” (11:00–13:00 CET) are both in “Room 2” at the same time.</li>"
    ) in page
    assert page.count('data-flag="room-clash">Room clash</span>') == 2


def test_an_item_put_in_a_taken_room_asks_first_and_saves_when_confirmed(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    make_session(agenda["event"], title="Workshop", location="Studio", starts_at=at(9), ends_at=at(10))
    db.session.commit()
    url = f"/organiser/items/{agenda['panel'].id}/edit"
    form = {"title": "Looking Ahead", "kind": "panel", "starts": "10:00", "ends": "11:00", "location": "studio"}

    first = client.post(url, data=form)

    assert "Check the timeline before saving" in first.text
    assert (
        '<li data-warning="room_clash"><a class="alert-link" href="#location">“Looking Ahead” (10:00–11:00 CET) '
        "and the session “Workshop” (10:00–11:00 CET) are both in “studio” at the same time.</a></li>"
    ) in first.text
    assert "Save anyway" in first.text
    db.session.expire_all()
    assert db.session.get(AgendaItem, agenda["panel"].id).location == ""
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]

    elsewhere = client.post(url, data={**form, "location": "Room 3", "confirm": key}, follow_redirects=True)
    assert "The item is saved." in elsewhere.text  # another room: nothing to warn about
    db.session.expire_all()
    assert db.session.get(AgendaItem, agenda["panel"].id).location == "Room 3"

    again = client.post(url, data={**form, "confirm": key})
    assert "Check the timeline before saving" not in again.text
    db.session.expire_all()
    assert db.session.get(AgendaItem, agenda["panel"].id).location == "studio"


def test_moving_a_session_into_a_taken_room_asks_first_and_saves_when_confirmed(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    make_session(agenda["event"], title="Workshop", location="Studio", starts_at=at(10), ends_at=at(12))
    url = f"/organiser/sessions/{agenda['session'].id}/edit"
    form = {"title": "Borders & Security", "day": "2030-10-30", "starts": "09:00", "ends": "12:00",
            "location": "studio", "move_items": "y"}  # fmt: skip

    first = client.post(url, data=form)

    assert (
        '<li data-warning="room_clash"><a class="alert-link" href="#location">The session “Borders &amp; Security” '
        "(09:00–12:00 CET) and the session “Workshop” (11:00–13:00 CET) are both in “studio” at the same time.</a></li>"
    ) in first.text
    assert "Save anyway" in first.text and 'id="notice"' not in first.text  # nobody to tell in a draft
    db.session.expire_all()
    assert db.session.get(EventSession, agenda["session"].id).location == ""
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]

    saved = client.post(url, data={**form, "confirm": key}, follow_redirects=True)

    assert "The session is saved." in saved.text
    assert 'data-flag="room-clash">Room clash</span>' in saved.text
    db.session.expire_all()
    assert db.session.get(EventSession, agenda["session"].id).location == "studio"
