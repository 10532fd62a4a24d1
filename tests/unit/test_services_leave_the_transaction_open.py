"""Services never commit: one of each package changes things, the transaction is still open when it returns,
and rolling it back (what the edge does when anything in the use case failed) undoes all of it, emails too."""

from datetime import timedelta

from sqlalchemy import func, select

from app.activity import CommandActor
from app.agenda import services as agenda
from app.demo.loader import load_demo
from app.extensions import db
from app.models import (
    ActivityEntry,
    Event,
    Organiser,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    SpeakerLoginToken,
)
from app.organiser import reports
from app.organiser import services as accounts
from app.privacy.services import apply_retention
from app.registration.listing import message_registrants
from app.registration.services import register_attendee
from app.speakers import services as speakers
from app.transaction import use_case
from tests.factories import (
    DAY,
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

NOW = at(9, day=DAY - timedelta(days=10))
BY = CommandActor("test")


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _left_open_then_rolled_back() -> None:
    assert db.session().in_transaction()
    db.session.rollback()


def test_register_attendee_leaves_the_registration_and_its_emails_to_the_caller(app_context):
    session = make_online_session(capacity=5)

    register_attendee(session, full_name="Amina Diallo", email="amina@example.com", consent=True, now=NOW)

    _left_open_then_rolled_back()
    assert (_count(Registration), _count(OutboxMessage), _count(ActivityEntry)) == (0, 0, 0)
    assert db.session.get(type(session), session.id).seats_taken == 0


def test_send_sign_in_link_leaves_the_link_and_its_email_to_the_caller(app_context):
    item = make_item(make_session(make_event()))
    person = make_person(item.session.event, email="ben@example.org")
    make_appearance(item, person)

    speakers.send_sign_in_link(person, by=BY, now=NOW)

    _left_open_then_rolled_back()
    assert (_count(SpeakerLoginToken), _count(OutboxMessage)) == (0, 0)


def test_apply_retention_leaves_the_anonymising_to_the_caller(app_context):
    session = make_online_session(starts_at=at(9) - timedelta(days=400), ends_at=at(10) - timedelta(days=400))
    make_registration(session, full_name="Amina Diallo", accessibility_needs="Captions")

    report = apply_retention(by=BY, now=NOW)

    assert report.changed
    _left_open_then_rolled_back()
    assert db.session.scalars(select(Registration.full_name)).all() == ["Amina Diallo"]


def test_message_registrants_leaves_its_emails_to_the_caller(app_context):
    session = make_online_session()
    make_registration(session, status=RegistrationStatus.CONFIRMED)

    sent = message_registrants(session, audience="confirmed", subject="Agenda", body="See you.", by=BY, now=NOW)

    assert sent == 1
    _left_open_then_rolled_back()
    assert _count(OutboxMessage) == 0


def test_resend_message_leaves_the_message_failed_until_the_caller_commits(app_context):
    organiser = make_organiser()
    message = OutboxMessage(
        kind="organiser_message",
        to_address="amina@example.com",
        subject="Hello",
        body_text="Hello.",
        status=OutboxStatus.FAILED,
        attempts=5,
    )
    db.session.add(message)
    db.session.commit()

    reports.resend_message(message, by=organiser, now=NOW)

    _left_open_then_rolled_back()
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.FAILED


def test_load_demo_leaves_the_event_to_the_caller(app_context):
    load_demo(today=NOW.date(), now=NOW)

    _left_open_then_rolled_back()
    assert _count(Event) == 0


def test_update_session_leaves_the_move_and_the_attendees_invites_to_the_caller(app_context):
    session = make_online_session(capacity=5)
    with use_case():
        register_attendee(session, full_name="Amina Diallo", email="amina@example.com", consent=True, now=NOW)
    queued = _count(OutboxMessage)

    agenda.update_session(session, by=make_organiser(), now=NOW, starts_at=at(10), ends_at=at(11))

    assert _count(OutboxMessage) > queued
    _left_open_then_rolled_back()
    assert (_count(OutboxMessage), db.session.get(type(session), session.id).starts_at) == (queued, at(8))


def test_create_organiser_leaves_the_account_to_the_caller(app_context):
    accounts.create_organiser("ana@example.org", "a long enough password", by=BY, now=NOW)

    _left_open_then_rolled_back()
    assert _count(Organiser) == 0
