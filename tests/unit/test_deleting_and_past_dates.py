"""Deleting what nothing depends on (refused with the reason otherwise, exact rows gone), the preview of who moves
up when a registration is cancelled, and the warnings for dates in the past and a new session's room."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.agenda import services
from app.agenda.timeline import new_session_room_clashes
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
from app.registration.services import who_moves_up
from app.transaction import use_case
from tests.factories import (
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_session,
)
from tests.http.conftest import make_organiser

NOW = datetime(2030, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def organiser(app_context):
    return make_organiser()


def _rows(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _draft_with_programme() -> Event:
    draft = make_event(title="Draft Meeting", slug="draft-meeting", status=EventStatus.DRAFT)
    session = make_session(draft, title="Plenary")
    item = make_item(session, title="Welcome")
    make_appearance(item, make_person(draft, name="Ana Silva"))
    make_item(session, title="Close")
    return draft


def test_delete_event_removes_a_draft_with_its_sessions_items_people_and_log(organiser):
    draft, kept = _draft_with_programme(), make_event(title="Kept")
    kept_session = make_session(kept)
    draft_id = draft.id
    with use_case():
        services.update_event(draft, by=organiser, now=NOW, title="Draft Meeting")
        services.create_session(draft, by=organiser, now=NOW, title="Second", starts_at=at(12), ends_at=at(13))

    assert services.event_deletion_refusals(draft) == []
    with use_case():
        services.delete_event(draft, by=organiser, now=NOW)

    assert _rows(Event, Event.id == draft_id) == 0
    assert _rows(EventSession) == 1 and db.session.get(EventSession, kept_session.id) is not None
    assert _rows(AgendaItem) == 0
    assert _rows(Appearance) == 0
    assert _rows(Person) == 0
    entries = db.session.execute(select(ActivityEntry.event_id, ActivityEntry.action, ActivityEntry.summary)).all()
    assert entries == [
        (
            None,
            "event.deleted",
            "Deleted the draft event “Draft Meeting” (draft-meeting) with 2 sessions and 2 agenda items.",
        )
    ]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (EventStatus.PUBLISHED, "Only a draft can be deleted; this event is published."),
        (EventStatus.CANCELLED, "Only a draft can be deleted; this event is cancelled."),
    ],
)
def test_delete_event_refuses_an_event_that_is_not_a_draft(organiser, status, reason):
    event = make_event(title="Live", status=status)

    with pytest.raises(services.NotDeletable) as refused:
        services.delete_event(event, by=organiser, now=NOW)

    assert refused.value.message == f"This event cannot be deleted. {reason}"
    db.session.rollback()
    assert _rows(Event) == 1


def test_delete_event_refuses_a_draft_that_was_published_or_holds_registrations(organiser):
    draft = _draft_with_programme()
    with use_case():
        services.set_event_status(draft, EventStatus.PUBLISHED, by=organiser, now=NOW)
        services.set_event_status(draft, EventStatus.DRAFT, by=organiser, now=NOW)
    make_registration(draft.sessions[0], status=RegistrationStatus.CANCELLED)

    assert services.event_deletion_refusals(draft) == [
        "It was published once, so people may have its pages, invites or feed entries: keep it as a draft.",
        "Its sessions hold 1 registration (cancelled ones included).",
    ]
    with pytest.raises(services.NotDeletable):
        services.delete_event(draft, by=organiser, now=NOW)


def test_delete_session_refuses_a_session_with_any_registration(organiser):
    session = make_online_session(title="Follow-up")
    make_registration(session, status=RegistrationStatus.CANCELLED)

    with pytest.raises(services.NotDeletable) as refused:
        services.delete_session(session, by=organiser, now=NOW)

    assert refused.value.message == (
        "This session cannot be deleted. It holds 1 registration (cancelled ones included): cancel the session "
        "instead, which tells its attendees and keeps their records."
    )
    db.session.rollback()
    assert _rows(EventSession) == 1


def test_delete_session_removes_it_with_its_items_and_tells_the_speakers_of_a_published_event(organiser):
    event = make_event(title="Live")
    session = make_session(event, title="Morning")
    other = make_session(event, title="Afternoon", starts_at=at(14), ends_at=at(16))
    panel = make_item(session, title="Panel")
    person = make_person(event, name="Ana Silva", email="ana@example.org")
    make_appearance(panel, person)
    make_item(other, title="Kept item")
    session_id = session.id

    with use_case():
        services.delete_session(session, by=organiser, now=NOW)

    assert _rows(EventSession, EventSession.id == session_id) == 0
    assert db.session.scalars(select(AgendaItem.title)).all() == ["Kept item"]
    assert _rows(Appearance) == 0
    assert _rows(Person) == 1
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["ana@example.org"]
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.action == "session.deleted"))
    assert (entry.event_id, entry.target_id, entry.summary) == (
        event.id,
        session_id,
        "Deleted the session “Morning” with 1 agenda item.",
    )


def test_delete_session_of_a_cancelled_session_tells_nobody_again(organiser):
    event = make_event(title="Live")
    session = make_session(event, title="Morning", status=SessionStatus.CANCELLED)
    make_appearance(make_item(session), make_person(event, email="ana@example.org"))

    with use_case():
        services.delete_session(session, by=organiser, now=NOW)

    assert _rows(EventSession) == 0
    assert _rows(OutboxMessage) == 0


def test_the_items_of_a_cancelled_session_cannot_be_added_changed_or_removed(organiser):
    session = make_session(make_event(), status=SessionStatus.CANCELLED)
    item = make_item(session, title="Panel")

    for attempt in (
        lambda: services.delete_item(item, by=organiser, now=NOW),
        lambda: services.update_item(item, by=organiser, now=NOW, title="Renamed"),
        lambda: services.create_item(session, by=organiser, now=NOW, title="New", starts_at=at(8), ends_at=at(9)),
    ):
        with pytest.raises(services.ItemOfCancelledSession):
            attempt()
        db.session.rollback()
    assert db.session.scalars(select(AgendaItem.title)).all() == ["Panel"]


@pytest.mark.usefixtures("app_context")
def test_who_moves_up_names_the_first_on_the_waiting_list_only_for_a_held_seat():
    session = make_online_session(capacity=1, seats_taken=1)
    seated = make_registration(session, full_name="Bo Berg")
    first = make_registration(session, full_name="Cleo Diaz", status=RegistrationStatus.WAITLISTED, waitlisted_at=at(1))
    make_registration(session, full_name="Dan Eke", status=RegistrationStatus.WAITLISTED, waitlisted_at=at(2))

    assert who_moves_up(seated) == [first]
    assert who_moves_up(first) == []
    session.capacity = None
    assert [r.full_name for r in who_moves_up(seated)] == ["Cleo Diaz", "Dan Eke"]
    session.status = SessionStatus.CANCELLED
    assert who_moves_up(seated) == []


# --- warnings -------------------------------------------------------------------------------------


def test_past_date_warnings_for_an_event_and_a_session():
    now = datetime(2030, 10, 30, 12, 0, tzinfo=UTC)

    event = services.past_date_warnings("The event", now=now, timezone="Europe/Brussels", ends_on=date(2030, 10, 29))
    today = services.past_date_warnings("The event", now=now, timezone="Europe/Brussels", ends_on=date(2030, 10, 30))
    session = services.past_date_warnings(
        "The session", now=now, timezone="Europe/Brussels", starts_at=at(8), ends_at=at(9)
    )
    later = services.past_date_warnings(
        "The session", now=now, timezone="Europe/Brussels", starts_at=at(14), ends_at=at(15)
    )

    assert [(w.kind, w.message) for w in event] == [
        ("past", "The event ends in the past (29 October 2030). Check the date, or save anyway.")
    ]
    assert today == [] and later == []
    assert [w.message for w in session] == [
        "The session ends in the past (Wednesday 30 October 2030, 09:00–10:00 CET). Check the date, or save anyway."
    ]


@pytest.mark.usefixtures("app_context")
def test_new_session_room_clashes_names_the_session_already_in_the_room():
    event = make_event()
    make_session(event, title="Morning", location="Room 1", starts_at=at(8), ends_at=at(11))
    make_session(
        event, title="Called off", location="Room 2", starts_at=at(8), ends_at=at(11), status=SessionStatus.CANCELLED
    )

    clash = new_session_room_clashes(event, title="Workshop", starts_at=at(10), ends_at=at(12), location=" room 1 ")
    freed = new_session_room_clashes(event, title="Workshop", starts_at=at(10), ends_at=at(12), location="Room 2")
    nowhere = new_session_room_clashes(event, title="Workshop", starts_at=at(10), ends_at=at(12), location="")

    assert [w.message for w in clash] == [
        "The session “Morning” (09:00–12:00 CET) and the new session “Workshop” (11:00–13:00 CET) are both in "
        "“Room 1” at the same time."
    ]
    assert freed == [] and nowhere == []
