"""Organiser accounts: hashing, authentication, disabling, password reset without enumeration."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.activity import CommandActor
from app.errors import InvalidToken, LinkExpired, LinkUsed, NotFound, ValidationFailed
from app.extensions import db
from app.mail.outbox import links_of
from app.models import Organiser, OutboxMessage, PasswordResetToken
from app.organiser import services
from app.security import hash_token
from app.transaction import use_case
from config import Config, ProductionConfig
from tests.factories import make_event

NOW = datetime(2030, 10, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"
OPERATOR = CommandActor("flask organisers")


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_create_organiser_stores_only_werkzeugs_default_hash(app, app_context, monkeypatch):
    # What every configuration but the tests' uses (Config.PASSWORD_HASH_METHOD).
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", Config.PASSWORD_HASH_METHOD)
    organiser = services.create_organiser(" Ana@Example.org ", PASSWORD, name="Ana", by=OPERATOR, now=NOW)

    assert organiser.email == "ana@example.org"
    assert PASSWORD not in organiser.password_hash
    assert organiser.password_hash.startswith("scrypt:")
    assert check_password_hash(organiser.password_hash, PASSWORD)
    assert organiser.is_admin is False


def test_password_hash_method_is_scrypt_except_under_testing(app_context):
    organiser = services.create_organiser("bo@example.org", PASSWORD, by=OPERATOR, now=NOW)

    assert Config.PASSWORD_HASH_METHOD == ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"
    assert organiser.password_hash.startswith("pbkdf2:sha256:1000$")
    assert check_password_hash(organiser.password_hash, PASSWORD)
    assert not check_password_hash(organiser.password_hash, PASSWORD + "x")


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


def test_request_password_reset_mails_only_existing_accounts_a_link_on_the_base_url(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_BASE_URL", "https://ev.example.org")
    services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)

    services.request_password_reset("nobody@example.org", now=NOW)
    assert _outbox() == []
    services.request_password_reset("ana@example.org", now=NOW)

    [message] = _outbox()
    assert message.to_address == "ana@example.org"
    assert message.kind == "organiser_password_reset"
    [link] = links_of(message)
    assert link.startswith("https://ev.example.org/organiser/reset/")
    assert "[private link 1]" in message.body_text and "/organiser/reset/" not in message.body_text


def _reset_token(email: str, *, now: datetime = NOW) -> str:
    services.request_password_reset(email, now=now)
    return links_of(_outbox()[-1])[0].split("/organiser/reset/")[1]


def test_a_reset_link_is_an_opaque_token_stored_only_as_its_hash(app_context):
    organiser = services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
    token = _reset_token("ana@example.org")

    [record] = db.session.scalars(select(PasswordResetToken))
    assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 random bits, nothing else in it
    assert organiser.password_hash[-16:] not in token and "." not in token
    assert (record.organiser_id, record.token_hash) == (organiser.id, hash_token(token))
    assert (record.created_at, record.expires_at, record.used_at) == (NOW, NOW + timedelta(hours=1), None)


def test_reset_password_works_once(app_context):
    services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
    token = _reset_token("ana@example.org")

    services.reset_password(token, "a brand new password", now=NOW)

    assert services.authenticate_organiser("ana@example.org", "a brand new password") is not None
    assert services.authenticate_organiser("ana@example.org", PASSWORD) is None
    assert db.session.scalar(select(PasswordResetToken.used_at)) == NOW
    with pytest.raises(LinkUsed, match="already been used"):
        services.reset_password(token, "yet another password", now=NOW)
    assert services.authenticate_organiser("ana@example.org", "a brand new password") is not None


def test_a_reset_ends_the_accounts_other_reset_links_but_not_another_accounts(app_context):
    services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
    services.create_organiser("bo@example.org", PASSWORD, by=OPERATOR, now=NOW)
    first, second = _reset_token("ana@example.org"), _reset_token("ana@example.org")
    theirs = _reset_token("bo@example.org")

    services.reset_password(second, "a brand new password", now=NOW)

    with pytest.raises(LinkUsed):
        services.check_reset_token(first, now=NOW)
    with pytest.raises(LinkUsed):
        services.reset_password(first, "the attackers password", now=NOW)
    assert services.check_reset_token(theirs, now=NOW).organiser.email == "bo@example.org"
    assert services.authenticate_organiser("ana@example.org", "a brand new password") is not None


def test_a_reset_link_expires_after_an_hour(app_context):
    services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
    token = _reset_token("ana@example.org")

    assert services.check_reset_token(token, now=NOW + timedelta(minutes=59)).used_at is None
    with pytest.raises(LinkExpired, match="expired"):
        services.reset_password(token, "a brand new password", now=NOW + timedelta(hours=1))
    assert db.session.scalar(select(PasswordResetToken.used_at)) is None
    assert services.authenticate_organiser("ana@example.org", PASSWORD) is not None


def test_reset_password_refuses_a_forged_token_a_weak_password_and_a_disabled_account(app_context):
    with use_case():
        services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
        token = _reset_token("ana@example.org")

    with pytest.raises(InvalidToken, match="not valid or has expired"), use_case():
        services.reset_password("not-a-token", "a brand new password", now=NOW)
    with pytest.raises(InvalidToken, match="not valid"), use_case():
        services.reset_password(hash_token(token), "a brand new password", now=NOW)
    with pytest.raises(ValidationFailed, match="at least 12"), use_case():
        services.reset_password(token, "short", now=NOW)
    assert db.session.scalar(select(PasswordResetToken.used_at)) is None  # a weak password spends no link
    with use_case():
        services.disable_organiser("ana@example.org", by=OPERATOR, now=NOW)
    with pytest.raises(InvalidToken, match="not valid"), use_case():
        services.reset_password(token, "a brand new password", now=NOW)
    assert db.session.scalar(select(PasswordResetToken.used_at)) is None


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
