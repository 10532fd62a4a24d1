"""The floor under registration: its transaction in plain psycopg, with no Flask, ORM, form or templates.

Two processes (as many as gunicorn's workers) repeat what a registration writes, as fast as they can, on
the benchmark's own database: lock the session row, check the address, insert the registration, take the
seat, insert its three outbox rows (copied from the last registration the app made, so the same widths),
commit. Whatever Python runs on top, registration cannot go faster than this on the same machine: the
session's row lock makes registrations to one session take turns, and each commit waits for the disk.
"""

from __future__ import annotations

import multiprocessing
import secrets
import time

import psycopg


def _repeat(url: str, session_id: int, seconds: float, results, seat: bool) -> None:
    with psycopg.connect(url) as conn:
        template = conn.execute(
            "SELECT * FROM registrations WHERE id = (SELECT max(registration_id) FROM outbox_messages "
            "WHERE kind = 'confirmation' AND session_id = %s)",
            (session_id,),
        )
        registration = dict(zip([c.name for c in template.description], template.fetchone(), strict=True))
        cursor = conn.execute("SELECT * FROM outbox_messages WHERE registration_id = %s", (registration["id"],))
        names = [c.name for c in cursor.description]
        messages = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        conn.commit()
        registration_columns = [c for c in registration if c != "id"]
        message_columns = [c for c in names if c != "id"]
        insert_registration = (
            f"INSERT INTO registrations ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in registration_columns)}) "
            f"VALUES ({', '.join(['%s'] * len(registration_columns))}) RETURNING id"
        )
        one_message = "(" + ", ".join(["%s"] * len(message_columns)) + ")"
        insert_messages = f"INSERT INTO outbox_messages ({', '.join(message_columns)}) VALUES " + ", ".join(
            [one_message] * len(messages)
        )
        took: list[float] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            email = f"floor-{secrets.token_hex(8)}@example.com"
            with conn.transaction():
                lock = " FOR UPDATE" if seat else ""
                conn.execute(f"SELECT * FROM event_sessions WHERE id = %s{lock}", (session_id,)).fetchone()
                conn.execute(
                    "SELECT id FROM registrations WHERE session_id = %s AND email_normalised = %s "
                    "AND status <> 'cancelled'",
                    (session_id, email),
                ).fetchone()
                values = {
                    **registration,
                    "email": email,
                    "email_normalised": email,
                    "manage_token_hash": secrets.token_hex(32),
                    "uid": secrets.token_hex(16),
                }
                new_id = conn.execute(insert_registration, [values[c] for c in registration_columns]).fetchone()[0]
                if seat:
                    conn.execute(
                        "UPDATE event_sessions SET seats_taken = seats_taken + 1 "
                        "WHERE id = %s AND (capacity IS NULL OR seats_taken < capacity)",
                        (session_id,),
                    )
                rows = [{**m, "registration_id": new_id} for m in messages]
                conn.execute(insert_messages, [row[c] for row in rows for c in message_columns])
            took.append(time.monotonic() - started)
    results.put(took)


def registration_floor(
    url: str, session_id: int, seconds: float, *, seat: bool = True, processes: int = 2
) -> tuple[float, list[float]]:
    """Transactions a second from `processes` processes for `seconds`, and every transaction's duration (s).

    Without `seat`, the session row is neither locked nor updated: no seat is counted, which no correct
    registration can do without, so the figure is the ceiling of any design on this machine."""
    results = multiprocessing.get_context("spawn").Queue()
    workers = [
        multiprocessing.get_context("spawn").Process(target=_repeat, args=(url, session_id, seconds, results, seat))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    durations = [d for _ in workers for d in results.get(timeout=seconds + 60)]
    for worker in workers:
        worker.join()
    return len(durations) / seconds, sorted(durations)
