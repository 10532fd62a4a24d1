"""The organisers' outbox pages never show a private link, before or after delivery; "Send again" sends a
fresh one."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.outbox import LINK_HIDDEN, LINK_REMOVED, LINK_WITHDRAWN
from app.models import OutboxMessage, OutboxStatus
from app.registration import services as registration_services
from tests.factories import DAY, at, make_online_session

NOW = at(9, day=DAY - timedelta(days=10))
MANAGE = re.compile(r"/registrations/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def registered(app_context):
    """One confirmed attendee and one on the waiting list: two messages carrying a manage link."""
    session = make_online_session(capacity=1, title="Looking Ahead")
    tokens = [
        registration_services.register_attendee(
            session, full_name=name, email=f"{name.lower()}@example.com", consent=True, now=NOW
        ).token
        for name in ("Ana", "Bo")
    ]
    return session, tokens


def _with_links(session) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.event_id == session.event_id, OutboxMessage.kind.in_(["confirmation", "waitlisted"]))
            .order_by(OutboxMessage.id)
        )
    )


def _pages(client, session) -> list[str]:
    pages = [client.get(f"/organiser/events/{session.event_id}/outbox/").text]
    pages += [client.get(f"/organiser/outbox/{m.id}").text for m in _with_links(session)]
    return pages


def test_before_delivery_the_outbox_pages_show_no_private_link(client, sign_in, registered):
    session, tokens = registered
    sign_in(events=[session.event])

    listing, confirmation, waitlisted = _pages(client, session)

    for page in (listing, confirmation, waitlisted):
        assert "/registrations/" not in page
        assert not any(token in page for token in tokens)
    assert "Your registration link" not in listing  # the list shows subjects, never bodies
    assert LINK_HIDDEN in confirmation and LINK_HIDDEN in waitlisted
    assert "Manage my registration" not in confirmation  # the HTML part is not shown either


def test_after_delivery_the_pages_say_the_link_was_removed_and_the_database_holds_none(
    client, sign_in, registered, mail_server
):
    session, tokens = registered
    sign_in(events=[session.event])

    deliver_due(now=NOW)
    _, confirmation, waitlisted = _pages(client, session)

    assert LINK_REMOVED in confirmation and LINK_REMOVED in waitlisted
    assert not any(token in confirmation + waitlisted for token in tokens)
    assert [m.private_links for m in _with_links(session)] == [None, None]
    # What the attendees received works.
    for received, token in zip(mail_server.messages, tokens, strict=True):
        assert MANAGE.search(received.get_body(("plain",)).get_content())[1] == token
        assert client.get(f"/registrations/{token}/").status_code == 200


def test_send_again_of_a_failed_confirmation_mails_a_new_working_link_that_the_page_never_shows(
    client, sign_in, registered, mail_server
):
    session, (old_token, _) = registered
    sign_in(events=[session.event])
    mail_server.fail_with("550 5.1.1 no such user")
    deliver_due(now=NOW)
    mail_server.fail_with(None)
    confirmation = _with_links(session)[0]
    failed_page = client.get(f"/organiser/outbox/{confirmation.id}").text

    resent = client.post(f"/organiser/outbox/{confirmation.id}/resend", follow_redirects=True).text
    queued_page = client.get(f"/organiser/outbox/{confirmation.id}").text
    deliver_due(now=NOW)

    assert LINK_WITHDRAWN in failed_page and "Sent again, this message carries a new one." in failed_page
    assert "The message to ana@example.com is queued again." in resent
    [received] = mail_server.messages
    new_token = MANAGE.search(received.get_body(("plain",)).get_content())[1]
    assert new_token != old_token
    assert new_token not in resent + queued_page and LINK_HIDDEN in queued_page
    assert client.get(f"/registrations/{old_token}/").status_code == 404
    manage = client.get(f"/registrations/{new_token}/")
    assert manage.status_code == 200 and "Looking Ahead" in manage.text
    assert _with_links(session)[0].status == OutboxStatus.SENT


def test_a_reminder_not_yet_due_says_it_is_written_when_it_falls_due_and_shows_its_text_once_sent(
    client, sign_in, registered, mail_server
):
    session, _ = registered
    sign_in(events=[session.event])
    reminder = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reminder_1h"))
    reminder_id, due = reminder.id, reminder.not_before

    listing = client.get(f"/organiser/events/{session.event_id}/outbox/").text
    before = client.get(f"/organiser/outbox/{reminder_id}").text
    deliver_due(now=due)
    after = client.get(f"/organiser/outbox/{reminder_id}").text

    assert f'outbox/{reminder_id}">Reminder, written when it falls due</a>' in listing
    assert "<h1>Reminder, written when it falls due</h1>" in before
    assert "A reminder is written when it falls due, from the session as it is then" in before
    assert "<h1>Reminder: Looking Ahead starts in one hour</h1>" in after
    assert 'id="body-text">Dear Ana,' in after
