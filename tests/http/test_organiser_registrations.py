"""Running registrations, the outbox and the dashboard through the test client."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AttendeeGroup, EventSession, OutboxMessage, OutboxStatus, Registration, RegistrationStatus
from app.registration import services as registration_services
from tests.factories import (
    DAY,
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
)

NOW = at(9, day=DAY - timedelta(days=10))


@pytest.fixture
def setup(app_context):
    """A session with 2 seats taken and 1 waiting (Ana's question), a failed message; another event's session."""
    session = make_online_session(capacity=2, title="Looking Ahead")
    for n, name in enumerate(["Ana Silva", "Bo Berg", "Cleo Diaz"]):
        registration_services.register_attendee(
            session,
            full_name=name,
            email=f"{name.split()[0].lower()}@example.com",
            organisation="Ministério" if n == 0 else "Agency",
            group=AttendeeGroup.MPF_GRANTEE if n == 0 else AttendeeGroup.EU_SERVICE,
            question="How will the call be judged?" if n == 0 else "",
            consent=True,
            now=NOW + timedelta(days=n),
        )
    failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "bo@example.com"))
    failed.status, failed.attempts, failed.last_error = OutboxStatus.FAILED, 4, "550 5.1.1 no such user"
    db.session.commit()
    other = make_online_session(make_event(title="Other"))
    other_registration = make_registration(other)
    return {
        "session": session,
        "event": session.event,
        "failed": failed,
        "other": other,
        "other_registration": other_registration,
    }


def _registration(email: str) -> Registration:
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.email == email))


def _pages(session, message_id) -> list[str]:
    return [
        f"/organiser/sessions/{session.id}/registrations/",
        f"/organiser/sessions/{session.id}/registrations.csv",
        f"/organiser/sessions/{session.id}/message",
        f"/organiser/sessions/{session.id}/cancel",
        f"/organiser/events/{session.event_id}/outbox/",
        f"/organiser/events/{session.event_id}/dashboard",
    ] + ([f"/organiser/outbox/{message_id}"] if message_id else [])


def test_registration_pages_need_sign_in(client, setup):
    for url in _pages(setup["session"], setup["failed"].id):
        response = client.get(url)
        assert response.headers["Location"].startswith("/organiser/sign-in?next="), url


def test_registration_pages_of_another_event_are_not_found(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    other_message = OutboxMessage(
        kind="x", to_address="x@example.com", subject="s", body_text="b", event_id=setup["other"].event_id
    )
    db.session.add(other_message)
    db.session.commit()

    for url in _pages(setup["other"], other_message.id):
        assert client.get(url).status_code == 404, url
    for url in [
        f"/organiser/registrations/{setup['other_registration'].id}/cancel",
        f"/organiser/sessions/{setup['other'].id}/capacity",
        f"/organiser/outbox/{other_message.id}/resend",
    ]:
        assert client.post(url).status_code == 404, url
    assert _registration(setup["other_registration"].email).status == RegistrationStatus.CONFIRMED


def test_registration_list_shows_seats_rows_and_filters(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    url = f"/organiser/sessions/{setup['session'].id}/registrations/"

    everyone = client.get(url).text
    waiting = client.get(url, query_string={"status": "waitlisted"}).text
    searched = client.get(url, query_string={"q": "judged"}).text

    assert "<strong>2</strong> of 2 seats taken · <strong>1</strong> waiting · 0 cancelled" in everyone
    assert "3 registrations shown." in everyone
    assert "How will the call be judged?" in everyone and "MPF grantee" in everyone
    assert "1 registration shown." in waiting and "Cleo Diaz" in waiting and "Ana Silva" not in waiting
    assert 'Give a seat<span class="visually-hidden"> to Cleo Diaz' in waiting
    assert "1 registration shown." in searched and "Ana Silva" in searched


def test_csv_export_of_the_filtered_list_parses_back(client, sign_in, setup):
    sign_in(events=[setup["event"]])

    response = client.get(
        f"/organiser/sessions/{setup['session'].id}/registrations.csv", query_string={"group": "eu_service"}
    )

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="registrations-{setup["event"].slug}-{setup["session"].id}.csv"'
    )
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert [(r["Name"], r["Group"], r["Status"]) for r in rows] == [
        ("Bo Berg", "EU service", "Confirmed"),
        ("Cleo Diaz", "EU service", "Waitlisted"),
    ]


def test_cancelling_someone_asks_first_then_gives_their_seat_to_the_waiting_list(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    bo_id = _registration("bo@example.com").id
    url = f"/organiser/registrations/{bo_id}/cancel"

    page = client.get(url).text

    assert "<h1>Cancel the registration of Bo Berg?</h1>" in page
    assert "<p>Bo Berg (bo@example.com), confirmed for “Looking Ahead”.</p>" in page
    assert (
        '<p id="cancel-effects">They get an email that their registration is cancelled, with a calendar cancellation '
        "that removes the session from their calendar. Their seat goes to Cleo Diaz, first on the waiting list, who "
        "gets an email with their calendar invite.</p>"
    ) in page
    assert _registration("bo@example.com").status == RegistrationStatus.CONFIRMED

    response = client.post(url, follow_redirects=True)

    assert "The registration of Bo Berg is cancelled; they are told." in response.text
    assert _registration("bo@example.com").status == RegistrationStatus.CANCELLED
    assert _registration("cleo@example.com").status == RegistrationStatus.CONFIRMED
    sent = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.to_address).where(OutboxMessage.kind.in_(["cancellation", "promoted"]))
    ).all()
    assert sorted(sent) == [("cancellation", "bo@example.com"), ("promoted", "cleo@example.com")]
    again = client.get(url).text
    assert '<p id="refusal">This registration is already cancelled.</p>' in again
    assert "already cancelled" in client.post(url, follow_redirects=True).text


def test_cancelling_someone_on_the_waiting_list_says_nobody_moves_up(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    cleo_id = _registration("cleo@example.com").id

    page = client.get(f"/organiser/registrations/{cleo_id}/cancel").text

    assert "<p>Cleo Diaz (cleo@example.com), waitlisted for “Looking Ahead”.</p>" in page
    assert '<p id="cancel-effects">They get an email that they are off the waiting list.</p>' in page


def test_the_list_links_each_cancel_to_the_page_that_asks(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    ana_id = _registration("ana@example.com").id

    page = client.get(f"/organiser/sessions/{setup['session'].id}/registrations/").text

    assert f'<a href="/organiser/registrations/{ana_id}/cancel" class="btn btn-outline-danger btn-sm">Cancel' in page


def test_giving_a_seat_when_full_says_why_not(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    cleo = _registration("cleo@example.com")

    response = client.post(f"/organiser/registrations/{cleo.id}/confirm", follow_redirects=True)

    assert "No seat is free: raise the capacity first, or cancel someone." in response.text
    assert _registration("cleo@example.com").status == RegistrationStatus.WAITLISTED


def test_changing_the_capacity_moves_the_waiting_list_up_or_refuses(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    url = f"/organiser/sessions/{setup['session'].id}/capacity"

    too_low = client.post(url, data={"capacity": "1"})
    bad = client.post(url, data={"capacity": "-3"})

    # A refused capacity gives the page back: the summary links to the field, which keeps what was typed.
    assert (too_low.status_code, bad.status_code) == (400, 400)
    assert "<title>Error: Registrations" in too_low.text
    assert '<a class="alert-link" href="#capacity">Capacity: The capacity cannot be lower than the 2 seats' in (
        too_low.text
    )
    assert 'name="capacity" type="number" value="1"' in too_low.text
    assert "Capacity: The capacity must be a whole number of 0 or more, or empty for no limit." in bad.text
    assert 'name="capacity" type="number" value="-3"' in bad.text
    assert 'id="capacity-error"' in bad.text
    db.session.expire_all()
    assert db.session.get(EventSession, setup["session"].id).capacity == 2
    raised = client.post(url, data={"capacity": "5"}, follow_redirects=True)
    assert "The capacity is changed; 1 moved up from the waiting list." in raised.text
    db.session.expire_all()
    assert db.session.get(EventSession, setup["session"].id).capacity == 5


def test_message_to_the_confirmed_attendees_goes_through_the_outbox(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    url = f"/organiser/sessions/{setup['session'].id}/message"

    empty = client.post(url, data={"audience": "confirmed", "subject": "", "body": "Hello"})
    sent = client.post(
        url, data={"audience": "confirmed", "subject": "Panel questions", "body": "Hello"}, follow_redirects=True
    )

    assert "This field is required." in empty.text and 'id="subject-error"' in empty.text
    assert "Hello</textarea>" in empty.text
    assert "The message is queued for 2 attendees." in sent.text
    recipients = db.session.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.kind == "organiser_message").order_by(OutboxMessage.id)
    ).all()
    assert recipients == ["ana@example.com", "bo@example.com"]


def test_outbox_page_lists_status_attempts_and_errors_and_resends(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    failed = setup["failed"]

    page = client.get(f"/organiser/events/{setup['event'].id}/outbox/", query_string={"status": "failed"}).text
    detail = client.get(f"/organiser/outbox/{failed.id}").text
    resent = client.post(f"/organiser/outbox/{failed.id}/resend", follow_redirects=True).text

    assert "Failed (1)" in page and "550 5.1.1 no such user" in page and "<td>4</td>" in page
    assert "Ana Silva" not in page  # only failed ones
    assert f"<h1>{failed.subject}</h1>" in detail
    assert "Bo Berg &lt;bo@example.com&gt;" in detail
    assert "METHOD:REQUEST" in detail and "BEGIN:VCALENDAR" in detail
    assert "The message to bo@example.com is queued again." in resent
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == OutboxStatus.QUEUED


def test_dashboard_shows_seats_chart_groups_and_questions(client, sign_in, setup):
    sign_in(events=[setup["event"]])

    page = client.get(f"/organiser/events/{setup['event'].id}/dashboard").text

    assert f'data-seats="{setup["session"].id}">2 / 2</p>' in page
    assert "seats taken · 1 waiting · 0 cancelled" in page
    assert "Registrations per day: 20 Oct: 1, 21 Oct: 1, 22 Oct: 1" in page
    assert "<td>MPF grantee</td><td>1</td>" in page and "33.3%" in page
    assert "<q>How will the call be judged?</q> — Ana Silva, Ministério" in page
    # The charts are drawn on the server: the only script is Bootstrap's, for the navbar's menu button.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/bootstrap/static/js/bootstrap.min.js">']


def test_moving_a_session_with_attendees_says_how_many_are_told_first(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    url = f"/organiser/sessions/{setup['session'].id}/edit"
    form = {
        "title": "Looking Ahead",
        "day": "2030-10-30",
        "starts": "11:00",
        "ends": "12:30",
        "is_online": "y",
        "join_url": "https://meet.example.org/looking-ahead",
        "registration_enabled": "y",
        "capacity": "2",
        "waitlist_enabled": "y",
        "move_items": "y",
    }

    first = client.post(url, data=form)
    assert (
        "Saving sends an updated calendar invite to 2 confirmed attendees, a note of the move to 1 on the "
        "waiting list, and 0 speakers."
    ) in first.text
    assert db.session.get(EventSession, setup["session"].id).starts_at == at(8)
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]

    saved = client.post(url, data={**form, "confirm": key}, follow_redirects=True)

    assert "The session is saved. 3 attendees and 0 speakers will be told." in saved.text
    db.session.expire_all()
    assert db.session.get(EventSession, setup["session"].id).starts_at == at(10)
    told = db.session.execute(
        select(OutboxMessage.to_address, OutboxMessage.kind, OutboxMessage.ics_method)
        .where(OutboxMessage.kind.in_(["update", "waitlist_update"]))
        .order_by(OutboxMessage.to_address)
    ).all()
    # The seats get the updated invite; Cleo, waiting, hears of the move with her place and no invite.
    assert told == [
        ("ana@example.com", "update", "REQUEST"),
        ("bo@example.com", "update", "REQUEST"),
        ("cleo@example.com", "waitlist_update", None),
    ]
    [note] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "waitlist_update")).all()
    assert note.subject == "Changed: Looking Ahead"
    assert "has changed: it moved from" in note.body_text
    assert "You are still on the waiting list, in place 1." in note.body_text
    assert "meet.example.org" not in note.body_text + note.body_html  # the join link is for seats only


def _session_form(**changes) -> dict:
    form = {
        "title": "Looking Ahead",
        "day": "2030-10-30",
        "starts": "09:00",
        "ends": "10:30",
        "is_online": "y",
        "join_url": "https://meet.example.org/looking-ahead",
        "registration_enabled": "y",
        "capacity": "2",
        "waitlist_enabled": "y",
        "move_items": "y",
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def test_moving_a_session_without_its_items_tells_its_speakers_nothing_and_says_so(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    item = make_item(setup["session"], title="Q&A", starts_at=at(8), ends_at=at(8, 30))
    make_appearance(item, make_person(setup["event"], email="mod@example.org"))
    url = f"/organiser/sessions/{setup['session'].id}/edit"
    form = _session_form(starts="11:00", ends="12:30", move_items=None)

    first = client.post(url, data=form)
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    saved = client.post(url, data={**form, "confirm": key}, follow_redirects=True)

    assert (
        "Saving sends an updated calendar invite to 2 confirmed attendees, a note of the move to 1 on the "
        "waiting list, and 0 speakers."
    ) in first.text
    assert "The session is saved. 3 attendees and 0 speakers will be told." in saved.text
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind.like("%update"))).all()
    assert sorted(kinds) == ["update", "update", "waitlist_update"]


def test_a_new_join_link_tells_the_seats_but_not_the_waiting_list(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    url = f"/organiser/sessions/{setup['session'].id}/edit"
    form = _session_form(join_url="https://meet.example.org/new-room")

    first = client.post(url, data=form)
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    saved = client.post(url, data={**form, "confirm": key}, follow_redirects=True)

    assert "Saving sends an updated calendar invite to 2 confirmed attendees and 0 speakers." in first.text
    assert "The session is saved. 2 attendees and 0 speakers will be told." in saved.text
    told = db.session.scalars(
        select(OutboxMessage.to_address)
        .where(OutboxMessage.kind.in_(["update", "waitlist_update"]))
        .order_by(OutboxMessage.to_address)
    ).all()
    assert told == ["ana@example.com", "bo@example.com"]


def test_renaming_a_session_saves_at_once_and_tells_nobody(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    url = f"/organiser/sessions/{setup['session'].id}/edit"
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    saved = client.post(url, data=_session_form(title="Looking Further Ahead"), follow_redirects=True)

    assert "The session is saved." in saved.text and "will be told" not in saved.text
    assert db.session.get(EventSession, setup["session"].id).title == "Looking Further Ahead"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_cancel_session_page_counts_then_cancels(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    url = f"/organiser/sessions/{setup['session'].id}/cancel"

    page = client.get(url).text
    done = client.post(url, data={"reason": "The panel cannot attend."}, follow_redirects=True).text

    assert "This tells 2 confirmed attendees (with a calendar cancellation) and 1 on the waiting list." in page
    assert "“Looking Ahead” is cancelled; the attendees are being told." in done
    assert (
        db.session.scalar(
            select(db.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "session_cancelled")
        )
        == 3
    )


BANNER = "<strong>Cancelled:</strong> “Looking Ahead” will not take place."


def test_a_cancelled_session_shows_a_banner_and_leaves_only_a_message_to_say_sorry(client, sign_in, setup):
    sign_in(events=[setup["event"]])
    session_id = setup["session"].id
    client.post(f"/organiser/sessions/{session_id}/cancel", data={"reason": ""})
    cleo = _registration("cleo@example.com")
    sent_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    listing = client.get(f"/organiser/sessions/{session_id}/registrations/").text
    editor = client.get(f"/organiser/events/{setup['event'].id}/").text
    form = client.get(f"/organiser/sessions/{session_id}/edit").text

    for page in (listing, editor, form):
        assert BANNER in page
        assert "No seat can be given and the capacity cannot change. What is left is a message to say sorry" in page
        assert f'href="/organiser/sessions/{session_id}/message">message the attendees' in page
    assert "Give a seat" not in listing and "Change the capacity" not in listing
    assert "/cancel" not in listing  # no row's Cancel button either
    assert "Message the attendees" in listing
    assert f"/organiser/sessions/{session_id}/edit" not in editor and "Save session" not in form

    # The buttons are gone, and the rules refuse the same actions when posted all the same.
    seat = client.post(f"/organiser/registrations/{cleo.id}/confirm", follow_redirects=True).text
    capacity = client.post(f"/organiser/sessions/{session_id}/capacity", data={"capacity": "5"}, follow_redirects=True)
    edit = client.post(f"/organiser/sessions/{session_id}/edit", data=_session_form(title="Renamed", capacity="5"))
    refused = "This session is cancelled: no seat can be given or changed; a message to its attendees is left."
    assert refused in seat and refused in capacity.text and refused in edit.text
    db.session.expire_all()
    assert _registration("cleo@example.com").status == RegistrationStatus.WAITLISTED
    cancelled = db.session.get(EventSession, session_id)
    assert (cancelled.title, cancelled.capacity) == ("Looking Ahead", 2)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == sent_before

    sorry = client.post(
        f"/organiser/sessions/{session_id}/message",
        data={"audience": "confirmed", "subject": "Sorry", "body": "We are sorry the session was called off."},
        follow_redirects=True,
    )
    assert "The message is queued for 2 attendees." in sorry.text


def test_csv_export_gives_each_attendee_their_own_zone_and_times_in_iso_8601_utc(client, sign_in, setup):
    bo = _registration("bo@example.com")
    bo.timezone = "Asia/Tbilisi"
    db.session.commit()
    sign_in(events=[setup["event"]])

    response = client.get(f"/organiser/sessions/{setup['session'].id}/registrations.csv")

    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    registered = [NOW + timedelta(days=n) for n in range(3)]
    assert [(r["Name"], r["Registered at"], r["Time zone"]) for r in rows] == [
        ("Ana Silva", registered[0].strftime("%Y-%m-%dT%H:%M:%SZ"), "Europe/Brussels"),
        ("Bo Berg", registered[1].strftime("%Y-%m-%dT%H:%M:%SZ"), "Asia/Tbilisi"),
        ("Cleo Diaz", registered[2].strftime("%Y-%m-%dT%H:%M:%SZ"), "Europe/Brussels"),
    ]
    assert rows[0]["Registered at"].endswith("T09:00:00Z")


def test_raising_the_capacity_in_the_session_form_says_who_moves_up_before_saving(client, sign_in, setup):
    """The edit form's capacity gives the waiting list seats: the step before saving counts them, as the
    capacity form's own change does, and saving sends each their invite."""
    sign_in(events=[setup["event"]])
    session = setup["session"]
    url = f"/organiser/sessions/{session.id}/edit"
    form = {"title": "Looking Ahead", "day": "2030-10-30", "starts": "09:00", "ends": "10:30", "is_online": "y",
            "join_url": "https://meet.example.org/looking-ahead",
            "registration_enabled": "y", "capacity": "5", "waitlist_enabled": "y", "move_items": "y"}  # fmt: skip

    first = client.post(url, data=form)

    assert "The new capacity gives a seat to 1 person on the waiting list, who gets an invite." in first.text
    assert _registration("cleo@example.com").status == RegistrationStatus.WAITLISTED
    key = first.text.split('name="confirm" type="hidden" value="')[1].split('"')[0]

    saved = client.post(url, data={**form, "confirm": key}, follow_redirects=True)

    assert "The session is saved. 1 attendee and 0 speakers will be told." in saved.text
    assert _registration("cleo@example.com").status == RegistrationStatus.CONFIRMED
    invites = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.to_address == "cleo@example.com").order_by(OutboxMessage.id)
    ).all()
    assert invites == ["waitlisted", "promoted", "reminder_24h", "reminder_1h"]  # the reminders of a seat, planned


def test_the_cancel_page_of_a_cancelled_or_erased_registration_refuses_in_the_organisers_language(
    client, sign_in, setup
):
    sign_in(events=[setup["event"]])
    cancelled = make_registration(setup["session"], status=RegistrationStatus.CANCELLED, email="dee@example.com")
    erased = make_registration(setup["session"], email="eve@example.com")
    erased.anonymised_at = NOW
    db.session.commit()
    french = {"Accept-Language": "fr"}

    refusals = [client.get(f"/organiser/registrations/{r.id}/cancel", headers=french).text for r in (cancelled, erased)]
    english = client.get(f"/organiser/registrations/{cancelled.id}/cancel").text

    assert "Cette inscription est déjà annulée." in refusals[0]
    assert (
        "Les données personnelles de cette inscription sont effacées\u00a0: personne ne peut être prévenu."
        in (refusals[1])
    )
    assert "This registration is already cancelled." in english
    assert all("already cancelled" not in page and "is erased" not in page for page in refusals)
