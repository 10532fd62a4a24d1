"""`flask organisers create/disable`: the password comes from a prompt or stdin, never an argument."""

from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import Organiser


def _organiser(email: str) -> Organiser | None:
    db.session.remove()
    return db.session.scalar(select(Organiser).where(Organiser.email == email))


def test_organisers_create_reads_the_password_from_stdin(app_context, runner):
    result = runner.invoke(
        args=["organisers", "create", "ana@example.org", "--name", "Ana"],
        input="a long enough password\na long enough password\n",
    )

    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("Created organiser ana@example.org.")
    organiser = _organiser("ana@example.org")
    assert organiser.name == "Ana"
    assert check_password_hash(organiser.password_hash, "a long enough password")


def test_organisers_create_admin_and_refuses_a_duplicate(app_context, runner):
    first = runner.invoke(args=["organisers", "create", "boss@example.org", "--admin"], input="pw-long-enough\n" * 2)
    second = runner.invoke(args=["organisers", "create", "boss@example.org"], input="pw-long-enough\n" * 2)

    assert first.exit_code == 0 and "Created admin organiser boss@example.org." in first.output
    assert second.exit_code == 1
    assert "An account for boss@example.org already exists." in second.output
    assert _organiser("boss@example.org").is_admin is True


def test_organisers_create_has_no_password_argument(app_context, runner):
    result = runner.invoke(args=["organisers", "create", "ana@example.org", "--password", "x" * 20])

    assert result.exit_code == 2
    assert "No such option '--password'" in result.output
    assert _organiser("ana@example.org") is None


def test_organisers_create_refuses_a_short_password(app_context, runner):
    result = runner.invoke(args=["organisers", "create", "ana@example.org"], input="short\nshort\n")

    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert _organiser("ana@example.org") is None


def test_organisers_disable_stops_the_account(app_context, runner):
    runner.invoke(args=["organisers", "create", "ana@example.org"], input="pw-long-enough\n" * 2)

    result = runner.invoke(args=["organisers", "disable", "ana@example.org"])
    unknown = runner.invoke(args=["organisers", "disable", "nobody@example.org"])

    assert result.exit_code == 0 and "Disabled organiser ana@example.org." in result.output
    assert _organiser("ana@example.org").is_disabled is True
    assert unknown.exit_code == 1 and "No account for nobody@example.org." in unknown.output


def test_organisers_grant_lists_an_organiser_on_an_event(app_context, runner):
    from tests.factories import make_event

    make_event(slug="mpf", title="MPF Exchange Event")
    runner.invoke(args=["organisers", "create", "ana@example.org"], input="pw-long-enough\n" * 2)

    granted = runner.invoke(args=["organisers", "grant", "ana@example.org", "mpf"])
    twice = runner.invoke(args=["organisers", "grant", "ana@example.org", "mpf"])
    no_event = runner.invoke(args=["organisers", "grant", "ana@example.org", "nope"])

    assert granted.exit_code == 0 and "ana@example.org now manages MPF Exchange Event." in granted.output
    assert twice.exit_code == 0
    assert [e.slug for e in _organiser("ana@example.org").events] == ["mpf"]
    assert no_event.exit_code == 1 and "No event with the web address “nope”." in no_event.output
