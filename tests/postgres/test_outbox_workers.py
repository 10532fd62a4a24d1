"""Several outbox workers on PostgreSQL: FOR UPDATE SKIP LOCKED hands each message to exactly one of them."""

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.outbox import enqueue_message
from app.models import OutboxMessage, OutboxStatus
from tests.conftest import DATABASE_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgresql"),
        reason="SKIP LOCKED needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...",
    ),
]

NOW = datetime(2030, 10, 1, 9, 0, tzinfo=UTC)


def _queue(count: int) -> list[int]:
    messages = [
        enqueue_message(
            kind="confirmation",
            to_address=f"person{n}@example.com",
            subject=f"Message {n}",
            body_text="Hello",
            not_before=NOW,
        )
        for n in range(count)
    ]
    db.session.commit()
    return [m.id for m in messages]


def test_two_workers_never_send_the_same_message(app, app_context, mail_server):
    ids = _queue(40)
    sent_by: dict[str, list[int]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        try:
            with app.app_context():
                start.wait()
                mine: list[int] = []
                while report := deliver_due(now=NOW, limit=3):
                    if not report.handled:
                        break
                    mine += report.sent
                sent_by[name] = mine
                db.session.remove()
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(sent_by["a"] + sent_by["b"]) == ids
    assert set(sent_by["a"]).isdisjoint(sent_by["b"])
    received = Counter(m["To"] for m in mail_server.messages)
    assert received == Counter({f"person{n}@example.com": 1 for n in range(40)})
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert Counter(statuses) == Counter({OutboxStatus.SENT: 40})


def test_deliver_due_skips_rows_another_worker_holds_instead_of_waiting(app, app_context, mail_server):
    held_id, free_id = _queue(2)
    other = db.engine.connect()
    transaction = other.begin()
    try:
        # Another worker is in the middle of claiming the first message.
        other.execute(select(OutboxMessage.id).where(OutboxMessage.id == held_id).with_for_update())

        report = deliver_due(now=NOW)
    finally:
        transaction.rollback()
        other.close()

    assert report.sent == [free_id]
    assert [m["Subject"] for m in mail_server.messages] == ["Message 1"]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, held_id).status == OutboxStatus.QUEUED
