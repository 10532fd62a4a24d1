"""Organisers change what people rely on and run registrations: who is told, with what SEQUENCE; capacity;
moving up from the waiting list; messages; CSV; the outbox and the dashboard figures."""

import csv
import io
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.agenda import reach
from app.agenda import services as agenda
from app.errors import CapacityTooLow, SessionFull, ValidationFailed
from app.extensions import db
from app.models import (
    AttendeeGroup,
    EventSession,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from app.organiser import reports
from app.registration import listing as registrations
from app.registration import services as registration_services
from app.speakers import services as speaker_services
from app.transaction import use_case
from tests.factories import DAY, at, make_appearance, make_item, make_online_session, make_person, make_speaker
from tests.http.conftest import make_organiser

NOW = at(9, day=DAY - timedelta(days=10))


@pytest.fixture
def organiser(app_context):
    return make_organiser()


@pytest.fixture
def full_session(organiser):
    """The online follow-up with 2 seats, both taken, and one person waiting."""
    session = make_online_session(capacity=2, title="Looking Ahead")
    people = [("Ana Silva", AttendeeGroup.MPF_GRANTEE), ("Bo Berg", AttendeeGroup.EU_MEMBER_STATE)]
    people.append(("Cleo Diaz", AttendeeGroup.PARTNER_COUNTRY))
    for n, (name, group) in enumerate(people):
        registration_services.register_attendee(
            session,
            full_name=name,
            email=f"{name.split()[0].lower()}@example.com",
            organisation="Ministério da Administração Interna" if n == 0 else "Agency",
            group=group,
            question="" if n == 1 else f"Question from {name}?",
            consent=True,
            now=NOW + timedelta(days=n),
        )
    db.session.execute(OutboxMessage.__table__.delete())  # the confirmations; the tests look at what follows
    db.session.commit()
    return session


def _messages(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def _by_email(email: str) -> Registration:
    return db.session.scalar(select(Registration).where(Registration.email == email))


def test_moving_a_session_updates_confirmed_attendees_with_a_higher_sequence(organiser, full_session):
    item = make_item(full_session, title="Q&A", starts_at=at(8), ends_at=at(9))

    agenda.update_session(full_session, by=organiser, now=NOW, starts_at=at(10), ends_at=at(11, 30), move_items=True)

    updates = _messages("update")
    assert sorted(m.to_address for m in updates) == ["ana@example.com", "bo@example.com"]
    for message in updates:
        event = Calendar.from_ical(message.ics).events[0]
        assert message.ics_method == "REQUEST"
        assert event["SEQUENCE"] == 1
        assert event.start == at(10)
    assert _by_email("ana@example.com").sequence == 1
    assert _by_email("cleo@example.com").sequence == 0  # waiting: no invite, no update
    assert (item.starts_at, item.ends_at) == (at(10), at(11))
    assert db.session.get(EventSession, full_session.id).starts_at == at(10)


def test_changing_the_join_link_sends_updates_carrying_it(organiser, full_session):
    agenda.update_session(full_session, by=organiser, now=NOW, join_url="https://meet.example.org/new-room")

    updates = _messages("update")
    assert len(updates) == 2
    assert all("https://meet.example.org/new-room" in m.ics for m in updates)


def test_raising_the_capacity_through_the_session_gives_the_seat_to_the_waiting_list(organiser, full_session):
    agenda.update_session(full_session, by=organiser, now=NOW, capacity=3)

    assert _by_email("cleo@example.com").status == RegistrationStatus.CONFIRMED
    assert [m.to_address for m in _messages("promoted")] == ["cleo@example.com"]
    assert db.session.get(EventSession, full_session.id).seats_taken == 3


def test_a_capacity_below_the_seats_taken_changes_nothing_at_all(organiser, full_session):
    with pytest.raises(CapacityTooLow, match="lower than the 2 seats already taken"), use_case():
        agenda.update_session(full_session, by=organiser, now=NOW, capacity=1, starts_at=at(10), ends_at=at(11))

    db.session.expire_all()
    session = db.session.get(EventSession, full_session.id)
    assert (session.capacity, session.starts_at) == (2, at(8))
    assert _messages() == []


def test_cancelling_a_session_cancels_invites_and_tells_the_waiting_list(organiser, full_session):
    assert reach.who_is_told_of_cancellation(full_session) == reach.Reach(confirmed=2, waitlisted=1, speakers=0)

    agenda.cancel_session(full_session, reason="The panel cannot attend.", by=organiser, now=NOW)

    cancelled = _messages("session_cancelled")
    assert [(m.to_address, m.ics_method) for m in cancelled] == [
        ("ana@example.com", "CANCEL"),
        ("bo@example.com", "CANCEL"),
        ("cleo@example.com", None),
    ]
    assert Calendar.from_ical(cancelled[0].ics).events[0]["SEQUENCE"] == 1


def test_cancellation_reach_counts_people_with_an_email_appearing_in_the_session(organiser, full_session):
    item = make_item(full_session)
    make_appearance(item, make_person(full_session.event))
    make_appearance(item, make_person(full_session.event, email=None))

    assert reach.who_is_told_of_cancellation(full_session).speakers == 1


def test_promote_registration_needs_a_free_seat(organiser, full_session):
    cleo = _by_email("cleo@example.com")

    with pytest.raises(SessionFull, match="No seat is free"):
        registration_services.promote_registration(cleo, by=organiser, now=NOW)
    # No limit: the waiting list moves up.
    registration_services.change_capacity(full_session, None, by=organiser, now=NOW)
    assert _by_email("cleo@example.com").status == RegistrationStatus.CONFIRMED


def test_promote_registration_out_of_turn_gives_the_seat_and_the_invite(organiser, full_session):
    dan = registration_services.register_attendee(
        full_session, full_name="Dan", email="dan@example.com", consent=True, now=NOW + timedelta(days=5)
    ).registration
    full_session = db.session.get(EventSession, full_session.id)
    full_session.capacity = 3  # a seat appears without the automatic promotion (set directly)
    db.session.commit()

    registration_services.promote_registration(dan, by=organiser, now=NOW)

    assert (dan.status, db.session.get(EventSession, full_session.id).seats_taken) == (RegistrationStatus.CONFIRMED, 3)
    [promoted] = _messages("promoted")
    assert (promoted.to_address, promoted.ics_method) == ("dan@example.com", "REQUEST")
    assert _by_email("cleo@example.com").status == RegistrationStatus.WAITLISTED
    with pytest.raises(Exception, match="not on the waiting list"):
        registration_services.promote_registration(dan, by=organiser, now=NOW)


def test_message_registrants_queues_one_email_per_confirmed_attendee(organiser, full_session):
    sent = registrations.message_registrants(
        full_session, audience="confirmed", subject="Agenda  for the panel", body="Dear {name},\n\nSee you <soon>.",
        by=organiser, now=NOW,
    )  # fmt: skip

    messages = _messages("organiser_message")
    assert sent == 2
    assert [m.to_address for m in messages] == ["ana@example.com", "bo@example.com"]
    assert messages[0].subject == "Agenda for the panel"
    assert messages[0].body_text.startswith("Dear Ana Silva,\n\nSee you <soon>.")
    assert "See you &lt;soon&gt;." in messages[0].body_html
    assert messages[0].status == OutboxStatus.QUEUED


def test_message_registrants_to_the_waiting_list_and_bad_input(organiser, full_session):
    assert (
        registrations.message_registrants(
            full_session, audience="waitlisted", subject="Hi", body="Wait", by=organiser, now=NOW
        )
        == 1
    )
    with pytest.raises(ValidationFailed, match="Write a subject and a message."):
        registrations.message_registrants(
            full_session, audience="confirmed", subject=" ", body="x", by=organiser, now=NOW
        )
    with pytest.raises(ValidationFailed, match="Choose who gets the message."):
        registrations.message_registrants(
            full_session, audience="everyone", subject="s", body="x", by=organiser, now=NOW
        )


def test_find_registrations_filters_and_searches(organiser, full_session):
    def names(**kwargs):
        return [r.full_name for r in registrations.find_registrations(full_session, **kwargs)]

    assert names() == ["Ana Silva", "Bo Berg", "Cleo Diaz"]
    assert names(status="waitlisted") == ["Cleo Diaz"]
    assert names(group="mpf_grantee") == ["Ana Silva"]
    assert names(search="Ministério") == ["Ana Silva"]
    assert names(search="bo@example") == ["Bo Berg"]
    assert names(search="question from cleo") == ["Cleo Diaz"]
    assert names(search="100%") == []
    assert names(status="nonsense", group="nonsense") == ["Ana Silva", "Bo Berg", "Cleo Diaz"]


@pytest.mark.parametrize("per_page", [1, 2, 50])
def test_a_page_of_registrations_is_two_queries_with_counts_and_the_filtered_total(
    organiser, full_session, count_queries, per_page
):
    cases = [
        ({}, ["Ana Silva", "Bo Berg", "Cleo Diaz"]),
        ({"status": "waitlisted"}, ["Cleo Diaz"]),
        ({"group": "eu_member_state", "search": "agency"}, ["Bo Berg"]),
        ({"search": "nobody"}, []),
    ]
    db.session.refresh(full_session)  # loaded before counting, as the view has it
    for filters, matching in cases:
        for page in (1, 2, 99):
            with count_queries() as statements:
                shown = registrations.page_of_registrations(full_session, **filters, page=page, per_page=per_page)

            assert len(statements) == (2 if matching else 1), statements  # no page of rows when none match
            assert shown.counts == {"confirmed": 2, "waitlisted": 1, "cancelled": 0}
            assert shown.total == len(matching)
            assert shown.pages == max(1, -(-len(matching) // per_page))
            assert shown.page == min(page, shown.pages)
            first = (shown.page - 1) * per_page
            assert [r.full_name for r in shown.items] == matching[first : first + per_page]


def test_registrations_csv_is_utf8_with_bom_and_parses_back(organiser, full_session):
    ana = _by_email("ana@example.com")
    ana.question = '=HYPERLINK("http://evil.example.com")'
    ana.accessibility_needs = "Live captions"
    ana.timezone = "Asia/Tbilisi"
    db.session.commit()

    data = registrations.registrations_csv(full_session, registrations.find_registrations(full_session))

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == registrations.CSV_COLUMNS
    assert rows[1] == [
        "Ana Silva",
        "ana@example.com",
        "Ministério da Administração Interna",
        "MPF grantee",
        "Confirmed",
        '\'=HYPERLINK("http://evil.example.com")',
        "2030-10-20T09:00:00Z",
        "Asia/Tbilisi",
    ]
    assert [row[7] for row in rows[2:]] == ["Europe/Brussels", "Europe/Brussels"]  # chose none: the event's
    assert [row[4] for row in rows[1:]] == ["Confirmed", "Confirmed", "Waitlisted"]
    assert rows[3][5] == "Question from Cleo Diaz?"
    assert "Live captions" not in data.decode("utf-8-sig")  # health data only when asked for


def test_registrations_csv_has_accessibility_needs_only_when_asked_for(organiser, full_session):
    ana = _by_email("ana@example.com")
    ana.accessibility_needs = "=Live captions"
    db.session.commit()

    data = registrations.registrations_csv(
        full_session, registrations.find_registrations(full_session), accessibility_needs=True
    )

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == [*registrations.CSV_COLUMNS[:6], "Accessibility needs", *registrations.CSV_COLUMNS[6:]]
    assert rows[1][5:8] == ["Question from Ana Silva?", "'=Live captions", "2030-10-20T09:00:00Z"]
    assert [row[6] for row in rows[2:]] == ["", ""]


def test_resend_message_requeues_only_failed_ones(organiser, full_session):
    registrations.message_registrants(full_session, audience="confirmed", subject="s", body="b", by=organiser, now=NOW)
    failed, queued = _messages("organiser_message")
    failed.status, failed.attempts, failed.last_error = OutboxStatus.FAILED, 5, "550 5.1.1 no such user"
    db.session.commit()

    reports.resend_message(failed, by=organiser, now=NOW + timedelta(hours=1))

    assert (failed.status, failed.attempts, failed.not_before) == (OutboxStatus.QUEUED, 0, NOW + timedelta(hours=1))
    with pytest.raises(Exception, match="Only a failed message can be sent again."):
        reports.resend_message(queued, by=organiser, now=NOW)


def test_event_dashboard_counts_seats_days_groups_and_questions(organiser, full_session):
    registration_services.cancel_registration(_by_email("bo@example.com"), now=NOW + timedelta(days=3))

    figures = reports.event_dashboard(full_session.event)

    [session_figures] = figures.sessions
    assert (session_figures.confirmed, session_figures.waitlisted, session_figures.cancelled) == (2, 0, 1)
    assert [q[0] for q in session_figures.questions] == ["Ana Silva", "Cleo Diaz"]
    assert [(d.day.isoformat(), d.count) for d in figures.days] == [
        ("2030-10-20", 1),
        ("2030-10-21", 1),
        ("2030-10-22", 1),
    ]
    assert figures.groups == [("MPF grantee", 1, 50.0), ("Partner country authority", 1, 50.0)]


# --- the people appearing in moved items: the speakers' own invites -------------------------------


def _speaker_messages() -> list[tuple[str, str, str, int]]:
    rows = []
    for m in _messages():
        if m.kind.startswith("speaker_"):
            event = Calendar.from_ical(m.ics).events[0]
            rows.append((m.kind, m.to_address, m.ics_method, int(event["SEQUENCE"])))
    return rows


@pytest.fixture
def panel(organiser, full_session):
    """The follow-up's panel with a moderator and a panellist, then a later item with a third person."""
    panel = make_item(full_session, title="Panel", starts_at=at(8), ends_at=at(8, 45))
    event = full_session.event
    make_appearance(panel, make_person(event, email="mod@example.org"))
    make_appearance(panel, make_person(event, email="pan@example.org"))
    closing = make_item(full_session, title="Closing", starts_at=at(8, 45), ends_at=at(9))
    make_appearance(closing, make_person(event, email="close@example.org"))
    return panel


def test_moving_an_item_sends_its_speakers_and_the_shifted_ones_an_update(organiser, panel):
    agenda.update_item(panel, by=organiser, now=NOW, shift_later=True, ends_at=at(8, 50))

    assert _speaker_messages() == [
        # Each item's version rose (the feed shows 1): the update is newer still.
        ("speaker_update", "mod@example.org", "REQUEST", 2),
        ("speaker_update", "pan@example.org", "REQUEST", 2),
        ("speaker_update", "close@example.org", "REQUEST", 2),
    ]
    assert len(reach.appearances_to_tell(list(panel.session.items))) == 3


def test_renaming_an_item_without_moving_it_tells_nobody(organiser, panel):
    agenda.update_item(panel, by=organiser, now=NOW, title="Looking Ahead panel")

    assert _speaker_messages() == []


def test_a_draft_event_tells_no_speaker(organiser, panel):
    panel.session.event.status = "draft"
    db.session.commit()

    agenda.update_item(panel, by=organiser, now=NOW, starts_at=at(8, 5), ends_at=at(8, 50))

    assert _speaker_messages() == []
    assert reach.appearances_to_tell([panel]) == []


def test_moving_the_session_tells_attendees_and_speakers_in_one_go(organiser, panel, full_session):
    agenda.update_session(full_session, by=organiser, now=NOW, starts_at=at(10), ends_at=at(11, 30), move_items=True)

    speakers = _speaker_messages()
    assert [s[1] for s in speakers] == ["mod@example.org", "pan@example.org", "close@example.org"]
    mod = next(m for m in _messages() if m.to_address == "mod@example.org")
    assert Calendar.from_ical(mod.ics).events[0].start == at(10)
    assert len(_messages("update")) == 2


def test_cancelling_the_session_cancels_the_speakers_slots(organiser, panel, full_session):
    agenda.cancel_session(full_session, reason="", by=organiser, now=NOW)

    assert {(kind, method) for kind, _, method, _ in _speaker_messages()} == {("speaker_cancel", "CANCEL")}
    assert len(_speaker_messages()) == 3


def test_removing_a_person_from_an_item_cancels_their_slot(organiser, panel):
    agenda.remove_appearance(panel.appearances[0], by=organiser, now=NOW)

    assert _speaker_messages() == [("speaker_cancel", "mod@example.org", "CANCEL", 1)]


def test_adding_a_person_to_an_item_of_a_published_event_sends_them_the_slot_invite(organiser, panel):
    newcomer = make_person(panel.session.event, name="Nia Newcomer", email="nia@example.org")
    silent = make_person(panel.session.event, name="No Mail", email=None)

    agenda.add_appearance(panel, newcomer, Role.PANELLIST, by=organiser, now=NOW)
    agenda.add_appearance(panel, silent, Role.PANELLIST, by=organiser, now=NOW)

    # The item's version rose with the new person: the invite carries the SEQUENCE the feed shows.
    assert _speaker_messages() == [("speaker_invite", "nia@example.org", "REQUEST", 1)]
    message = _messages("speaker_invite")[0]
    invite = Calendar.from_ical(message.ics).events[0]
    feed = Calendar.from_ical(speaker_services.speaker_feed(make_speaker(newcomer.email))).events[0]
    assert (invite.start, invite.end, str(invite["UID"])) == (at(8), at(8, 45), str(feed["UID"]))
    assert message.subject == "You are in the programme: Panel"
    assert '"Panel" (panellist) in Looking Ahead' in message.body_text
    assert "The attached invite adds it to your calendar." in message.body_text


def test_adding_a_person_to_an_item_of_a_draft_event_sends_nothing(organiser, panel):
    panel.session.event.status = "draft"
    db.session.commit()

    newcomer = make_person(panel.session.event, email="nia@example.org")
    agenda.add_appearance(panel, newcomer, Role.SPEAKER, by=organiser, now=NOW)

    assert _speaker_messages() == []


def test_reordering_tells_the_speakers_of_both_items(organiser, panel):
    agenda.reorder_item(panel, "down", by=organiser, now=NOW)

    assert sorted(s[1] for s in _speaker_messages()) == ["close@example.org", "mod@example.org", "pan@example.org"]
