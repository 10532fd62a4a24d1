"""Private links in the outbox: only in the copy sent, forgotten at delivery, masked for organisers, fresh
when a failed message is sent again; each outcome logged without personal data."""

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import DomainError, InvalidToken
from app.extensions import db
from app.mail import delivery
from app.mail.delivery import deliver_due
from app.mail.outbox import (
    LINK_HIDDEN,
    LINK_REMOVED,
    LINK_WITHDRAWN,
    enqueue_message,
    link_placeholder,
    links_of,
    masked,
    with_links,
)
from app.models import Organiser, OutboxMessage, OutboxStatus, PasswordResetToken, RegistrationStatus, SpeakerLoginToken
from app.organiser import reports
from app.organiser import services as accounts
from app.registration.services import find_by_token, register_attendee
from app.speakers import services as speakers
from app.transaction import use_case
from tests.factories import at, make_appearance, make_event, make_item, make_online_session, make_person, make_session
from tests.http.conftest import make_organiser

NOW = at(6, day=at(0).date() - timedelta(days=20))
MANAGE = re.compile(r"http://127\.0\.0\.1:5000/registrations/([A-Za-z0-9_-]{43})/")


def _register(session, email="amina@example.com", **fields):
    return register_attendee(
        session, full_name="Amina Diallo", email=email, group="partner_country", consent=True, now=NOW, **fields
    )


def _messages(**where) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def _text_of(received) -> str:
    return "".join(part.get_content() for part in received.walk() if part.get_content_type() == "text/plain")


def _html_of(received) -> str:
    return "".join(part.get_content() for part in received.walk() if part.get_content_type() == "text/html")


# --- builders: the link is never in the stored body -------------------------------------------------


def test_a_confirmation_stores_a_placeholder_and_keeps_its_manage_link_apart(app_context):
    result = _register(make_online_session())

    confirmation, *reminders = _messages(registration_id=result.registration.id)

    assert links_of(confirmation) == [f"http://127.0.0.1:5000/registrations/{result.token}/"]
    assert link_placeholder(1) in confirmation.body_text
    assert f'href="{link_placeholder(1)}"' in confirmation.body_html
    stored = confirmation.body_text + confirmation.body_html + confirmation.ics
    assert result.token not in stored and "/registrations/" not in stored
    # Reminders, weeks later, carry no manage link at all: nothing to keep for them.
    assert [(m.kind, m.private_links) for m in reminders] == [("reminder_24h", None), ("reminder_1h", None)]
    assert all("/registrations/" not in m.body_text + m.body_html for m in reminders)


def test_with_links_fills_each_placeholder_and_leaves_unknown_ones():
    text = f"one {link_placeholder(1)} two {link_placeholder(2)} three {link_placeholder(3)}"

    assert with_links(text, ["https://a/1", "https://a/2"]) == "one https://a/1 two https://a/2 three [private link 3]"
    assert with_links(text, []) == text


@pytest.mark.parametrize(
    ("status", "holds_links", "shown"),
    [
        (OutboxStatus.QUEUED, True, LINK_HIDDEN),
        (OutboxStatus.RETRYING, True, LINK_HIDDEN),
        (OutboxStatus.SENT, False, LINK_REMOVED),
        (OutboxStatus.FAILED, False, LINK_WITHDRAWN),
        (OutboxStatus.CANCELLED, False, LINK_WITHDRAWN),
    ],
)
def test_masked_says_what_became_of_the_link_and_hides_any_token_address(status, holds_links, shown):
    text = (
        f"Manage: {link_placeholder(1)}\n"
        "Old copy: https://ev.example.org/registrations/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ/ end\n"
        "Feed: http://127.0.0.1:5000/speaker/feed/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ.ics\n"
        "Public: http://127.0.0.1:5000/events/mpf/sessions/3/"
    )

    assert masked(text, status=status, holds_links=holds_links) == (
        f"Manage: {shown}\nOld copy: {LINK_HIDDEN} end\nFeed: {LINK_HIDDEN}\n"
        "Public: http://127.0.0.1:5000/events/mpf/sessions/3/"
    )


# --- delivery: the link goes out, then is forgotten in the same statement -----------------------------


def test_delivery_sends_the_link_and_forgets_it_with_the_status_in_one_statement(
    app_context, mail_server, count_queries, monkeypatch
):
    monkeypatch.setattr(delivery, "SLOW_SEND_SECONDS", float("inf"))
    session = make_online_session(capacity=1)
    first = _register(session, "first@example.com")
    second = _register(session, "second@example.com")  # waitlisted, with its own manage link
    ids = [m.id for m in _messages(kind="confirmation") + _messages(kind="waitlisted")]

    with count_queries() as statements:
        report = deliver_due(now=NOW)

    assert report.sent == ids
    # The claim, then one UPDATE for every sent message: the same as for messages without links.
    assert [" ".join(s.split()[:3]) for s in statements] == ["UPDATE outbox_messages SET"] * 2
    sent = {r.rcpt_tos[0]: r.message for r in mail_server.handler.received}
    assert MANAGE.search(_text_of(sent["first@example.com"]))[1] == first.token
    assert MANAGE.search(_html_of(sent["first@example.com"]))[1] == first.token
    assert MANAGE.search(_text_of(sent["second@example.com"]))[1] == second.token
    assert "[private link" not in _text_of(sent["first@example.com"]) + _html_of(sent["first@example.com"])
    for message in _messages(status=OutboxStatus.SENT):
        assert message.private_links is None
        assert first.token not in message.body_text + message.body_html
        assert second.token not in message.body_text + message.body_html
    assert find_by_token(first.token) == first.registration  # the link sent still works


def test_file_delivery_writes_the_link_into_the_eml_only(app_context, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    result = _register(make_online_session())

    report = deliver_due(now=NOW)

    [confirmation] = _messages(kind="confirmation")
    assert report.sent == [confirmation.id]
    [eml] = Path(tmp_path).glob("outbox-*.eml")
    assert f"/registrations/{result.token}/" in eml.read_text()
    assert confirmation.private_links is None and result.token not in confirmation.body_text


def test_a_retry_keeps_the_link_and_a_permanent_failure_forgets_it(app_context, mail_server):
    session = make_online_session()
    kept = _register(session, "later@example.com")
    _register(session, "gone@example.com")
    mail_server.handler.fail_for = {"later@example.com": "451 4.3.0 try later", "gone@example.com": "550 no such user"}

    report = deliver_due(now=NOW)

    retrying, failed = _messages(kind="confirmation")
    assert (report.retrying, report.failed) == ([retrying.id], [failed.id])
    assert links_of(retrying) == [f"http://127.0.0.1:5000/registrations/{kept.token}/"]
    assert (failed.status, failed.private_links) == (OutboxStatus.FAILED, None)

    mail_server.handler.fail_for = {}
    assert deliver_due(now=NOW + timedelta(hours=1)).sent == [retrying.id]
    assert MANAGE.search(_text_of(mail_server.messages[0]))[1] == kept.token
    assert _messages(id=retrying.id)[0].private_links is None


def test_a_message_cancelled_at_delivery_forgets_its_links(app_context, mail_server):
    session = make_online_session()
    registration = _register(session).registration
    stale = enqueue_message(
        kind="reminder_1h",
        to_address="amina@example.com",
        subject="Reminder",
        body_text=f"See {link_placeholder(1)}",
        private_links=["http://127.0.0.1:5000/registrations/x/"],
        not_before=NOW,
        registration=registration,
    )
    registration.status = RegistrationStatus.WAITLISTED
    db.session.commit()

    deliver_due(now=NOW)

    assert (_messages(id=stale.id)[0].status, _messages(id=stale.id)[0].private_links) == (
        OutboxStatus.CANCELLED,
        None,
    )


# --- sending a failed message again issues a fresh link ---------------------------------------------


def _organiser():
    """The organiser who presses "Send again"."""
    found = db.session.scalar(select(Organiser).where(Organiser.email == "ops@example.org"))
    return found or make_organiser("ops@example.org")


def _fail_everything(mail_server) -> None:
    mail_server.handler.fail_with = "550 5.1.1 no such user"
    deliver_due(now=NOW)
    mail_server.handler.fail_with = None


def test_send_again_of_a_failed_confirmation_issues_a_new_manage_link_and_ends_the_old(app_context, mail_server):
    result = _register(make_online_session())
    _fail_everything(mail_server)
    [message] = _messages(kind="confirmation")
    assert (message.status, message.private_links) == (OutboxStatus.FAILED, None)

    with use_case():
        reports.resend_message(message, by=_organiser(), now=NOW + timedelta(minutes=5))

    [link] = links_of(message)
    new_token = MANAGE.match(link)[1]
    assert new_token != result.token
    with pytest.raises(InvalidToken):
        find_by_token(result.token)
    assert find_by_token(new_token) == result.registration
    assert deliver_due(now=NOW + timedelta(minutes=5)).sent == [message.id]
    [received] = mail_server.messages
    assert MANAGE.search(_text_of(received))[1] == new_token
    assert _messages(id=message.id)[0].private_links is None


def test_send_again_of_a_failed_speaker_link_issues_a_new_sign_in_link(app_context, mail_server):
    item = make_item(make_session(make_event()))
    person = make_person(item.session.event, email="ben@example.org")
    make_appearance(item, person)
    message = speakers.send_sign_in_link(person, by=_organiser(), now=NOW)
    old_token = links_of(message)[0].rsplit("/", 1)[1]
    _fail_everything(mail_server)

    with use_case():
        reports.resend_message(_messages(id=message.id)[0], by=_organiser(), now=NOW + timedelta(minutes=40))

    new_token = links_of(_messages(id=message.id)[0])[0].rsplit("/", 1)[1]
    assert new_token != old_token
    assert db.session.scalar(select(db.func.count()).select_from(SpeakerLoginToken)) == 2
    # The new link works for its full time even though the first one would have expired by now.
    assert speakers.sign_in_with_link(new_token, now=NOW + timedelta(minutes=60)) == speakers.find_speaker(person.email)


def test_send_again_of_a_failed_reset_message_issues_a_new_reset_link(app_context, mail_server):
    organiser = make_organiser("ana@example.org")
    accounts.request_password_reset("ana@example.org", now=NOW)
    [message] = _messages(kind="organiser_password_reset")
    old_token = links_of(message)[0].rsplit("/", 1)[1]
    _fail_everything(mail_server)

    with use_case():
        reports.resend_message(_messages(id=message.id)[0], by=_organiser(), now=NOW + timedelta(hours=2))

    new_token = links_of(_messages(id=message.id)[0])[0].rsplit("/", 1)[1]
    assert new_token != old_token
    assert accounts.reset_password(new_token, "a new long password", now=NOW + timedelta(hours=2)) == organiser
    assert db.session.scalar(select(db.func.count()).select_from(PasswordResetToken)) == 2


def test_send_again_of_a_message_whose_registration_is_gone_refuses_and_changes_nothing(app_context, mail_server):
    message = enqueue_message(
        kind="manage_link", to_address="x@example.com", subject="s", body_text=link_placeholder(1), not_before=NOW
    )
    db.session.commit()
    _fail_everything(mail_server)

    with pytest.raises(DomainError, match="cannot be issued again"):
        reports.resend_message(_messages(id=message.id)[0], by=_organiser(), now=NOW)
    db.session.rollback()
    assert _messages(id=message.id)[0].status == OutboxStatus.FAILED


def test_send_again_of_a_message_without_private_links_keeps_it_as_it_was(app_context, mail_server):
    message = enqueue_message(kind="message", to_address="x@example.com", subject="s", body_text="Hi", not_before=NOW)
    db.session.commit()
    _fail_everything(mail_server)

    with use_case():
        reports.resend_message(_messages(id=message.id)[0], by=_organiser(), now=NOW)

    stored = _messages(id=message.id)[0]
    assert (stored.status, stored.private_links, stored.body_text) == (OutboxStatus.QUEUED, None, "Hi")


# --- outcomes logged without personal data --------------------------------------------------------


def test_each_outcome_is_logged_with_id_kind_attempts_and_error_class_only(app_context, mail_server, caplog):
    session = make_online_session()
    registrations = {e: _register(session, e) for e in ("ok@example.com", "later@example.com", "gone@example.com")}
    stale = enqueue_message(
        kind="reminder_1h",
        to_address="ok@example.com",
        subject="Reminder",
        body_text="x",
        not_before=NOW,
        registration=registrations["ok@example.com"].registration,
    )
    registrations["ok@example.com"].registration.status = RegistrationStatus.WAITLISTED
    db.session.commit()
    mail_server.handler.fail_for = {"later@example.com": "451 4.3.0 try later", "gone@example.com": "550 5.1.1 nope"}
    ok, later, gone = _messages(kind="confirmation")

    with caplog.at_level(logging.INFO, logger="app.outbox"):
        deliver_due(now=NOW)

    lines = [r.getMessage() for r in caplog.records if r.name == "app.outbox"]
    assert lines == [
        f"outbox message={ok.id} kind=confirmation outcome=sent attempts=1",
        f"outbox message={later.id} kind=confirmation outcome=retry attempts=1 error=SMTPDataError code=451",
        f"outbox message={gone.id} kind=confirmation outcome=failed attempts=1 error=SMTPDataError code=550",
        f"outbox message={stale.id} kind=reminder_1h outcome=cancelled attempts=1 reason=no_seat",
    ]
    logged = caplog.text
    assert "@example.com" not in logged and "Registered:" not in logged and "Amina" not in logged
    assert all(r.token not in logged for r in registrations.values())
