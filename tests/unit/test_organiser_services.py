"""Organiser accounts: hashing, authentication, disabling, password reset without enumeration."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.activity import CommandActor
from app.errors import InvalidToken, NotFound, ValidationFailed
from app.extensions import db
from app.models import Organiser, OutboxMessage
from app.organiser import services
from tests.factories import make_event

NOW = datetime(2030, 10, 1, 9, 0, tzinfo=UTC)
SECRET = "testing-secret"
PASSWORD = "a long enough password"
OPERATOR = CommandActor("flask organisers")


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_create_organiser_stores_only_werkzeugs_default_hash(app_context):
    organiser = services.create_organiser(" Ana@Example.org ", PASSWORD, name="Ana", by=OPERATOR, now=NOW)

    assert organiser.email == "ana@example.org"
    assert PASSWORD not in organiser.password_hash
    assert organiser.password_hash.startswith("scrypt:")
    assert check_password_hash(organiser.password_hash, PASSWORD)
    assert organiser.is_admin is False


def test_create_organiser_refuses_a_second_account_for_the_same_email(app_context):
    services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)

    with pytest.raises(ValidationFailed, match="already exists"):
        services.create_organiser("ANA@example.org", PASSWORD, by=OPERATOR, now=NOW)
    assert db.session.scalar(select(db.func.count()).select_from(Organiser)) == 1


def test_create_organiser_refuses_a_short_password(app_context):
    with pytest.raises(ValidationFailed, match="at least 12 characters"):
        services.create_organiser("ana@example.org", "short", by=OPERATOR, now=NOW)
    assert db.session.scalar(select(db.func.count()).select_from(Organiser)) == 0


def test_authenticate_organiser_accepts_only_the_right_password_of_an_active_account(app_context):
    organiser = services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)

    assert services.authenticate_organiser("ANA@example.org", PASSWORD) == organiser
    assert services.authenticate_organiser("ana@example.org", PASSWORD + "x") is None
    assert services.authenticate_organiser("nobody@example.org", PASSWORD) is None
    services.disable_organiser("ana@example.org", by=OPERATOR, now=NOW)
    assert services.authenticate_organiser("ana@example.org", PASSWORD) is None


def test_disable_organiser_for_an_unknown_email_says_so(app_context):
    with pytest.raises(NotFound, match="No account for nobody@example.org"):
        services.disable_organiser("nobody@example.org", by=OPERATOR, now=NOW)


def test_request_password_reset_mails_only_existing_accounts(app_context):
    services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)

    services.request_password_reset("nobody@example.org", secret_key=SECRET, base_url="https://ev.example.org", now=NOW)
    assert _outbox() == []
    services.request_password_reset("ana@example.org", secret_key=SECRET, base_url="https://ev.example.org", now=NOW)

    [message] = _outbox()
    assert message.to_address == "ana@example.org"
    assert message.kind == "organiser_password_reset"
    assert "https://ev.example.org/organiser/reset/" in message.body_text


def _reset_token(email: str) -> str:
    services.request_password_reset(email, secret_key=SECRET, base_url="https://ev.example.org", now=NOW)
    body = _outbox()[-1].body_text
    return body.split("/organiser/reset/")[1].split()[0]


def test_reset_password_works_once(app_context):
    services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
    token = _reset_token("ana@example.org")

    services.reset_password(token, "a brand new password", secret_key=SECRET)

    assert services.authenticate_organiser("ana@example.org", "a brand new password") is not None
    assert services.authenticate_organiser("ana@example.org", PASSWORD) is None
    with pytest.raises(InvalidToken, match="not valid or has expired"):
        services.reset_password(token, "yet another password", secret_key=SECRET)


def test_reset_password_refuses_a_forged_token(app_context):
    services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)

    with pytest.raises(InvalidToken):
        services.reset_password("not-a-token", "a brand new password", secret_key=SECRET)
    with pytest.raises(InvalidToken):
        services.reset_password(_reset_token("ana@example.org"), "a brand new password", secret_key="other-secret")


def test_can_manage_lists_events_for_their_organisers_and_all_for_an_admin(app_context):
    mine, theirs = make_event(), make_event()
    organiser = services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
    admin = services.create_organiser("boss@example.org", PASSWORD, is_admin=True, by=OPERATOR, now=NOW)
    organiser.events.append(mine)
    db.session.commit()

    assert services.can_manage(organiser, mine) is True
    assert services.can_manage(organiser, theirs) is False
    assert services.can_manage(admin, theirs) is True
    assert services.managed_events(organiser) == [mine]
    assert {e.id for e in services.managed_events(admin)} == {mine.id, theirs.id}
