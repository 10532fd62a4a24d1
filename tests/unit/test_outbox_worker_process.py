"""`flask outbox work` as a real process: it delivers what is due, applies the retention periods, and stops
cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import enqueue_message
from app.models import Registration
from tests.conftest import DATABASE_URL
from tests.factories import make_online_session, make_registration

ROOT = Path(__file__).resolve().parents[2]


def test_outbox_work_delivers_then_stops_on_sigterm_and_logs_each_outcome_to_stderr(app_context, mail_server):
    message = enqueue_message(
        kind="confirmation",
        to_address="amina@example.com",
        subject="From the worker",
        body_text="Hello",
        not_before=datetime(2020, 1, 1, tzinfo=UTC),
    )
    db.session.commit()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": DATABASE_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_server.port),
        "FLASK_APP": "wsgi",
    }
    flask = [sys.executable, "-m", "flask", "outbox", "work", "--interval", "0.2"]
    worker = subprocess.Popen(flask, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        received = mail_server.wait_for(1, timeout=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, errors = worker.communicate(timeout=30)

    assert [m["Subject"] for m in received] == ["From the worker"]
    assert worker.returncode == 0, output
    assert output.splitlines() == [
        "Outbox worker delivering every 0.2s; stop with Ctrl-C.",
        "Outbox: 1 sent, 0 to retry, 0 failed.",
        "Outbox worker stopped.",
    ]
    [logged] = [line for line in errors.splitlines() if "outbox message=" in line]
    assert logged.endswith(f"outbox message={message.id} kind=confirmation outcome=sent attempts=1")
    assert "amina" not in errors and "From the worker" not in errors


def test_outbox_work_applies_the_retention_periods_when_it_starts(app_context):
    ends = datetime.now(UTC) - timedelta(days=400)
    session = make_online_session(starts_at=ends - timedelta(hours=1), ends_at=ends)
    registration_id = make_registration(session, full_name="Long Gone", accessibility_needs="Captions").id
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": DATABASE_URL, "FLASK_APP": "wsgi"}
    flask = [sys.executable, "-m", "flask", "outbox", "work", "--interval", "0.2"]
    worker = subprocess.Popen(flask, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        name = "Long Gone"
        db.session.commit()
        for _ in range(300):  # until the worker has run it (at most 30 s)
            name = db.session.scalar(select(Registration.full_name).where(Registration.id == registration_id))
            # On SQLite even a read holds the write lock: end it before the worker needs the database.
            db.session.rollback()
            if name == "":
                break
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, errors = worker.communicate(timeout=30)

    assert name == ""
    assert worker.returncode == 0, output + errors
    assert output.splitlines() == [
        "Outbox worker delivering every 0.2s; stop with Ctrl-C.",
        "Retention: 1 registration anonymised (90 days after their session), "
        "1 accessibility need cleared (session ended, cancelled or called off), "
        "0 message bodies deleted (30 days after delivery).",
        "Outbox worker stopped.",
    ]
