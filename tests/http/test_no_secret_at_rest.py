"""The proof the issue asks for: once every kind of message is delivered, no string stored anywhere in the
database opens a page. Every text column of every table is read, every token-like string in it is tried as a
manage link, a confirmation link, a speaker sign-in link, a password-reset link and a feed address."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.agenda import services as agenda_services
from app.errors import AlreadyRegistered
from app.extensions import db
from app.mail.delivery import deliver_all_due
from app.mail.messages import REMINDERS
from app.models import OutboxMessage, OutboxStatus, Role
from app.organiser import services as accounts
from app.registration import services as registration_services
from app.registration.listing import message_registrants
from app.speakers import services as speakers
from tests.factories import DAY, at, make_event, make_item, make_online_session, make_person, make_session
from tests.http.conftest import make_organiser

NOW = at(9, day=DAY - timedelta(days=10))
#: Anything a token could hide in: base64url runs (tokens, hashes, UIDs, slugs) of 16 characters or more.
CANDIDATE = re.compile(r"[A-Za-z0-9_-]{16,}")
TOKEN_IN_MAIL = re.compile(r"/(?:registrations|speaker/sign-in|organiser/reset)/([A-Za-z0-9_-]{43})")


def _probes(candidate: str) -> list[str]:
    return [
        f"/registrations/{candidate}/",
        f"/registrations/{candidate}/confirmation",
        f"/speaker/sign-in/{candidate}",
        f"/organiser/reset/{candidate}",
        f"/speaker/feed/{candidate}.ics",
    ]


def _every_stored_string() -> list[str]:
    values = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.String | sa.Text):
                values += [v for v in db.session.execute(select(column)).scalars() if v]
    db.session.commit()
    return values


def _every_kind_of_message(client) -> dict[str, str]:
    """Registration, waiting list, promotion, manage-link resend, reminders, a speaker's sign-in link and
    invite, a password reset, an organisers' message, a feed address; returns the tokens handed out."""
    event = make_event(title="Exchange")
    session = make_online_session(event, capacity=1, title="Looking Ahead")
    organiser = make_organiser("ana@example.org", events=[event])
    register = registration_services.register_attendee
    first = register(session, full_name="First One", email="first@example.com", consent=True, now=NOW)
    register(session, full_name="Second Two", email="second@example.com", consent=True, now=NOW)
    with pytest.raises(AlreadyRegistered):  # a fresh manage link goes out
        register(session, full_name="First One", email="first@example.com", consent=True, now=NOW + timedelta(hours=1))
    registration_services.cancel_registration(first.registration, now=NOW + timedelta(hours=2))  # Second promoted
    later = NOW + timedelta(hours=2)
    message_registrants(session, audience="confirmed", subject="Agenda", body="See you.", by=organiser, now=later)
    person = make_person(event, email="ben@example.org")
    item = make_item(make_session(event), title="Panel")
    agenda_services.add_appearance(item, person, Role.PANELLIST, by=organiser, now=NOW)
    speakers.send_sign_in_link(person, by=organiser, now=NOW + timedelta(hours=3))
    accounts.request_password_reset("ana@example.org", now=NOW + timedelta(hours=3))
    feed_token = speakers.reset_feed_token(speakers.find_speaker(person.email), now=NOW)
    # Everything due until the session starts, each reminder at its time.
    deliver_all_due(now=NOW + timedelta(hours=3))
    for before in REMINDERS.values():
        deliver_all_due(now=session.starts_at - before)
    return {"feed": feed_token}


def test_after_delivery_no_stored_string_opens_a_page(client, mail_server):
    handed_out = _every_kind_of_message(client)

    db.session.expire_all()
    kinds = {
        (kind, status) for kind, status in db.session.execute(select(OutboxMessage.kind, OutboxMessage.status)).all()
    }
    assert {k for k, s in kinds if s == OutboxStatus.SENT} >= {
        "confirmation",
        "waitlisted",
        "manage_link",
        "promoted",
        "cancellation",
        "reminder_24h",
        "reminder_1h",
        "organiser_message",
        "speaker_invite",
        "speaker_link",
        "organiser_password_reset",
    }, kinds
    assert {s for _, s in kinds} <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}
    # The tokens the mails carried (and the feed address shown once) do open pages: the probes can tell.
    mailed = {t for m in mail_server.messages for t in TOKEN_IN_MAIL.findall(m.get_body(("plain",)).get_content())}
    # first's two manage links, second's and the one in each of second's two reminders, the sign-in link, the
    # reset link
    assert len(mailed) == 7
    opening = {t for t in mailed if any(client.get(path).status_code == 200 for path in _probes(t))}
    # Each manage link sent replaces the one before: first's resent one, second's last reminder's, the
    # sign-in link, the reset link.
    assert len(opening) == 4
    [last_reminder] = [m for m in mail_server.messages if m["Subject"].endswith("starts in one hour")]
    assert set(TOKEN_IN_MAIL.findall(last_reminder.get_body(("plain",)).get_content())) <= opening
    assert client.get(f"/speaker/feed/{handed_out['feed']}.ics").status_code == 200

    stored = _every_stored_string()
    candidates = {c for value in stored for c in CANDIDATE.findall(value)}

    assert candidates.isdisjoint(mailed | {handed_out["feed"]})
    assert len(candidates) > 20  # hashes, UIDs, slugs: the scan reads real data
    answers = {(path, client.get(path).status_code) for c in sorted(candidates) for path in _probes(c)}
    assert {status for _, status in answers} <= {404, 410}, [a for a in answers if a[1] not in (404, 410)]
