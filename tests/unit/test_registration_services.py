"""Registration rules on the real database: seats, waiting list, duplicates, cancellations, session changes."""

import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.activity import CommandActor
from app.errors import (
    AlreadyRegistered,
    CapacityTooLow,
    InvalidToken,
    RegistrationClosed,
    SessionCancelled,
    SessionFull,
    ValidationFailed,
)
from app.extensions import db
from app.mail.outbox import links_of, with_links
from app.models import OutboxMessage, OutboxStatus, Registration, RegistrationStatus, SessionStatus
from app.registration.services import (
    RegistrationState,
    cancel_registration,
    cancel_session,
    change_capacity,
    change_join_link,
    find_by_token,
    promote_registration,
    register_attendee,
    registration_state,
    reschedule_session,
    update_registration,
    waitlist_place,
)
from app.transaction import use_case
from tests.factories import DAY, at, make_online_session

NOW = at(9, day=DAY - timedelta(days=10))
OPERATOR = CommandActor("flask shell")
STARTS = at(8)


def _register(session, email="amina@example.com", **fields):
    values = dict(
        full_name="Amina Diallo",
        email=email,
        organisation="Ministry of Interior, Nigeria",
        group="partner_country",
        question="How will the new call treat partnerships?",
        consent=True,
        timezone="Africa/Lagos",
        now=NOW,
    )
    values.update(fields)
    return register_attendee(session, **values)


def _outbox(**where) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query))


def _kinds(registration) -> list[tuple[str, OutboxStatus]]:
    return [(m.kind, m.status) for m in _outbox(registration_id=registration.id)]


def _ical(message: OutboxMessage):
    calendar = icalendar.Calendar.from_ical(message.ics)
    assert calendar.errors == []
    return calendar, calendar.events[0]


def _link(message: OutboxMessage) -> str:
    return re.search(r"/registrations/([\w-]+)/", with_links(message.body_text, links_of(message))).group(1)


def test_register_attendee_with_free_seat_confirms_and_queues_invite_and_plans_reminders(app_context):
    session = make_online_session(capacity=10)

    result = _register(session)

    registration = result.registration
    assert (registration.status, result.place, session.seats_taken) == (RegistrationStatus.CONFIRMED, None, 1)
    assert registration.consent_version == "2026-11"
    assert registration.email_normalised == "amina@example.com"
    assert find_by_token(result.token) is registration
    confirmation, day_before, hour_before = _outbox(registration_id=registration.id)
    assert (confirmation.kind, confirmation.ics_method, confirmation.not_before) == ("confirmation", "REQUEST", NOW)
    assert links_of(confirmation) == [f"http://127.0.0.1:5000/registrations/{result.token}/"]
    assert f"/registrations/{result.token}/" in with_links(confirmation.body_text, links_of(confirmation))
    assert result.token not in confirmation.body_text + confirmation.body_html
    assert "https://meet.example.org/looking-ahead" in confirmation.body_text
    assert "09:00–10:30 (Europe/Brussels)" in confirmation.body_text
    assert "Wednesday 30 October 2030, 09:00–10:30 WAT in your time zone (Africa/Lagos)" in confirmation.body_text
    calendar, event = _ical(confirmation)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert (str(event["UID"]), event["SEQUENCE"]) == (f"{registration.uid}@events.example.org", 0)
    # The reminders are due rows naming the registration and kind: their text is written when they fall due.
    assert [
        (m.kind, m.not_before, m.registration_id, m.subject, m.body_text, m.body_html, m.ics, m.private_links)
        for m in (day_before, hour_before)
    ] == [
        ("reminder_24h", STARTS - timedelta(hours=24), registration.id, "", "", "", None, None),
        ("reminder_1h", STARTS - timedelta(hours=1), registration.id, "", "", "", None, None),
    ]


def test_register_attendee_when_full_waitlists_in_order_without_join_link(app_context):
    session = make_online_session(capacity=1)
    _register(session, "first@example.com")

    second = _register(session, "second@example.com")
    third = _register(session, "third@example.com", now=NOW + timedelta(minutes=1))

    assert (second.registration.status, second.place, third.place) == (RegistrationStatus.WAITLISTED, 1, 2)
    assert session.seats_taken == 1
    [message] = _outbox(registration_id=second.registration.id)
    assert (message.kind, message.ics, message.ics_method) == ("waitlisted", None, None)
    assert "in place 1" in message.body_text
    assert "meet.example.org" not in message.body_text + message.body_html


def test_register_attendee_when_full_without_waitlist_refuses_and_queues_nothing(app_context):
    session = make_online_session(capacity=1, waitlist_enabled=False)
    _register(session, "first@example.com")

    with pytest.raises(SessionFull, match="full and has no waiting list"):
        _register(session, "second@example.com")

    assert db.session.scalar(select(Registration.email).where(Registration.email == "second@example.com")) is None
    assert len(_outbox(kind="confirmation")) == 1


@pytest.mark.parametrize(
    ("fields", "now", "message"),
    [
        ({}, STARTS, "Registration for this session is closed."),
        ({"registration_opens_at": NOW + timedelta(days=1)}, NOW, "opens on Monday 21 October 2030, 11:00 CEST"),
        ({"registration_enabled": False}, NOW, "Registration for this session is closed."),
        ({"status": SessionStatus.CANCELLED}, NOW, "Registration for this session is closed."),
    ],
    ids=["after-window", "before-window", "not-offered", "session-cancelled"],
)
def test_register_attendee_outside_window_is_refused(app_context, fields, now, message):
    session = make_online_session(**fields)

    with pytest.raises(RegistrationClosed, match=message):
        _register(session, now=now)

    assert db.session.scalars(select(Registration)).all() == []
    assert _outbox() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"consent": False}, "agree to the privacy notice"),
        ({"full_name": "Eve\r\nBcc: x@example.com"}, "full name contains characters"),
        ({"full_name": "x" * 201}, "full name is longer than 200"),
        ({"full_name": "   "}, "give your full name"),
        ({"email": "not an email"}, "valid email"),
        ({"email": "a@example.com\r\nBcc: b@example.com"}, "valid email"),
        ({"group": "astronauts"}, "choose the group"),
        ({"question": "q" * 2001}, "question is longer than 2000"),
    ],
    ids=["no-consent", "crlf-name", "long-name", "blank-name", "bad-email", "crlf-email", "bad-group", "long-q"],
)
def test_register_attendee_with_bad_input_is_refused(app_context, fields, message):
    session = make_online_session()

    with pytest.raises(ValidationFailed, match=message):
        _register(session, **fields)

    assert session.seats_taken == 0
    assert _outbox() == []


def test_register_attendee_keeps_line_breaks_in_question(app_context):
    result = _register(make_online_session(), question="First line\r\nSecond line")

    assert result.registration.question == "First line\nSecond line"


def test_register_attendee_takes_the_free_texts_by_the_one_rule_tabs_kept_line_breaks_as_lf(app_context):
    result = _register(make_online_session(), question="Two\tcolumns\rnext line", accessibility_needs="Captions\r\n")

    assert (result.registration.question, result.registration.accessibility_needs) == (
        "Two\tcolumns\nnext line",
        "Captions",
    )


def test_register_attendee_refuses_a_control_character_in_a_free_text(app_context):
    with pytest.raises(ValidationFailed, match="accessibility needs contains characters that are not allowed"):
        _register(make_online_session(), accessibility_needs="bell\x07")


def test_register_attendee_twice_sends_fresh_manage_link_once_and_creates_nothing(app_context):
    session = make_online_session()
    first = _register(session)

    with pytest.raises(AlreadyRegistered, match="already registered") as raised:
        _register(session, "AMINA@example.com", full_name="Someone Else", now=NOW + timedelta(hours=1))
    with pytest.raises(AlreadyRegistered) as again:
        _register(session, "amina@example.com", now=NOW + timedelta(hours=1, minutes=5))

    assert "Amina" not in str(raised.value)
    # Each says what really happened: a fresh link the first time, none the second (one went minutes ago).
    assert (raised.value.message, again.value.message) == (AlreadyRegistered.SENT, AlreadyRegistered.NOT_SENT)
    assert db.session.scalar(select(Registration.full_name)) == "Amina Diallo"
    assert session.seats_taken == 1
    [link_message] = _outbox(kind="manage_link")
    new_token = _link(link_message)
    assert find_by_token(new_token) is first.registration
    with pytest.raises(InvalidToken):
        find_by_token(first.token)


def test_register_attendee_twice_at_the_edge_commits_the_fresh_manage_link_and_still_says_so(app_context):
    session = make_online_session()
    with use_case():
        first_id = _register(session).registration.id

    with pytest.raises(AlreadyRegistered), use_case():
        _register(session, now=NOW + timedelta(hours=1))
    db.session.rollback()  # nothing left to undo: the edge committed the fresh link before the error went on

    [link_message] = _outbox(kind="manage_link")
    assert find_by_token(_link(link_message)).id == first_id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_register_attendee_twice_within_minutes_sends_no_second_email(app_context):
    session = make_online_session()
    first = _register(session)

    with pytest.raises(AlreadyRegistered):
        _register(session, now=NOW + timedelta(minutes=2))

    assert _outbox(kind="manage_link") == []
    assert find_by_token(first.token) is first.registration


@pytest.mark.parametrize(
    "change",
    [{"capacity": 1, "waitlist_enabled": False}, {"registration_closes_at": NOW + timedelta(minutes=30)}],
    ids=["full", "closed"],
)
def test_register_attendee_again_where_a_newcomer_is_refused_still_says_already_registered(app_context, change):
    session = make_online_session()
    first = _register(session)
    for name, value in change.items():
        setattr(session, name, value)
    db.session.commit()

    with pytest.raises(AlreadyRegistered):
        _register(session, "Amina@example.com", now=NOW + timedelta(hours=1))

    [link_message] = _outbox(kind="manage_link")
    assert find_by_token(_link(link_message)) == first.registration
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_register_attendee_again_after_cancelling_makes_a_new_registration(app_context):
    session = make_online_session()
    first = _register(session)
    cancel_registration(first.registration, now=NOW)

    second = _register(session, now=NOW + timedelta(minutes=1))

    assert second.registration.id != first.registration.id
    assert second.registration.uid != first.registration.uid
    assert session.seats_taken == 1


def test_cancel_registration_sends_cancel_and_promotes_first_waitlisted_in_same_transaction(app_context):
    session = make_online_session(capacity=1)
    holder = _register(session, "holder@example.com").registration
    next_in_line = _register(session, "next@example.com", now=NOW + timedelta(minutes=1)).registration
    later = _register(session, "later@example.com", now=NOW + timedelta(minutes=2)).registration

    cancel_registration(holder, now=NOW + timedelta(days=1))

    assert (holder.status, holder.sequence, holder.cancelled_at) == (
        RegistrationStatus.CANCELLED,
        1,
        NOW + timedelta(days=1),
    )
    assert (next_in_line.status, session.seats_taken, waitlist_place(later)) == (RegistrationStatus.CONFIRMED, 1, 1)
    assert _kinds(holder) == [
        ("confirmation", OutboxStatus.QUEUED),
        ("reminder_24h", OutboxStatus.CANCELLED),
        ("reminder_1h", OutboxStatus.CANCELLED),
        ("cancellation", OutboxStatus.QUEUED),
    ]
    calendar, event = _ical(_outbox(registration_id=holder.id, kind="cancellation")[0])
    assert (str(calendar["METHOD"]), event["SEQUENCE"], str(event["STATUS"])) == ("CANCEL", 1, "CANCELLED")
    assert str(event["UID"]) == f"{holder.uid}@events.example.org"
    assert [k for k, _ in _kinds(next_in_line)] == ["waitlisted", "promoted", "reminder_24h", "reminder_1h"]
    promoted = _outbox(registration_id=next_in_line.id, kind="promoted")[0]
    assert promoted.ics_method == "REQUEST"
    assert "you are in" in promoted.body_text
    assert "https://meet.example.org/looking-ahead" in promoted.body_text


def test_cancel_waitlisted_registration_frees_no_seat_and_moves_the_list_up(app_context):
    session = make_online_session(capacity=1)
    _register(session, "holder@example.com")
    leaving = _register(session, "leaving@example.com", now=NOW + timedelta(minutes=1)).registration
    staying = _register(session, "staying@example.com", now=NOW + timedelta(minutes=2)).registration

    cancel_registration(leaving, now=NOW + timedelta(hours=1))

    assert (staying.status, waitlist_place(staying), session.seats_taken) == (RegistrationStatus.WAITLISTED, 1, 1)
    [_, goodbye] = _outbox(registration_id=leaving.id)
    assert (goodbye.kind, goodbye.ics_method, leaving.sequence) == ("cancellation", None, 0)
    assert "left the waiting list" in goodbye.body_text


def test_cancel_registration_twice_is_refused(app_context):
    registration = _register(make_online_session()).registration
    cancel_registration(registration, now=NOW)

    with pytest.raises(Exception, match="already cancelled"):
        cancel_registration(registration, now=NOW)


def test_change_capacity_up_promotes_waiting_list_in_order(app_context):
    session = make_online_session(capacity=1)
    _register(session, "a@example.com")
    waiting = [_register(session, f"w{n}@example.com", now=NOW + timedelta(minutes=n)).registration for n in range(3)]

    promoted = change_capacity(session, 3, by=OPERATOR, now=NOW + timedelta(hours=1))

    assert promoted == waiting[:2]
    assert [r.status for r in waiting] == [RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.WAITLISTED]
    assert (session.capacity, session.seats_taken, waitlist_place(waiting[2])) == (3, 3, 1)
    assert len(_outbox(kind="promoted")) == 2


def test_change_capacity_to_no_limit_promotes_everyone(app_context):
    session = make_online_session(capacity=1)
    _register(session, "a@example.com")
    _register(session, "b@example.com")

    change_capacity(session, None, by=OPERATOR, now=NOW)

    assert session.seats_taken == 2
    assert db.session.scalar(select(Registration).where(Registration.status == RegistrationStatus.WAITLISTED)) is None


def test_change_capacity_below_seats_taken_is_refused(app_context):
    session = make_online_session(capacity=3)
    _register(session, "a@example.com")
    _register(session, "b@example.com")

    with pytest.raises(CapacityTooLow, match="lower than the 2 seats already taken"):
        change_capacity(session, 1, by=OPERATOR, now=NOW)

    db.session.expire_all()
    assert session.capacity == 3


def test_reschedule_session_updates_confirmed_invites_and_moves_reminders(app_context):
    session = make_online_session(capacity=1)
    confirmed = _register(session, "a@example.com").registration
    waiting = _register(session, "b@example.com").registration
    new_start = STARTS + timedelta(days=1, hours=2)

    reschedule_session(session, starts_at=new_start, ends_at=new_start + timedelta(hours=1), by=OPERATOR, now=NOW)

    assert (confirmed.sequence, session.version, session.registration_closes_at) == (1, 1, STARTS)
    # The same reminder rows, re-timed: nothing to rewrite, their text is written when they fall due.
    assert [k for k in _kinds(confirmed)] == [
        ("confirmation", OutboxStatus.QUEUED),
        ("reminder_24h", OutboxStatus.QUEUED),
        ("reminder_1h", OutboxStatus.QUEUED),
        ("update", OutboxStatus.QUEUED),
    ]
    update = _outbox(registration_id=confirmed.id, kind="update")[0]
    assert "moved from Wednesday 30 October 2030, 09:00–10:30 CET to Thursday 31 October 2030, 11:00–12:00 CET" in (
        update.body_text
    )
    calendar, event = _ical(update)
    assert (str(calendar["METHOD"]), event["SEQUENCE"], event.start) == ("REQUEST", 1, new_start)
    assert str(event["UID"]) == f"{confirmed.uid}@events.example.org"
    reminders = [m for m in _outbox(registration_id=confirmed.id) if m.kind.startswith("reminder")]
    assert [(m.not_before, m.body_text) for m in reminders] == [
        (new_start - timedelta(hours=24), ""),
        (new_start - timedelta(hours=1), ""),
    ]
    # The waiting list hears of the move (no invite: no seat), with its place.
    assert [k for k, _ in _kinds(waiting)] == ["waitlisted", "waitlist_update"]
    [note] = _outbox(registration_id=waiting.id, kind="waitlist_update")
    assert (note.ics, waiting.sequence) == (None, 0)
    assert "You are still on the waiting list, in place 1." in note.body_text


def test_reschedule_session_ending_before_it_starts_is_refused(app_context):
    session = make_online_session()

    with pytest.raises(ValidationFailed, match="end after it starts"):
        reschedule_session(session, starts_at=STARTS, ends_at=STARTS, by=OPERATOR, now=NOW)


def test_change_join_link_updates_invites_and_leaves_reminders_to_be_written_when_due(app_context):
    session = make_online_session()
    registration = _register(session).registration
    planned = [(m.id, m.not_before) for m in _outbox(registration_id=registration.id) if m.kind.startswith("rem")]

    change_join_link(session, "https://meet.example.org/new-room", by=OPERATOR, now=NOW)

    update = _outbox(registration_id=registration.id, kind="update")[0]
    assert "the link to join online changed" in update.body_text
    assert "https://meet.example.org/new-room" in update.body_text
    _, event = _ical(update)
    assert (event["SEQUENCE"], str(event["LOCATION"])) == (1, "https://meet.example.org/new-room")
    # The reminders stay as they were (they carry the link they find when due: tests/unit/test_reminders.py).
    queued_reminders = [
        m for m in _outbox(registration_id=registration.id, status=OutboxStatus.QUEUED) if m.kind.startswith("rem")
    ]
    assert [(m.id, m.not_before) for m in queued_reminders] == planned


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://meet.example.org/\r\nX: y"])
def test_change_join_link_refuses_what_is_not_a_web_address(app_context, url):
    session = make_online_session()

    with pytest.raises(ValidationFailed, match="must be a web address"):
        change_join_link(session, url, by=OPERATOR, now=NOW)


def test_cancel_session_sends_cancel_to_confirmed_and_a_note_to_the_waiting_list(app_context):
    session = make_online_session(capacity=1)
    confirmed = _register(session, "a@example.com").registration
    waiting = _register(session, "b@example.com").registration

    cancel_session(session, reason="The panel could not\r\nattend.", by=OPERATOR, now=NOW)

    assert (session.status, confirmed.sequence, waiting.sequence) == (SessionStatus.CANCELLED, 1, 0)
    cancel = _outbox(registration_id=confirmed.id, kind="session_cancelled")[0]
    calendar, event = _ical(cancel)
    assert (str(calendar["METHOD"]), event["SEQUENCE"]) == ("CANCEL", 1)
    assert "The panel could not attend." in cancel.body_text
    note = _outbox(registration_id=waiting.id, kind="session_cancelled")[0]
    assert note.ics is None
    assert not _outbox(status=OutboxStatus.QUEUED, kind="reminder_1h")
    assert registration_state(session, now=NOW) == RegistrationState.CANCELLED


def test_after_cancel_session_leaving_or_more_seats_promote_nobody_and_send_nothing(app_context):
    session = make_online_session(capacity=1)
    confirmed = _register(session, "a@example.com").registration
    waiting = _register(session, "b@example.com").registration
    cancel_session(session, by=OPERATOR, now=NOW)
    before = len(_outbox())

    cancel_registration(confirmed, now=NOW + timedelta(hours=1))
    # A called-off session's capacity no longer changes (nor can a seat be given out of turn).
    with pytest.raises(SessionCancelled):
        change_capacity(session, 5, by=OPERATOR, now=NOW + timedelta(hours=2))
    with pytest.raises(SessionCancelled):
        promote_registration(waiting, by=OPERATOR, now=NOW + timedelta(hours=2))
    with pytest.raises(SessionCancelled):  # no updated invite for a session that will not take place
        change_join_link(session, "https://meet.example.org/elsewhere", by=OPERATOR, now=NOW + timedelta(hours=2))

    db.session.expire_all()
    assert session.capacity == 1
    assert (confirmed.status, confirmed.sequence, waiting.status) == (
        RegistrationStatus.CANCELLED,
        1,
        RegistrationStatus.WAITLISTED,
    )
    assert len(_outbox()) == before


def test_reminders_are_planned_only_while_still_ahead(app_context):
    session = make_online_session()

    result = _register(session, now=STARTS - timedelta(hours=2))

    assert [m.kind for m in _outbox(registration_id=result.registration.id)] == ["confirmation", "reminder_1h"]


def test_update_registration_changes_details_but_not_the_email(app_context):
    registration = _register(make_online_session()).registration

    with use_case():
        update_registration(
            registration,
            full_name="Amina B. Diallo",
            organisation="ECOWAS",
            group="other",
            question="A new question",
            accessibility_needs="Live captions",
            timezone="Not/AZone",
            now=NOW,
        )

    db.session.expire_all()
    assert (registration.full_name, registration.organisation, registration.group) == (
        "Amina B. Diallo",
        "ECOWAS",
        "other",
    )
    assert (registration.question, registration.accessibility_needs, registration.timezone) == (
        "A new question",
        "Live captions",
        None,
    )
    assert registration.email == "amina@example.com"


def test_find_by_token_refuses_unknown_and_overlong_tokens(app_context):
    _register(make_online_session())

    for token in ("", "wrong", "x" * 500):
        with pytest.raises(InvalidToken, match="This link is not valid."):
            find_by_token(token)


def test_register_attendee_runs_one_statement_per_step_seated_or_waitlisted(app_context, count_queries):
    session = make_online_session(capacity=3)
    with use_case():  # each registration is its own request, committed by the view
        _register(session, "warm@example.com")
    with count_queries() as seated, use_case():
        _register(session, "counted@example.com")
    for n in range(5):
        with use_case():
            _register(session, f"more{n}@example.com")

    with count_queries() as waitlisted, use_case():
        _register(session, "waitlisted@example.com")

    # The ORM sends the outbox rows in one INSERT on PostgreSQL, one INSERT each on SQLite.
    outbox = ["INSERT INTO outbox_messages"] * (1 if db.engine.dialect.name == "postgresql" else 3)
    # The session object expired with the last commit (refreshed), then locked and read afresh, its event.
    read = ["SELECT event_sessions.id, event_sessions.event_id,"] * 2 + ["SELECT events.id, events.slug,"]
    assert _statements(seated) == [
        *read,
        "UPDATE event_sessions SET",  # the seat
        "INSERT INTO registrations",  # the partial unique index is the duplicate check
        *outbox,  # the confirmation and the two reminders (rows with no text)
        "INSERT INTO activity_entries",
    ]
    assert _statements(waitlisted) == [
        *read,
        "INSERT INTO registrations",
        "SELECT count(*) AS",  # the place on the waiting list
        "INSERT INTO outbox_messages",
        "INSERT INTO activity_entries",
    ]
    assert "FOR UPDATE" in seated[1] or db.engine.dialect.name == "sqlite"


def _statements(statements: list[str]) -> list[str]:
    """Each statement's first words: what it does and to which table."""
    return [" ".join(statement.split()[:3]) for statement in statements]


def test_register_attendee_whose_commit_fails_leaves_neither_registration_nor_email(app_context):
    session = make_online_session()
    session_id = session.id

    def refuse_commit(_session):
        raise RuntimeError("the database refused the commit")

    sa_event.listen(db.session, "before_commit", refuse_commit)
    try:
        with pytest.raises(RuntimeError, match="refused the commit"), use_case():
            _register(session)
    finally:
        sa_event.remove(db.session, "before_commit", refuse_commit)
    db.session.rollback()

    assert db.session.scalars(select(Registration)).all() == []
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert db.session.get(type(session), session_id).seats_taken == 0
