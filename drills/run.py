"""`make drills`: load and fault drills against real servers on loopback, each bounded in time.

Every drill prints what it tried and what it found and the run exits non-zero when a promise breaks.
They run on a throwaway PostgreSQL cluster of their own (`drills`, port 5433, created on first use),
never on the shared server on 5432, which other people's tests use.

    .venv/bin/python -m drills.run [burst mail_outage worker_crash db_restart bad_input]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.run import (
    BIN,
    ROOT,
    Browser,
    Gunicorn,
    env_for,
    fill_registration,
    find_rule,
    free_port,
    parse_form,
    parse_forms,
)

PG_VERSION = os.environ.get("DRILLS_PG_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]
CLUSTER = "drills"
PORT = int(os.environ.get("DRILLS_PG_PORT", "5433"))
OUT = ROOT / "drills" / "results"


# --- results -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    tried: str
    found: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    skipped: str = ""

    def check(self, ok: bool, promise: str, detail: str = "") -> None:
        line = f"{promise}{': ' + detail if detail else ''}"
        (self.found if ok else self.broken).append(line)

    @property
    def status(self) -> str:
        return "SKIPPED" if self.skipped else ("BROKEN" if self.broken else "KEPT")


def log(message: str) -> None:
    print(message, flush=True)


# --- the drills' own PostgreSQL cluster --------------------------------------------------------------


def pg(action: str) -> None:
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            PG_VERSION,
            CLUSTER,
            action,
            *(["-m", "fast"] if action in ("stop", "restart") else []),
        ],
        check=True,
        capture_output=True,
    )


def ensure_cluster() -> None:
    """Create (once) and start the throwaway cluster on PORT, trusting loopback like the shared one."""
    conf = Path(f"/etc/postgresql/{PG_VERSION}/{CLUSTER}")
    if not conf.exists():
        subprocess.run(["pg_createcluster", PG_VERSION, CLUSTER, "-p", str(PORT)], check=True, capture_output=True)
    hba = conf / "pg_hba.conf"
    text = hba.read_text()
    trusted = re.sub(r"^(host\s+all\s+all\s+(127\.0\.0\.1/32|::1/128)\s+)\S+", r"\1trust", text, flags=re.M)
    if trusted != text:
        hba.write_text(trusted)
    status = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    if not re.search(rf"^{PG_VERSION}\s+{CLUSTER}\s+{PORT}\s+online", status, re.M):
        pg("start")
    elif trusted != text:
        pg("reload")
    wait_for_postgres()


def wait_for_postgres(seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(PORT), "-q"]).returncode == 0:
            return
        time.sleep(0.2)
    raise SystemExit(f"the drills' PostgreSQL on port {PORT} did not come up")


def psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "-d", database, "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def fresh_database(name: str) -> str:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/{name}"


def prepared(name: str, **extra: str) -> tuple[dict[str, str], str]:
    """A fresh database with the schema and a small synthetic event, and the environment to serve it."""
    url = fresh_database(name)
    env = env_for(url, MAIL_FILE_DIR=str(OUT / name / "mail"), **extra)
    for args in (
        ("db", "upgrade"),
        ("demo", "synth", "--slug", "drill", "--items", "20", "--people", "10", "--registrations", "0"),
    ):
        result = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"flask {' '.join(args)} failed: {result.stderr}")
    return env, name


def routes(env: dict[str, str]) -> list[tuple[str, list[str], str]]:
    code = (
        "import json\nfrom app import create_app\napp = create_app()\n"
        "print(json.dumps([(r.rule, sorted(r.methods), r.endpoint) for r in app.url_map.iter_rules()]))"
    )
    result = subprocess.run(
        [str(BIN / "python"), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def session_id(database: str) -> int:
    return int(psql("SELECT id FROM event_sessions WHERE is_online ORDER BY id DESC LIMIT 1", database))


# --- database restart --------------------------------------------------------------------------------


def drill_db_restart(seconds: float) -> Outcome:
    outcome = Outcome(
        "database restart",
        "4 clients load the event's pages and /readyz through gunicorn (2 workers) while the drills' "
        "PostgreSQL is stopped for 3 s and started again",
    )
    env, database = prepared("drill_restart")
    rules = routes(env)
    event_page = "/events/drill/" if any(r[0] == "/events/<slug>/" for r in rules) else "/"
    paths = [event_page, "/readyz", "/"]
    server = Gunicorn(env, workers=2, log_path=OUT / "db_restart-gunicorn.log")
    results: list[tuple[float, str, int, str]] = []
    stop = threading.Event()

    def client(n: int) -> None:
        browser = Browser(server.port)
        i = n
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                response, body = browser.request("GET", path)
                results.append((time.monotonic(), path, response.status, body[:2000]))
            except OSError as error:
                results.append((time.monotonic(), path, 0, str(error)))
                time.sleep(0.05)

    rows_before = psql("SELECT count(*) FROM agenda_items", database)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    try:
        for t in threads:
            t.start()
        time.sleep(min(3, seconds / 4))
        down_at = time.monotonic()
        pg("stop")
        time.sleep(3)
        pg("start")
        wait_for_postgres()
        up_at = time.monotonic()
        time.sleep(max(5, seconds / 2))
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        stop.set()
        server.stop()
        ensure_cluster()

    statuses = Counter(status for _, _, status, _ in results)
    outcome.found.append(f"{len(results)} requests: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    during = [r for r in results if down_at <= r[0] <= up_at]
    unavailable = [r for r in results if r[2] == 503]
    outcome.check(bool(unavailable), "requests during the outage answered 503", f"{len(unavailable)} of {len(during)}")
    bad = [r for r in results if r[2] not in (200, 503)]
    outcome.check(not bad, "no answer other than 200 or 503", ", ".join(f"{p} {s}" for _, p, s, _ in bad[:5]))
    unclear = [r for r in unavailable if "briefly unavailable" not in r[3] and '"unavailable"' not in r[3]]
    outcome.check(not unclear, "every 503 is the clear page or readiness answer", f"{len(unclear)} were not")
    tracebacks = [r for r in results if "Traceback" in r[3] or "OperationalError" in r[3]]
    outcome.check(not tracebacks, "no traceback shown", f"{len(tracebacks)} responses showed one")
    settled = [r for r in results if r[0] >= up_at + 2]
    failed_after = [r for r in settled if r[2] != 200]
    outcome.check(
        bool(settled) and not failed_after,
        "every request 2 s after the restart succeeded",
        f"{len(settled) - len(failed_after)} of {len(settled)}",
    )
    if unavailable:
        recovery = max((r[0] for r in results if r[2] == 503), default=up_at) - up_at
        outcome.found.append(f"last 503 came {max(recovery, 0):.1f} s after PostgreSQL accepted connections again")
    rows_after = psql("SELECT count(*) FROM agenda_items", database)
    outcome.check(rows_after == rows_before, "no data lost", f"agenda items {rows_before} before, {rows_after} after")
    return outcome


# --- bad input ---------------------------------------------------------------------------------------


def drill_bad_input(seconds: float) -> Outcome:
    """Generated input into every path argument, query parameter and form field; no 500, rules kept."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    outcome = Outcome("bad input", "hypothesis-generated text into every GET route, query parameter and form")
    env, database = prepared("drill_input")
    rules = [r for r in routes(env) if "static" not in r[2]]
    ids = _ids(database)
    server = Gunicorn(env, workers=2, log_path=OUT / "bad_input-gunicorn.log")
    failures: list[str] = []
    tried = Counter()
    try:
        organiser = signed_in_organiser(server.port)
        forms = _discover_forms(server.port, rules, database, organiser)
        outcome.found.append(f"{len(forms)} forms found: " + ", ".join(sorted({f["page"] for f in forms})))
        junk = st.one_of(
            st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
            st.text(alphabet=st.characters(codec="ascii"), max_size=40),
            st.sampled_from(
                [
                    "",
                    " ",
                    "0",
                    "-1",
                    "99999999999999999999",
                    "1e309",
                    "null",
                    "\x00",
                    "<script>",
                    "'; --",
                    "../../etc/passwd",
                    "%00",
                    "a" * 5000,
                    "2030-02-30",
                    "Europe/Nowhere",
                    "@",
                    "a@b",
                ]
            ),
        )
        get_rules = [r for r in rules if "GET" in r[1]]
        deadline_get = time.monotonic() + seconds / 2
        deadline = time.monotonic() + seconds

        @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(
            st.sampled_from(get_rules),
            st.dictionaries(st.sampled_from(QUERY_NAMES), junk, max_size=3),
            junk,
            st.booleans(),
            st.booleans(),
        )
        def fuzz_get(rule, query, segment, real_ids, signed_in):
            if time.monotonic() > deadline_get:
                return
            path = _fill_rule(rule[0], ids) if real_ids else None
            path = path or re.sub(r"<[^>]+>", lambda _: _quote(segment) or "x", rule[0])
            browser = organiser if signed_in else Browser(server.port)
            response, body = browser.request("GET", path + "?" + _encode(query))
            tried["GET"] += 1
            if response.status >= 500:
                failures.append(f"GET {path} {query!r} -> {response.status}")

        @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(st.data())
        def fuzz_forms(data):
            form = data.draw(st.sampled_from(forms))
            fields = {name: (value if "csrf" in name else data.draw(junk)) for name, value in form["fields"].items()}
            if fields and data.draw(st.booleans()):
                fields.pop(data.draw(st.sampled_from(sorted(fields))))
            if time.monotonic() > deadline:  # after the draws: hypothesis wants the same draws on a replay
                return
            response, body = form["browser"].request("POST", form["action"], fields)
            tried["POST"] += 1
            if response.status >= 500:
                failures.append(f"POST {form['action']} {fields!r} -> {response.status}")

        _run_until(fuzz_get, deadline_get)
        if forms:
            _run_until(fuzz_forms, deadline)
    finally:
        server.stop()
    outcome.found.append(f"{tried['GET']} GET and {tried['POST']} POST requests")
    outcome.check(not failures, "zero 5xx answers", "; ".join(failures[:5]))
    for promise, sql in INVARIANTS:
        broken = psql(sql, database)
        outcome.check(broken in ("", "0"), promise, f"{broken} rows break it" if broken not in ("", "0") else "")
    return outcome


QUERY_NAMES = [
    "tz",
    "zone",
    "timezone",
    "page",
    "q",
    "sort",
    "status",
    "format",
    "token",
    "next",
    "day",
    "group",
    "session",
    "since",
    "per_page",
]

INVARIANTS = [
    (
        "seats taken equal the confirmed registrations of every session",
        "SELECT count(*) FROM event_sessions s WHERE s.seats_taken <> "
        "(SELECT count(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed')",
    ),
    (
        "no session above its capacity",
        "SELECT count(*) FROM event_sessions WHERE capacity IS NOT NULL AND seats_taken > capacity",
    ),
    (
        "every registration has a name and a plausible email, normalised",
        "SELECT count(*) FROM registrations WHERE btrim(full_name) = '' OR email NOT LIKE '%_@_%' "
        "OR email_normalised <> lower(email) OR length(email) > 254",
    ),
    (
        "every stored registration has its confirmation or waiting-list email in the outbox",
        "SELECT count(*) FROM registrations r WHERE NOT EXISTS "
        "(SELECT 1 FROM outbox_messages m WHERE m.registration_id = r.id)",
    ),
]


def _run_until(test: Callable[[], None], deadline: float) -> None:
    while time.monotonic() < deadline:
        test()


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _encode(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


def _ids(database: str) -> dict[str, str]:
    """An existing id for every kind of URL argument, from the drill's database."""
    first = {
        "event": "SELECT min(id) FROM events",
        "session": "SELECT max(id) FROM event_sessions",
        "item": "SELECT min(id) FROM agenda_items",
        "person": "SELECT min(id) FROM people",
        "appearance": "SELECT min(id) FROM appearances",
        "message": "SELECT min(id) FROM outbox_messages",
        "registration": "SELECT min(id) FROM registrations",
    }
    return {name: psql(sql, database) or "1" for name, sql in first.items()}


def _fill_rule(rule: str, ids: dict[str, str]) -> str | None:
    def value(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        if "slug" in name:
            return "drill"
        for kind, value in ids.items():
            if kind in name:
                return value
        return "\x00"

    path = re.sub(r"<([^>]+)>", value, rule)
    return None if "\x00" in path else path


def signed_in_organiser(port: int) -> Browser:
    """A cookie jar signed in as the synthetic event's organiser (anonymous if there is no sign-in page)."""
    organiser = Browser(port)
    _, html = organiser.request("GET", "/organiser/sign-in")
    form = parse_form(html)
    if form is not None:
        fields = dict(form["fields"])
        for name in fields:
            if "email" in name:
                fields[name] = "organiser@drill.example.org"
            elif "password" in name:
                fields[name] = "synth-organiser-password"
        organiser.request("POST", form["action"] or "/organiser/sign-in", fields)
    return organiser


def _discover_forms(port: int, rules, database: str, organiser: Browser) -> list[dict]:
    """Every POST form on every page, anonymous and signed in as the event's organiser, each with the CSRF
    token of its own cookie jar. Signing out is left out, so the organiser's forms stay reachable."""
    ids = _ids(database)
    anonymous = Browser(port)
    forms, seen = [], set()
    for rule, methods, _endpoint in rules:
        path = _fill_rule(rule, ids) if "GET" in methods else None
        if path is None:
            continue
        for browser in (anonymous, organiser):
            response, html = browser.request("GET", path)
            if response.status != 200 or "html" not in (response.getheader("Content-Type") or ""):
                continue
            for form in parse_forms(html):
                action = form["action"] or path
                if action in seen or "sign-out" in action:
                    continue
                seen.add(action)
                forms.append({"page": path, "action": action, "fields": form["fields"], "browser": browser})
    return forms


# --- drills that need registration and the outbox workers ---------------------------------------------

SMTP_RECORDER = """
import asyncio, signal, sys
from aiosmtpd.controller import Controller

port, path, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])

class Recorder:
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(delay)
        with open(path, "a") as out:
            for rcpt in envelope.rcpt_tos:
                out.write(rcpt + "\\n")
        return "250 OK"

controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
signal.signal(signal.SIGTERM, lambda *a: (controller.stop(), sys.exit(0)))
signal.pause()
"""

REGISTER_BY_SERVICE = """
import sys
from app import create_app
from app.errors import DomainError
from app.extensions import db
from app.models import EventSession
from app.registration.services import register_attendee
from app.transaction import use_case
app = create_app()
session_id, first, count = map(int, sys.argv[1:4])
with app.app_context():
    for n in range(first, first + count):
        session = db.session.get(EventSession, session_id)
        with use_case():
            register_attendee(session, full_name=f"Drill {n}", email=f"drill{n}@example.com", consent=True)
        db.session.remove()
"""

ENQUEUE = """
import sys
from app import create_app
from app.extensions import db
from app.mail.outbox import enqueue_message
app = create_app()
with app.app_context():
    for n in range(int(sys.argv[1])):
        enqueue_message(kind="drill", to_address=f"crash{n}@example.com", subject=f"Drill {n}", body_text="x" * 500)
    db.session.commit()
"""


class Recorder:
    """A real SMTP server in its own process that writes each recipient it accepts to a file."""

    def __init__(self, name: str, delay: float = 0.0):
        self.port = free_port()
        self.path = OUT / f"{name}-received.txt"
        self.path.write_text("")
        self.delay = delay
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "python"), "-c", SMTP_RECORDER, str(self.port), str(self.path), str(self.delay)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.process.stdout.readline()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def received(self) -> list[str]:
        return [line for line in self.path.read_text().splitlines() if line]


def outbox_worker(env: dict[str, str], log_name: str) -> subprocess.Popen:
    log_file = open(OUT / log_name, "w")  # noqa: SIM115 - lives as long as the worker
    return subprocess.Popen(
        [str(BIN / "flask"), "outbox", "work", "--interval", "0.5"], cwd=ROOT, env=env, stdout=log_file, stderr=log_file
    )


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def has_outbox_worker(env: dict[str, str]) -> bool:
    check = subprocess.run(
        [str(BIN / "python"), "-c", "import app.mail.delivery"], cwd=ROOT, env=env, capture_output=True
    )
    return check.returncode == 0


def wait_until(predicate: Callable[[], bool], seconds: float, step: float = 0.5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def drill_mail_outage(seconds: float) -> Outcome:
    outcome = Outcome(
        "mail outage",
        "200 people register while the SMTP server is down (an outbox worker keeps trying), then it comes back",
    )
    smtp = Recorder("mail_outage")
    env, database = prepared("drill_mail", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port), MAIL_TIMEOUT_SECONDS="2")
    if not has_outbox_worker(env):
        outcome.skipped = "no outbox worker on this branch yet"
        return outcome
    sid = session_id(database)
    worker = outbox_worker(env, "mail_outage-worker.log")
    try:
        how = register_many(env, database, sid, 200, outcome)
        outcome.found.append(f"registered 200 through {how}")
        wanted = "kind IN ('confirmation', 'waitlisted')"
        wait_until(
            lambda: (
                psql(f"SELECT count(*) FROM outbox_messages WHERE {wanted} AND status = 'retrying'", database) == "200"
            ),
            20,
        )
        during = psql(f"SELECT status || ':' || count(*) FROM outbox_messages WHERE {wanted} GROUP BY status", database)
        outcome.check(not smtp.received(), "nothing delivered while the server was down", during.replace(chr(10), ", "))
        smtp.start()
        outcome.found.append("SMTP server back; waiting for the retries (the first retry is due 60 s after a failure)")
        delivered = wait_until(
            lambda: psql(f"SELECT count(*) FROM outbox_messages WHERE {wanted} AND status = 'sent'", database) == "200",
            seconds,
        )
        received = [r for r in smtp.received() if r.startswith("drill")]
        outcome.check(
            delivered,
            "all 200 messages marked sent",
            psql(f"SELECT count(*) FROM outbox_messages WHERE {wanted} AND status = 'sent'", database),
        )
        outcome.check(
            len(set(received)) == 200, "all 200 people received their email", f"{len(set(received))} distinct"
        )
        duplicates = len(received) - len(set(received))
        outcome.check(duplicates == 0, "none received it twice", f"{duplicates} duplicates")
    finally:
        stop_worker(worker)
        smtp.stop()
    return outcome


def drill_worker_crash(seconds: float) -> Outcome:
    outcome = Outcome(
        "worker crash",
        "two outbox workers deliver 300 messages, one is killed with SIGKILL mid-batch: once with SMTP answering"
        " in 20 ms (as relays do), once answering at once",
    )
    # A slow relay: outcomes are written after each send, so only the message in flight can go out twice.
    _crash_once(
        outcome, seconds / 2, delay=0.02, database_name="drill_crash", allowed=1, what="the one message in flight"
    )
    # A fast relay: outcomes are written per batch, so what was sent since the last write goes out again.
    _crash_once(outcome, seconds / 2, delay=0, database_name="drill_crash_fast", allowed=400, what="one batch (400)")
    return outcome


def _crash_once(outcome: Outcome, seconds: float, *, delay: float, database_name: str, allowed: int, what: str):
    label = f"SMTP {delay * 1000:.0f} ms:"
    smtp = Recorder(database_name, delay=delay)
    env, database = prepared(database_name, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port), OUTBOX_CLAIM_SECONDS="5")
    subprocess.run([str(BIN / "python"), "-c", ENQUEUE, "300"], cwd=ROOT, env=env, check=True)
    smtp.start()
    victim = outbox_worker(env, f"{database_name}-victim.log")
    survivor = outbox_worker(env, f"{database_name}-survivor.log")
    try:
        wait_until(lambda: len(smtp.received()) >= 60, 30, 0.01)
        claimed = psql("SELECT count(*) FROM outbox_messages WHERE status = 'sending'", database)
        victim.kill()
        victim.wait()
        outcome.found.append(f"{label} killed a worker after {len(smtp.received())} deliveries, {claimed} claimed")
        done = wait_until(
            lambda: psql("SELECT count(*) FROM outbox_messages WHERE status = 'sent'", database) == "300", seconds
        )
        received = smtp.received()
        outcome.check(
            done,
            f"{label} every message marked sent",
            psql("SELECT status || ':' || count(*) FROM outbox_messages GROUP BY status", database).replace(
                chr(10), ", "
            ),
        )
        outcome.check(
            len(set(received)) == 300, f"{label} every message delivered", f"{len(set(received))} of 300 distinct"
        )
        duplicates = len(received) - len(set(received))
        outcome.check(duplicates <= allowed, f"{label} at most {what} delivered twice", f"{duplicates} duplicates")
    finally:
        stop_worker(victim)
        stop_worker(survivor)
        smtp.stop()


def register_many(env: dict[str, str], database: str, sid: int, count: int, outcome: Outcome) -> str:
    """Through the registration endpoint when there is one, else through the service in a subprocess."""
    path = registration_path(env)
    if path is None:
        subprocess.run(
            [str(BIN / "python"), "-c", REGISTER_BY_SERVICE, str(sid), "0", str(count)], cwd=ROOT, env=env, check=True
        )
        return "the register_attendee service (no registration endpoint on this branch yet)"
    server = Gunicorn(env, workers=2, log_path=OUT / "register-gunicorn.log")
    try:
        path = path.replace("<slug>", "drill")
        path = re.sub(r"<[^>]+>", str(sid), path)
        statuses = Counter(http_register(server.port, path, f"drill{n}@example.com") for n in range(count))
    finally:
        server.stop()
    outcome.check(set(statuses) <= {302, 303}, "every registration answered with a redirect", str(dict(statuses)))
    return f"POST {path}"


def http_register(port: int, path: str, email: str) -> int:
    browser = Browser(port)
    _, html = browser.request("GET", path)
    form = parse_form(html)
    fields = {k: (email if v == "EMAIL" else v) for k, v in fill_registration(form).items()}
    response, _ = browser.request("POST", form["action"] or path, fields)
    return response.status


def registration_path(env: dict[str, str]) -> str | None:
    return find_rule({"rules": routes(env)}, r"^/events/<[^>]*slug>/sessions/<[^>]+>/register/?$", "POST")


def drill_burst(seconds: float) -> Outcome:
    outcome = Outcome(
        "burst", "500 concurrent registrations for a 100-seat session through gunicorn (4 workers) on PostgreSQL"
    )
    env, database = prepared("drill_burst")
    path = registration_path(env)
    if path is None:
        outcome.skipped = "no registration endpoint on this branch yet"
        return outcome
    sid = session_id(database)
    psql(f"UPDATE event_sessions SET capacity = 100 WHERE id = {sid}", database)
    path = re.sub(r"<[^>]+>", str(sid), path.replace("<slug>", "drill"))
    server = Gunicorn(env, workers=4, log_path=OUT / "burst-gunicorn.log")
    try:
        # Every client fetches its form (and CSRF token) first, then all post at once.
        def prepare(n: int):
            browser = Browser(server.port)
            _, html = browser.request("GET", path)
            form = parse_form(html)
            fields = {k: (f"burst{n}@example.com" if v == "EMAIL" else v) for k, v in fill_registration(form).items()}
            return browser, form["action"] or path, fields

        with ThreadPoolExecutor(8) as pool:
            clients = list(pool.map(prepare, range(500)))
        barrier = threading.Barrier(100)
        statuses: list[int] = []

        def fire(batch):
            barrier.wait()
            for browser, action, fields in batch:
                try:
                    statuses.append(browser.request("POST", action, fields)[0].status)
                except OSError:
                    statuses.append(0)

        threads = [threading.Thread(target=fire, args=(clients[i::100],)) for i in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds)
    finally:
        server.stop()
    counts = Counter(statuses)
    outcome.found.append("answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    outcome.check(sum(v for k, v in counts.items() if k >= 500 or k == 0) == 0, "zero 5xx or dropped connections")
    rows = psql(
        f"SELECT status || ':' || count(*) FROM registrations WHERE session_id = {sid} GROUP BY status ORDER BY 1",
        database,
    )
    outcome.check(
        rows.split() == ["confirmed:100", "waitlisted:400"],
        "exactly 100 confirmed and 400 waitlisted",
        rows.replace(chr(10), ", "),
    )
    seats = psql(f"SELECT seats_taken FROM event_sessions WHERE id = {sid}", database)
    outcome.check(seats == "100", "seats taken is 100", seats)
    # Arrival order is the order the requests took the session's lock, which is the order of the ids
    # (the row is inserted under the lock).
    seats = psql(
        f"SELECT max(id) FILTER (WHERE status = 'confirmed') < min(id) FILTER (WHERE status = 'waitlisted') "
        f"FROM registrations WHERE session_id = {sid}",
        database,
    )
    outcome.check(seats == "t", "the seats went to the first 100 to arrive", "confirmed ids all below waitlisted ids")
    waitlist = psql(
        f"SELECT count(*), coalesce(round(max(extract(epoch FROM (before - waitlisted_at)) * 1000)), 0) "
        f"FROM (SELECT waitlisted_at, lag(waitlisted_at) OVER (ORDER BY id) AS before "
        f"FROM registrations WHERE session_id = {sid} AND status = 'waitlisted') w WHERE waitlisted_at < before",
        database,
    )
    late, by_ms = waitlist.split("|")
    outcome.check(
        late == "0",
        "the waiting list (waitlisted_at) is in arrival order",
        f"{late} registrations carry a waitlisted_at earlier than someone who took the lock before them "
        f"(by up to {by_ms} ms): the time is read before the lock is taken",
    )
    once = psql(
        f"SELECT count(*) FROM registrations r WHERE r.session_id = {sid} AND (SELECT count(*) FROM outbox_messages m "
        "WHERE m.registration_id = r.id AND m.kind IN ('confirmation', 'waitlisted')) <> 1",
        database,
    )
    outcome.check(
        once == "0",
        "every registration has its confirmation or waiting-list email in the outbox exactly once",
        f"{once} do not",
    )
    return outcome


DRILLS: dict[str, tuple[Callable[[float], Outcome], float]] = {
    "burst": (drill_burst, 60),
    "mail_outage": (drill_mail_outage, 100),
    "worker_crash": (drill_worker_crash, 120),
    "db_restart": (drill_db_restart, 12),
    "bad_input": (drill_bad_input, 40),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drills", nargs="*", choices=[*DRILLS, []], help="default: all of them")
    parser.add_argument("--strict", action="store_true", help="a skipped drill also fails the run")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_cluster()
    outcomes = []
    for name in args.drills or list(DRILLS):
        drill, seconds = DRILLS[name]
        log(f"\n== {name} (bounded to about {seconds:.0f} s)")
        started = time.monotonic()
        outcome = drill(seconds)
        outcomes.append(outcome)
        log(f"   tried: {outcome.tried}")
        if outcome.skipped:
            log(f"   SKIPPED: {outcome.skipped}")
        for line in outcome.found:
            log(f"   ok    {line}")
        for line in outcome.broken:
            log(f"   BROKE {line}")
        log(f"   {outcome.status} in {time.monotonic() - started:.0f} s")
    log("\n" + "\n".join(f"{o.status:8} {o.name}" for o in outcomes))
    failed = [o for o in outcomes if o.broken or (args.strict and o.skipped)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
