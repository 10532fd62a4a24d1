"""The outbox's delivery rate against a bare smtplib loop, both to the same local SMTP server.

Run by bench/run.py in the app's environment: queues `count` invitation-sized messages with
`enqueue_message`, delivers them with the outbox workers' own `deliver_all_due`, then sends the very
same MIME bytes through one smtplib connection. Prints one JSON line.

    .venv/bin/python -m bench.outbox COUNT SMTP_PORT
"""

from __future__ import annotations

import json
import smtplib
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from app import create_app
from app.extensions import db
from app.mail.outbox import enqueue_message
from app.models import OutboxMessage, OutboxStatus

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:{n}@bench.example.org\r\nSEQUENCE:0\r\nDTSTAMP:20261129T120000Z\r\nDTSTART:20271030T080000Z\r\n"
    "DTEND:20271030T093000Z\r\nSUMMARY:Looking Ahead: online follow-up session\r\n"
    "ORGANIZER;CN=MPF Team:mailto:mpf@example.org\r\nATTENDEE;CN=Attendee {n};RSVP=TRUE:mailto:a{n}@example.com\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def main(count: int, port: int, rounds: int = 7) -> dict:
    """`rounds` rounds, each: queue `count` messages, deliver them and send the same bytes bare (in turn
    first), medians kept (the machine is shared: one short round can land on someone else's burst)."""
    app = create_app()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False, MAIL_USE_TLS=False)
    results = []
    with app.app_context():
        for n in range(rounds):
            results.append(_round(app, count, port, first_bare=n % 2 == 1))
    middle = {key: statistics.median(r[key] for r in results) for key in results[0] if key != "report"}
    return {
        "count": count,
        "rounds": rounds,
        "sent": min(r["sent"] for r in results),
        "handled": max(r["handled"] for r in results),
        "report": results[-1]["report"],
        "ratio": statistics.median(r["outbox_per_s"] / r["smtplib_per_s"] for r in results),
        "ratios": [round(r["outbox_per_s"] / r["smtplib_per_s"], 2) for r in results],
        **{key: middle[key] for key in ("outbox_per_s", "smtplib_per_s", "smtplib_building_per_s")},
    }


def _round(app, count: int, port: int, *, first_bare: bool) -> dict:
    from app.mail.delivery import compose_row, deliver_all_due

    db.session.execute(delete(OutboxMessage).where(OutboxMessage.kind == "bench"))
    for n in range(count):
        enqueue_message(
            kind="bench",
            to_address=f"attendee{n}@example.com",
            to_name=f"Attendee {n}",
            subject="Your place at Looking Ahead: online follow-up session",
            body_text="You are registered.\n" * 20,
            body_html="<p>You are registered.</p>" * 20,
            ics=ICS.format(n=n),
            ics_method="REQUEST",
            not_before=datetime.now(UTC) - timedelta(seconds=1),
        )
    db.session.commit()
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "bench")).all()
    # The very bytes the outbox sends (its own composition), composed before any clock starts.
    payloads = [(m.to_address, compose_row(m).data) for m in messages]
    for message in messages:  # kept as loaded for the building loop below (a commit would expire them)
        db.session.expunge(message)
    db.session.commit()

    def through_the_outbox():
        started = time.perf_counter()
        report = deliver_all_due()
        return time.perf_counter() - started, report

    def bare():
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for to_address, data in payloads:
                smtp.sendmail(app.config["MAIL_DEFAULT_SENDER"], [to_address], data)
        return time.perf_counter() - started

    # Which goes first alternates from round to round, so that neither always runs right after the
    # inserts were written (the database's background writes then fall on both alike).
    if first_bare:
        bare_seconds = bare()
        outbox_seconds, report = through_the_outbox()
    else:
        outbox_seconds, report = through_the_outbox()
        bare_seconds = bare()
    sent = db.session.scalar(
        select(db.func.count()).where(OutboxMessage.kind == "bench", OutboxMessage.status == OutboxStatus.SENT)
    )
    # The same loop building each message on the way: what remains is the outbox's database work.
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for message in messages:
            smtp.sendmail(app.config["MAIL_DEFAULT_SENDER"], [message.to_address], compose_row(message).data)
    building_seconds = time.perf_counter() - started
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.kind == "bench"))
    db.session.commit()
    return {
        "sent": sent,
        "handled": report.handled,
        "report": str(report),
        "outbox_per_s": count / outbox_seconds,
        "smtplib_per_s": count / bare_seconds,
        "smtplib_building_per_s": count / building_seconds,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
