"""On PostgreSQL: a pooled connection is pinged only after sitting idle (a dead one is then replaced), and a
view marked reads_only runs its queries without a transaction."""

import psycopg
import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import extensions
from app.extensions import db
from tests.conftest import DATABASE_URL
from tests.factories import make_online_session

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgresql"),
        reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://... to end a backend",
    ),
]


def _pooled_backend() -> int:
    """The backend of the connection the pool will hand out next (the pool is a LIFO of one here)."""
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()
    return pid


@pytest.fixture
def one_connection(app, app_context):
    db.engine.dispose()
    yield
    db.session.remove()
    db.engine.dispose()


def test_an_idle_connection_that_died_is_replaced_before_use(monkeypatch, one_connection):
    pid = _pooled_backend()
    _end_outside_the_pool(pid)
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0.0)

    assert db.session.scalar(text("SELECT pg_backend_pid()")) != pid


def test_a_connection_used_a_moment_ago_is_not_pinged_so_its_death_fails_one_request(monkeypatch, one_connection):
    pid = _pooled_backend()
    _end_outside_the_pool(pid)
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 3600.0)

    with pytest.raises(OperationalError):
        db.session.scalar(text("SELECT 1"))
    db.session.remove()
    # SQLAlchemy saw the disconnect and emptied the pool: the next request connects afresh.
    assert db.session.scalar(text("SELECT pg_backend_pid()")) != pid


def _end_outside_the_pool(pid: int) -> None:
    with psycopg.connect(db.engine.url.set(drivername="postgresql").render_as_string(False), autocommit=True) as c:
        assert c.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True


def test_a_request_on_a_connection_that_died_gets_the_503_page_and_the_next_one_works(app, monkeypatch, one_connection):
    session = make_online_session()
    url = f"/events/{session.event.slug}/sessions/{session.id}/register"
    client = app.test_client()
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 3600.0)
    _end_outside_the_pool(_pooled_backend())

    failed = client.get(url)
    db.session.remove()  # what the end of a request's app context does (the test's own context outlives it)
    again = client.get(url)

    assert failed.status_code == 503 and "briefly unavailable" in failed.text and "Traceback" not in failed.text
    assert again.status_code == 200 and "Register" in again.text


def test_a_reads_only_view_runs_without_a_transaction_and_the_pool_gets_its_connection_back_as_it_was(
    app, app_context, monkeypatch
):
    from tests.http.conftest import make_organiser

    session = make_online_session()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = make_organiser(events=[session.event]).get_id()
    session_id = session.id
    db.session.remove()
    autocommit: list[tuple[str, bool]] = []

    def note(conn, _cursor, statement, *_):
        autocommit.append((statement.split()[0], conn.connection.dbapi_connection.autocommit))

    sa_event.listen(db.engine, "before_cursor_execute", note)
    try:
        listed = client.get(f"/organiser/sessions/{session_id}/registrations/")
        db.session.remove()
        listed_statements, autocommit[:] = list(autocommit), []
        edited = client.get(f"/organiser/sessions/{session_id}/edit")
        db.session.remove()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", note)

    assert listed.status_code == 200 and edited.status_code == 200
    assert "Registrations · Looking Ahead: online follow-up session" in listed.text
    assert "<h1>Edit the session</h1>" in edited.text
    assert 'value="Looking Ahead: online follow-up session"' in edited.text
    assert listed_statements and all(on for _, on in listed_statements)
    assert autocommit and not any(on for _, on in autocommit)
