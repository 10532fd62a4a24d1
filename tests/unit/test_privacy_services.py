"""The privacy lifecycle on the real database: erasure, the data a person downloads, accessibility needs going
first, and the retention job (exactly the registrations and bodies past their date, and nothing on a second run)."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.activity import CommandActor
from app.errors import DomainError, InvalidToken
from app.extensions import db
from app.mail.delivery import deliver_due, work
from app.mail.outbox import enqueue_message
from app.models import (
    ActivityEntry,
    ActorKind,
    EventSession,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    utcnow,
)
from app.organiser import reports
from app.privacy import services as privacy
from app.registration import listing as organiser_registrations
from app.registration.services import (
    cancel_registration,
    cancel_session,
    change_capacity,
    erase_registration,
    find_by_token,
    promote_registration,
    register_attendee,
)
from tests.factories import DAY, at, make_online_session, make_registration
from tests.http.conftest import make_organiser
from tests.personal_data import text_columns, where_found

NOW = at(9, day=DAY - timedelta(days=10))
#: What the attendee typed: none of it may remain anywhere after an erasure.
AMINA = dict(
    full_name="Amina Zebradottir",
    email="amina.zebra@example.com",
    organisation="Ministry of Quokkas",
    question="Will the quokka partnership continue?",
    accessibility_needs="Wheelchair-accessible quokka seating",
)


def _register(session, email=AMINA["email"], **fields):
    values = dict(AMINA, email=email, group="partner_country", consent=True, timezone="Africa/Lagos", now=NOW)
    values.update(fields)
    return register_attendee(session, **values)


def _reload(registration: Registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def _kinds(registration_id: int) -> list[tuple[str, OutboxStatus]]:
    return [
        (m.kind, m.status)
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.registration_id == registration_id).order_by(OutboxMessage.id)
        )
    ]


# --- erasure -----------------------------------------------------------------------------------------


def test_erasing_a_confirmed_registration_frees_the_seat_for_the_first_waiting_and_sends_no_cancellation(
    app_context,
):
    session = make_online_session(capacity=1)
    holder = _register(session)
    waiting = _register(session, email="bo@example.com", full_name="Bo Berg")

    erase_registration(holder.registration, now=NOW + timedelta(hours=1))

    erased, promoted = _reload(holder.registration), _reload(waiting.registration)
    assert (erased.status, erased.cancelled_at) == (RegistrationStatus.CANCELLED, NOW + timedelta(hours=1))
    assert promoted.status == RegistrationStatus.CONFIRMED
    assert db.session.get(EventSession, session.id).seats_taken == 1
    assert ("promoted", OutboxStatus.QUEUED) in _kinds(promoted.id)
    # The erased one's mail: the confirmation sent or not, cancelled; no cancellation written.
    assert [kind for kind, _ in _kinds(erased.id)] == ["confirmation", "reminder_24h", "reminder_1h"]
    assert {status for _, status in _kinds(erased.id)} == {OutboxStatus.CANCELLED}


def test_an_erased_registration_is_anonymised_in_place_and_its_link_answers_nothing(app_context):
    session = make_online_session()
    result = _register(session)

    erase_registration(result.registration, now=NOW + timedelta(hours=1))

    erased = _reload(result.registration)
    assert (erased.full_name, erased.email, erased.organisation, erased.question) == ("", "", "", "")
    assert (erased.accessibility_needs, erased.timezone) == ("", None)
    assert erased.email_normalised == erased.manage_token_hash == f"erased-{erased.id}"
    assert erased.anonymised_at == NOW + timedelta(hours=1)
    # Kept for the counts: group, status, times, the consent's version.
    assert (erased.group.value, erased.created_at, erased.consent_version) == ("partner_country", NOW, "2026-11")
    with pytest.raises(InvalidToken):
        find_by_token(result.token)


def test_after_erasure_no_text_column_of_any_table_holds_the_persons_data(app_context, mail_server):
    session = make_online_session(capacity=1)
    result = _register(session)
    deliver_due(now=NOW)  # the confirmation goes out (a body at rest, sent); the reminders wait
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.registration_id == result.registration.id, OutboxMessage.kind == "confirmation")
        .values(last_error=f"550 earlier: <{AMINA['email']}> mailbox full")
    )
    db.session.commit()
    assert {needle for _, _, needle in where_found(*AMINA.values())} == set(AMINA.values())

    erase_registration(result.registration, now=NOW + timedelta(hours=1))

    assert len(text_columns()) > 40  # the search does look everywhere
    assert where_found(*AMINA.values(), "Zebradottir", "amina.zebra") == []


def test_erasing_a_waitlisted_or_cancelled_registration_changes_no_seat(app_context):
    session = make_online_session(capacity=1)
    holder = _register(session, email="holder@example.com")
    waiting = _register(session)
    cancelled = _register(session, email="gone@example.com")
    cancel_registration(cancelled.registration, now=NOW)

    erase_registration(waiting.registration, now=NOW)
    erase_registration(cancelled.registration, now=NOW)

    assert db.session.get(EventSession, session.id).seats_taken == 1
    assert _reload(holder.registration).status == RegistrationStatus.CONFIRMED
    assert [_reload(r.registration).status for r in (waiting, cancelled)] == [RegistrationStatus.CANCELLED] * 2
    assert [_reload(r.registration).full_name for r in (waiting, cancelled)] == ["", ""]


def test_erasing_twice_is_refused_and_changes_nothing(app_context):
    result = _register(make_online_session())
    erase_registration(result.registration, now=NOW)

    with pytest.raises(DomainError, match="already erased"):
        erase_registration(_reload(result.registration), now=NOW + timedelta(days=1))

    assert _reload(result.registration).anonymised_at == NOW


def test_after_erasure_the_same_address_can_register_again(app_context):
    session = make_online_session()
    first = _register(session)
    erase_registration(first.registration, now=NOW)

    again = _register(session, now=NOW + timedelta(minutes=1))

    assert again.registration.status == RegistrationStatus.CONFIRMED
    assert again.registration.id != first.registration.id


def test_an_anonymised_registration_is_never_written_to_moved_up_or_cancelled(app_context):
    organiser = make_organiser()
    session = make_online_session(capacity=1)
    make_registration(session, email="holder@example.com")
    waiting = make_registration(session, status=RegistrationStatus.WAITLISTED, waitlisted_at=NOW)
    confirmed = make_registration(session, email="kept@example.com")
    privacy.anonymise_registrations(Registration.id.in_([waiting.id, confirmed.id]), now=NOW)
    db.session.commit()

    promoted = change_capacity(db.session.get(EventSession, session.id), 5, by=organiser, now=NOW)
    sent = organiser_registrations.message_registrants(
        session, audience="confirmed", subject="Hello", body="Text", by=organiser, now=NOW
    )
    with pytest.raises(DomainError, match="not on the waiting list"):
        promote_registration(_reload(waiting), by=organiser, now=NOW)
    with pytest.raises(DomainError, match="personal data of this registration is erased"):
        cancel_registration(_reload(confirmed), now=NOW)

    assert (promoted, sent) == ([], 1)
    assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["holder@example.com"]


# --- accessibility needs go first ----------------------------------------------------------------------


def test_cancelling_clears_the_accessibility_needs_at_once(app_context):
    result = _register(make_online_session())

    cancel_registration(result.registration, now=NOW)

    cancelled = _reload(result.registration)
    assert (cancelled.accessibility_needs, cancelled.full_name) == ("", AMINA["full_name"])


def test_calling_the_session_off_clears_its_attendees_accessibility_needs(app_context):
    session = make_online_session()
    result = _register(session)

    cancel_session(session, by=make_organiser(), now=NOW)

    assert _reload(result.registration).accessibility_needs == ""
    assert _reload(result.registration).question == AMINA["question"]


# --- the downloadable data --------------------------------------------------------------------------------


def test_registration_data_holds_every_field_the_status_history_and_the_emails(app_context, mail_server):
    session = make_online_session(capacity=1, title="Looking Ahead")
    make_registration(session, email="holder@example.com")
    db.session.get(EventSession, session.id).seats_taken = 1
    db.session.commit()
    result = _register(session)  # waiting list
    cancel_registration(
        db.session.scalar(select(Registration).where(Registration.email == "holder@example.com")),
        now=NOW + timedelta(days=1),
    )  # Amina moves up
    deliver_due(now=NOW + timedelta(days=1))

    data = json.loads(privacy.registration_json(_reload(result.registration), now=NOW + timedelta(days=2)))

    assert data["exported_at"] == (NOW + timedelta(days=2)).isoformat()
    assert data["session"] == {
        "title": "Looking Ahead",
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
    }
    assert data["registration"] == {
        "full_name": AMINA["full_name"],
        "email": AMINA["email"],
        "organisation": AMINA["organisation"],
        "group": "partner_country",
        "group_label": "Partner country authority",
        "question": AMINA["question"],
        "accessibility_needs": AMINA["accessibility_needs"],
        "timezone": "Africa/Lagos",
        "status": "confirmed",
        "privacy_notice_version": "2026-11",
        "consented_at": NOW.isoformat(),
        "created_at": NOW.isoformat(),
        "updated_at": (NOW + timedelta(days=1)).isoformat(),
    }
    assert data["status_history"] == [
        {"status": "registered", "at": NOW.isoformat()},
        {"status": "waitlisted", "at": NOW.isoformat()},
        {"status": "confirmed", "at": (NOW + timedelta(days=1)).isoformat()},
    ]
    sent = (NOW + timedelta(days=1)).isoformat()
    assert [(e["kind"], e["to"], e["status"], e["sent_at"]) for e in data["emails"]] == [
        ("waitlisted", AMINA["email"], "sent", sent),
        ("promoted", AMINA["email"], "sent", sent),
        ("reminder_24h", AMINA["email"], "queued", None),
        ("reminder_1h", AMINA["email"], "queued", None),
    ]
    assert data["emails"][1]["subject"] == "You are in: Looking Ahead"
    assert data["retention"] == {
        "registration_anonymised_days_after_session": 90,
        "message_bodies_deleted_days_after_delivery": 30,
    }
    assert privacy.data_file_name(result.registration) == (
        f"registration-{session.event.slug}-{session.id}-{result.registration.id}.json"
    )


# --- retention --------------------------------------------------------------------------------------------

#: The retention job's clock; sessions end relative to it.
RUN = at(12, day=DAY + timedelta(days=200))


def _ended(days_ago: float, **fields) -> EventSession:
    ends = RUN - timedelta(days=days_ago)
    return make_online_session(starts_at=ends - timedelta(hours=1), ends_at=ends, registration_closes_at=None, **fields)


def _registration(session, name: str, **fields) -> Registration:
    return make_registration(
        session,
        full_name=name,
        email=f"{name.lower()}@example.com",
        question=f"Question of {name}",
        accessibility_needs=f"Needs of {name}",
        timezone="Asia/Tbilisi",
        **fields,
    )


def _message(registration: Registration | None, *, status: OutboxStatus, sent_days_ago: float | None, **fields):
    message = enqueue_message(
        kind="confirmation",
        to_address=registration.email if registration else "speaker@example.org",
        subject="Registered",
        body_text="The body text",
        body_html="<p>The body</p>",
        ics="BEGIN:VCALENDAR",
        registration=registration,
        event=registration.session.event if registration else None,
        **fields,
    )
    message.status = status
    message.created_at = RUN - timedelta(days=(sent_days_ago or 0) + 1)
    message.sent_at = RUN - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    db.session.commit()
    return message


def _snapshot() -> list:
    db.session.expire_all()
    registrations = db.session.execute(select(Registration.__table__).order_by(Registration.id)).all()
    messages = db.session.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id)).all()
    return [tuple(row) for row in registrations + messages]


def test_retention_anonymises_exactly_the_registrations_past_their_date_and_a_second_run_changes_nothing(
    app_context,
):
    at_89 = _registration(_ended(89), "Eightynine")
    at_91 = _registration(_ended(91), "Ninetyone")
    cancelled_91 = _registration(
        _ended(91.5), "Cancelledold", status=RegistrationStatus.CANCELLED, cancelled_at=RUN - timedelta(days=120)
    )
    waiting_91 = _registration(_ended(95), "Waitingold", status=RegistrationStatus.WAITLISTED, waitlisted_at=NOW)
    ahead = _registration(_ended(-3), "Notyet")
    cancelled_ahead = _registration(_ended(-3), "Cancellednew", status=RegistrationStatus.CANCELLED)
    confirmation_91 = _message(at_91, status=OutboxStatus.SENT, sent_days_ago=100)
    seats = {s.id: s.seats_taken for s in db.session.scalars(select(EventSession))}

    report = privacy.apply_retention(now=RUN)

    names = {r.id: r.full_name for r in db.session.scalars(select(Registration))}
    assert {rid for rid, name in names.items() if name == ""} == {at_91.id, cancelled_91.id, waiting_91.id}
    assert names[at_89.id] == "Eightynine" and names[ahead.id] == "Notyet"
    assert names[cancelled_ahead.id] == "Cancellednew"
    for anonymised in (at_91, cancelled_91, waiting_91):
        row = _reload(anonymised)
        assert (row.email, row.organisation, row.question, row.accessibility_needs, row.timezone) == (
            "",
            "",
            "",
            "",
            None,
        )
        assert row.anonymised_at == RUN and row.email_normalised == f"erased-{row.id}"
    # Status, group and times stay, and so do the seat counts.
    assert [_reload(r).status for r in (at_91, cancelled_91, waiting_91)] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.WAITLISTED,
    ]
    assert {s.id: s.seats_taken for s in db.session.scalars(select(EventSession))} == seats
    mail = db.session.get(OutboxMessage, confirmation_91.id)
    assert (mail.to_address, mail.to_name, mail.body_text, mail.body_html, mail.ics) == ("", "", "", "", None)
    assert (mail.status, mail.subject) == (OutboxStatus.SENT, "Registered")
    # Needs: gone for the sessions that ended (89 days ago too) and for the cancelled one ahead; kept ahead.
    assert _reload(at_89).accessibility_needs == ""
    assert _reload(at_89).question == "Question of Eightynine"
    assert _reload(cancelled_ahead).accessibility_needs == ""
    assert _reload(ahead).accessibility_needs == "Needs of Notyet"
    assert (report.anonymised, report.needs_cleared, report.bodies_purged) == (3, 5, 0)
    assert where_found("Ninetyone", "Cancelledold", "Waitingold") == []

    before = _snapshot()
    second = privacy.apply_retention(now=RUN)

    assert (second.anonymised, second.needs_cleared, second.bodies_purged, second.changed) == (0, 0, 0, False)
    assert _snapshot() == before


def test_accessibility_needs_go_when_the_session_has_ended_before_the_rest(app_context):
    just_ended = _registration(_ended(1 / 24), "Justended")
    running = _registration(_ended(-1 / 24), "Running")

    report = privacy.apply_retention(now=RUN)

    assert (_reload(just_ended).accessibility_needs, _reload(just_ended).full_name) == ("", "Justended")
    assert _reload(running).accessibility_needs == "Needs of Running"
    assert (report.needs_cleared, report.anonymised) == (1, 0)


def test_retention_deletes_the_bodies_of_messages_finished_past_the_mail_period_only(app_context):
    session = _ended(-10)
    attendee = _registration(session, "Mailed")
    old_sent = _message(attendee, status=OutboxStatus.SENT, sent_days_ago=31)
    recent_sent = _message(attendee, status=OutboxStatus.SENT, sent_days_ago=29)
    old_failed = _message(None, status=OutboxStatus.FAILED, sent_days_ago=None)
    db.session.get(OutboxMessage, old_failed.id).created_at = RUN - timedelta(days=45)
    old_queued = _message(attendee, status=OutboxStatus.QUEUED, sent_days_ago=None)
    db.session.get(OutboxMessage, old_queued.id).created_at = RUN - timedelta(days=45)
    db.session.commit()

    report = privacy.apply_retention(now=RUN)

    def body(message):
        row = db.session.get(OutboxMessage, message.id)
        return (row.body_text, row.body_html, row.ics, row.body_purged_at)

    db.session.expire_all()
    assert body(old_sent) == ("", "", None, RUN)
    assert body(old_failed) == ("", "", None, RUN)
    assert body(recent_sent) == ("The body text", "<p>The body</p>", "BEGIN:VCALENDAR", None)
    assert body(old_queued) == ("The body text", "<p>The body</p>", "BEGIN:VCALENDAR", None)  # still to go out
    # The record stays: who, what, when.
    kept = db.session.get(OutboxMessage, old_sent.id)
    assert (kept.to_address, kept.subject, kept.status) == ("mailed@example.com", "Registered", OutboxStatus.SENT)
    assert report.bodies_purged == 2
    assert privacy.apply_retention(now=RUN).bodies_purged == 0


def test_retention_follows_the_settings(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_RETENTION_DAYS", 10)
    monkeypatch.setitem(app.config, "MAIL_RETENTION_DAYS", 5)
    eleven = _registration(_ended(11), "Eleven")
    nine = _registration(_ended(9), "Nine")
    six = _message(nine, status=OutboxStatus.SENT, sent_days_ago=6)

    report = privacy.apply_retention(now=RUN)

    assert (_reload(eleven).full_name, _reload(nine).full_name) == ("", "Nine")
    assert db.session.get(OutboxMessage, six.id).body_text == ""
    assert str(report) == (
        "1 registration anonymised (10 days after their session), "
        "2 accessibility needs cleared (session ended, cancelled or called off), "
        "1 message body deleted (5 days after delivery)"
    )


def test_a_purged_failed_message_cannot_be_sent_again(app_context):
    organiser = make_organiser()
    message = _message(None, status=OutboxStatus.FAILED, sent_days_ago=None)
    db.session.get(OutboxMessage, message.id).created_at = RUN - timedelta(days=45)
    db.session.commit()
    privacy.apply_retention(now=RUN)

    with pytest.raises(DomainError, match="content of this message was deleted"):
        reports.resend_message(db.session.get(OutboxMessage, message.id), by=organiser, now=RUN)

    assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.FAILED


def test_counts_and_the_dashboard_stay_the_same_after_anonymisation(app_context):
    session = _ended(100, capacity=3)
    for n, status in enumerate([RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.CANCELLED]):
        _registration(session, f"Person{n}", status=status)
    counts = organiser_registrations.status_counts(session)
    before = reports.event_dashboard(session.event)

    privacy.apply_retention(now=RUN)

    after = reports.event_dashboard(session.event)
    assert organiser_registrations.status_counts(session) == counts == {"confirmed": 2, "waitlisted": 0, "cancelled": 1}
    assert [(f.confirmed, f.waitlisted, f.cancelled) for f in after.sessions] == [(2, 0, 1)]
    assert (after.days, after.groups, after.total_active) == (before.days, before.groups, before.total_active)


# --- the worker and the command ---------------------------------------------------------------------------


def test_the_outbox_worker_runs_retention_first_then_once_an_hour(app_context):
    runs: list[float] = []
    clock = iter([0.0, 1800.0, 3600.0, 3600.0, 3700.0])
    passes: list[float] = []

    work(
        interval=1,
        should_stop=lambda: len(passes) >= 4,
        sleep=passes.append,
        housekeeping=lambda: runs.append(len(passes)),
        housekeeping_every=3600,
        clock=lambda: next(clock),
    )

    assert runs == [0, 2]  # before the first pass, and at the third (an hour on), never in between


def test_privacy_retain_command_prints_one_line_with_the_counts(app, runner, app_context):
    ends = utcnow() - timedelta(days=400)  # the command reads the real clock
    _registration(make_online_session(starts_at=ends - timedelta(hours=1), ends_at=ends), "Longgone")

    first = runner.invoke(args=["privacy", "retain"])
    second = runner.invoke(args=["privacy", "retain"])

    assert first.exit_code == 0, first.output
    assert first.output == (
        "Retention: 1 registration anonymised (90 days after their session), "
        "1 accessibility need cleared (session ended, cancelled or called off), "
        "0 message bodies deleted (30 days after delivery).\n"
    )
    assert second.output.startswith("Retention: 0 registrations anonymised")
    assert where_found("Longgone") == []


def test_the_registrations_triggers_exist_after_the_migrations(app_context):
    """Migration a3919a106eb1 alters `registrations`: on SQLite a table rebuild would drop its triggers."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars().all()
        else:
            names = conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars().all()
    assert sorted(names) == [
        "registrations_delete_counted",
        "registrations_insert_counted",
        "registrations_update_counted",
    ]
    session = make_online_session()
    version = session.registrations_version
    make_registration(session)
    db.session.expire_all()
    assert db.session.get(EventSession, session.id).registrations_version == version + 1


# --- the activity log -------------------------------------------------------------------------------------


def _entries() -> list[ActivityEntry]:
    return list(db.session.scalars(select(ActivityEntry).order_by(ActivityEntry.id)))


def test_erasure_records_who_erased_which_registration_without_naming_anyone(app_context):
    organiser = make_organiser(name="Ana Organiser")
    session = make_online_session(capacity=1, title="Looking Ahead")
    by_attendee = _register(session)
    by_organiser = _register(session, email="bo@example.com", full_name="Bo Berg")
    db.session.execute(sa.delete(ActivityEntry))
    db.session.commit()

    erase_registration(by_attendee.registration, now=NOW)
    erase_registration(by_organiser.registration, by=organiser, now=NOW)

    first, second = (by_attendee.registration.id, by_organiser.registration.id)
    assert [(e.actor_label, e.action, e.summary, e.target_id) for e in _entries()] == [
        (
            f"Attendee of registration {first}",
            "registration.erased",
            f"The attendee erased the personal data of registration {first} for “Looking Ahead”; "
            f"moved up from the waiting list: registration {second}.",
            first,
        ),
        (
            "Ana Organiser",
            "registration.erased",
            f"Erased the personal data of registration {second} for “Looking Ahead”.",
            second,
        ),
    ]
    assert where_found(AMINA["full_name"], AMINA["email"], "Bo Berg", "bo@example.com") == []


def test_retention_records_one_entry_per_event_it_changed_with_counts_only(app_context):
    old = _ended(100)
    _registration(old, "Oldone")
    _registration(old, "Oldtwo")
    mailed = _ended(-5)
    _message(_registration(mailed, "Mailed"), status=OutboxStatus.SENT, sent_days_ago=40)
    db.session.execute(sa.delete(ActivityEntry))
    db.session.commit()

    privacy.apply_retention(now=RUN)
    privacy.apply_retention(by=CommandActor("flask privacy retain"), now=RUN)

    entries = _entries()
    assert [(e.actor_kind, e.actor_label, e.action) for e in entries] == [
        (ActorKind.SYSTEM, "retention", "privacy.retention"),
        (ActorKind.SYSTEM, "retention", "privacy.retention"),
    ]
    assert sorted((e.event_id, e.summary) for e in entries) == [
        (
            old.event_id,
            "Retention: 2 registrations anonymised, 2 accessibility needs cleared, 0 message bodies deleted.",
        ),
        (
            mailed.event_id,
            "Retention: 0 registrations anonymised, 0 accessibility needs cleared, 1 message body deleted.",
        ),
    ]
