"""The session version of an organiser account: what raises it, and what a session id must match."""

from datetime import UTC, datetime

import pytest

from app.activity import CommandActor
from app.organiser import services
from app.transaction import use_case

NOW = datetime(2030, 10, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"
OPERATOR = CommandActor("flask organisers")


def test_a_new_account_starts_at_version_0_and_its_session_id_names_it(app_context):
    ana = services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)

    assert ana.session_version == 0
    assert ana.get_id() == f"{ana.id}:0"
    assert services.organiser_for_session(ana.get_id()) is ana


def test_end_sessions_raises_the_version_so_the_old_id_loads_nobody(app_context):
    ana = services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
    old = ana.get_id()

    services.end_sessions(ana, now=NOW)

    assert ana.session_version == 1
    assert services.organiser_for_session(old) is None
    assert services.organiser_for_session(ana.get_id()) is ana


def test_change_password_needs_the_current_one_and_raises_the_version(app_context):
    with use_case():
        ana = services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)

    with pytest.raises(services.WrongPassword, match="The current password is not right."), use_case():
        services.change_password(ana, "a wrong password here", "a brand new password", now=NOW)
    services.change_password(ana, PASSWORD, "a brand new password", now=NOW)

    assert ana.session_version == 1
    assert services.authenticate_organiser("ana@example.org", "a brand new password") is ana
    assert services.authenticate_organiser("ana@example.org", PASSWORD) is None


def test_change_password_refuses_a_short_or_unchanged_password_and_keeps_the_version(app_context):
    with use_case():
        ana = services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)

    with pytest.raises(services.ValidationFailed, match="at least 12 characters"), use_case():
        services.change_password(ana, PASSWORD, "short", now=NOW)
    with pytest.raises(services.ValidationFailed, match="different from the current one"), use_case():
        services.change_password(ana, PASSWORD, PASSWORD, now=NOW)

    assert ana.session_version == 0


def test_disable_organiser_raises_the_version(app_context):
    ana = services.create_organiser("ana@example.org", PASSWORD, by=OPERATOR, now=NOW)
    old = ana.get_id()

    services.disable_organiser("ana@example.org", by=OPERATOR, now=NOW)
    ana.is_disabled = False

    assert ana.session_version == 1
    assert services.organiser_for_session(old) is None
