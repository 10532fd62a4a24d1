"""Shared fixtures: the app on a real database, a client, a CLI runner, clean tables after each test, and
an empty render cache and fresh rate-limit counters before each.

SQLite (a temporary file, so that a live server thread sees the same data) by default;
TEST_DATABASE_URL reruns everything on PostgreSQL, and then an unreachable server is an error.
"""

import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from limits.storage import MemoryStorage
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from app.render_cache import render_cache
from config import TestingConfig
from tests.smtp import SMTPServer

_DB_DIR = tempfile.mkdtemp(prefix="events-test-")
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_DB_DIR}/test.sqlite"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_config(**overrides) -> type:
    """A TestingConfig subclass on the test database, with overrides."""
    values = {
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "MAIL_FILE_DIR": f"{_DB_DIR}/mail",
        "MATERIALS_DIR": f"{_DB_DIR}/materials",
        **overrides,
    }
    return type("TestConfig", (TestingConfig,), values)


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    app = create_app(make_config())
    with app.app_context():
        _check_reachable()
        _reset_schema()
        upgrade(directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    yield app


@pytest.fixture(autouse=True)
def _clean_tables(request) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        delete_all_rows()


@pytest.fixture(autouse=True)
def _fresh_caches(request) -> None:
    """Every test starts with an empty render cache and empty rate-limit counters, with the limiter off as in
    TestingConfig, whatever the test before did: the limiter is one object shared by every app made here."""
    limiter.enabled = TestingConfig.RATELIMIT_ENABLED
    # The last app made with limits on owns the storage. A Redis one is shared with other runs and kept apart
    # by RATELIMIT_KEY_PREFIX, so only the in-process counters are emptied.
    storage = getattr(limiter, "_storage", None)
    if isinstance(storage, MemoryStorage):
        storage.reset()
    if "app" in request.fixturenames:
        with request.getfixturevalue("app").app_context():
            render_cache().clear()


@pytest.fixture
def app_context(app) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app, app_context):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run inside a `with count_queries() as statements:` block."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The app served by a real HTTP server in a thread; yields its base URL."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def delete_all_rows() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in tables:
                conn.execute(table.delete())


def _check_reachable() -> None:
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        pytest.exit(f"TEST_DATABASE_URL is set but the database cannot be reached: {error}", returncode=3)


def _reset_schema() -> None:
    """Start every run from an empty database, so the migrations build the whole schema."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        else:
            for table in sa.inspect(conn).get_table_names():
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server on a free loopback port, stopped after the test."""
    server = SMTPServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_server(app, smtp_server, monkeypatch) -> SMTPServer:
    """The app's outbox delivers to the loopback SMTP server: call app.mail.delivery.deliver_due(),
    then read `mail_server.messages`."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT_SECONDS", 5)
    return smtp_server
