"""`make bench`: the app under gunicorn on PostgreSQL and on SQLite, loaded with wrk on loopback.

Every page is reported as a ratio of its throughput to /healthz measured in the same run (absolute
numbers on a shared 2-core machine are noise), with latency percentiles, peak RSS per worker and SQL
statements per request (X-Query-Count, QUERY_COUNT_HEADER=1). Pages that do not exist yet on this
branch are skipped with a note. Writes bench/results/results.md and bench/results/results.png
(git-ignored; bench/README.md keeps the figures of record).

    .venv/bin/python -m bench.run [--duration 5] [--backends postgresql,sqlite] [--only registration,outbox]

`--only` keeps the rows whose label starts with one of the given words (and the /healthz runs they are
compared with): `--backends postgresql --only registration` measures the registration POST and its floor.
BENCH_PG_DATABASE names the PostgreSQL database (default `bench`; the outbox uses `<name>_outbox`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from bench.floor import registration_floor

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "bench" / "results"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "bench")
BIG, SMALL = "synth", "synth10"
TARGETS = {
    "public": 0.5,
    "organiser list": 0.2,
    "registration POST": 0.25,
    "outbox": 0.8,
}


# --- small helpers ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        APP_ENV="production",
        FLASK_APP="wsgi",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        ALLOW_SQLITE="1",
        QUERY_COUNT_HEADER="1",
        # Rate limits would throttle the load generator itself; they are measured by nobody here.
        RATELIMIT_ENABLED="0",
        WEB_CONCURRENCY="2",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        MAIL_FILE_DIR=str(Path(tempfile.gettempdir()) / "bench-mail"),
    )
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def reset_postgres(name: str = PG_DATABASE) -> str:
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    return f"{PG_ADMIN}/{name}"


def reset_sqlite() -> str:
    path = Path(tempfile.gettempdir()) / "bench-events.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


# --- HTTP on loopback with a cookie jar --------------------------------------------------------------


@dataclass
class Browser:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: dict[str, str] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response, text

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


class FormParser(HTMLParser):
    """The first POST form of a page: its action and a value for every field."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "types": {}})
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                form["fields"].setdefault(name, a.get("value", "y"))
            elif kind not in ("submit", "button"):
                form["fields"][name] = a.get("value", "")
            form["types"][name] = kind
        elif tag == "textarea" and name:
            form["fields"][name] = ""
            form["types"][name] = "textarea"
        elif tag == "select" and name:
            self._select = name
            form["types"][name] = "select"
        elif tag == "option" and self._select and self._select not in form["fields"] and a.get("value"):
            form["fields"][self._select] = a["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def parse_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def parse_form(html: str) -> dict | None:
    forms = parse_forms(html)
    return forms[0] if forms else None


def fill_registration(form: dict) -> dict[str, str]:
    fields = dict(form["fields"])
    for name, kind in form["types"].items():
        if kind == "email" or "email" in name:
            fields[name] = "EMAIL"
        elif kind in ("text", "textarea") and not fields.get(name) and "csrf" not in name:
            fields[name] = "Bench" if "name" in name else ("Europe/Brussels" if "zone" in name else "x")
    return fields


# --- the URLs to load --------------------------------------------------------------------------------


@dataclass
class Target:
    label: str
    kind: str  # public, organiser list, registration POST
    path: str | None = None
    note: str = ""
    method: str = "GET"
    cookie: str = ""
    body: str = ""
    queries: dict[str, str] = field(default_factory=dict)


def discover(env: dict[str, str]) -> dict[str, dict]:
    """Ask the app itself which URLs exist, with the synthetic events' ids and tokens."""
    code = r"""
import json, re
from sqlalchemy import select
from app import create_app
from app.demo.synth import feed_token, manage_token
from app.extensions import db
from app.models import Appearance, Event, Person
app = create_app()
out = {}
with app.app_context():
    rules = [(r.rule, sorted(r.methods), r.endpoint, sorted(r.arguments)) for r in app.url_map.iter_rules()]
    for slug in SLUGS:
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        online = event.sessions[-1]
        person = db.session.scalar(select(Person).where(Person.email == f"speaker1@{slug}.example.org"))
        item = db.session.scalar(select(Appearance.item_id).where(Appearance.person_id == person.id))
        out[slug] = dict(slug=slug, event_id=event.id, session_id=online.id, person_id=person.id, item_id=item,
                         feed_token=feed_token(slug, 1), manage_token=manage_token(slug, 1))
print(json.dumps({"rules": rules, "values": out}))
""".replace("SLUGS", repr((BIG, SMALL)))

    result = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"discovering URLs failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _fill(rule: str, values: dict, token: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        if "slug" in name:
            return values["slug"]
        if "token" in name:
            return values[token]
        if "person" in name or "speaker" in name:
            return str(values["person_id"])
        if "item" in name:
            return str(values["item_id"])
        if "event" in name:
            return str(values["event_id"])
        return str(values["session_id"])

    return re.sub(r"<([^>]+)>", value, rule)


#: (label, kind, regex on the rule, method, which token fills <token>)
PAGES = [
    ("events index", "public", r"^/$", "GET", "feed_token"),
    ("agenda", "public", r"^/events/<[^>]*slug>/$", "GET", "feed_token"),
    ("agenda.ics", "public", r"^/events/<[^>]*slug>/agenda\.ics$", "GET", "feed_token"),
    ("speaker page", "public", r"^/events/<[^>]*slug>/speakers/<[^>]+>/?$", "GET", "feed_token"),
    ("speaker feed", "public", r"^(?!/events/<[^>]*slug>/agenda).*<[^>]*token>.*(\.ics|feed).*$", "GET", "feed_token"),
    ("session page", "public", r"^/events/<[^>]*slug>/sessions/<[^>]+>/$", "GET", "feed_token"),
    ("organiser list", "organiser list", r"^/organiser/.*<[^>]+>.*registrations/?$", "GET", "manage_token"),
]


def plan(discovered: dict) -> dict[str, list[Target]]:
    rules = discovered["rules"]
    plans: dict[str, list[Target]] = {BIG: [], SMALL: []}
    for label, kind, pattern, method, token in PAGES:
        match = next((r for r in rules if method in r[1] and re.search(pattern, r[0]) and "csv" not in r[0]), None)
        for slug in plans:
            if match is None:
                plans[slug].append(Target(label, kind, note="no such page on this branch yet"))
            else:
                plans[slug].append(Target(label, kind, _fill(match[0], discovered["values"][slug], token)))
    return plans


def find_rule(discovered: dict, pattern: str, method: str) -> str | None:
    return next((r[0] for r in discovered["rules"] if method in r[1] and re.search(pattern, r[0])), None)


# --- gunicorn and wrk --------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int = 2, log_path: Path | None = None, timeout: int = 30):
        self.port = free_port()
        self.log_path = log_path or OUT / "gunicorn.log"
        self.log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--no-control-socket",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                str(timeout),
                "--access-logfile",
                "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if Browser(self.port).request("GET", "/healthz")[0].status == 200 and len(self.workers()) == workers:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start: see {self.log_path}")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()


@dataclass
class Load:
    rps: float
    p50: float
    p90: float
    p99: float
    requests: int
    errors: int


def wrk(port: int, path: str, duration: int, *, cookie: str = "", script: Path | None = None, connections=4) -> Load:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if script:
        cmd += ["-s", str(script)]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=ms("50"),
        p90=ms("90"),
        p99=ms("99"),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        errors=errors,
    )


POST_SCRIPT = r"""
local counter = 0
local id = 0
local thread_ids = 0
function setup(thread)
  thread_ids = thread_ids + 1
  thread:set("id", thread_ids)
end
function request()
  counter = counter + 1
  local email = "bench-" .. RUN .. "-" .. id .. "-" .. counter .. "%40example.com"
  local body = BEFORE .. email .. AFTER
  return wrk.format("POST", PATH, {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = COOKIE}, body)
end
"""


def post_script(path: str, body: str, cookie: str) -> Path:
    script = OUT / "register.lua"
    before, _, after = body.partition("EMAIL")
    values = {"RUN": secrets.token_hex(4), "PATH": path, "BEFORE": before, "AFTER": after, "COOKIE": cookie}
    # JSON strings are valid Lua strings; the email goes in by concatenation (gsub treats % specially).
    header = "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items())
    script.write_text(header + POST_SCRIPT)
    return script


# --- one backend -------------------------------------------------------------------------------------


@dataclass
class Row:
    backend: str
    label: str
    kind: str
    load: Load | None = None
    ratio: float | None = None
    queries_small: str = ""
    queries_big: str = ""
    note: str = ""


def drain(server: Gunicorn) -> None:
    """Wait until the workers have worked off what wrk left queued, so the next run starts level."""
    for _ in range(2):
        Browser(server.port).request("GET", "/healthz")


def count_queries(browser: Browser, path: str) -> str:
    response, _ = browser.request("GET", path)
    return f"{response.getheader('X-Query-Count', '?')} ({response.status})"


def sign_in(browser: Browser, discovered: dict, slug: str = BIG) -> str | None:
    login = find_rule(discovered, r"^/organiser/(login|sign-in|signin)/?$", "POST")
    if login is None:
        return None
    _, html = browser.request("GET", login)
    form = parse_form(html)
    if form is None:
        return None
    fields = dict(form["fields"])
    for name in fields:
        if "email" in name:
            fields[name] = f"organiser@{slug}.example.org"
        elif "password" in name:
            fields[name] = "synth-organiser-password"
    response, _ = browser.request("POST", form["action"] or login, fields)
    return browser.cookie_header() if response.status in (302, 303) else None


def selected(label: str, only: tuple[str, ...]) -> bool:
    """Whether `--only` keeps this row (no `--only`: every row)."""
    return not only or label.startswith(only)


def bench_backend(
    backend: str, database_url: str, duration: int, only: tuple[str, ...] = ()
) -> tuple[list[Row], list[float]]:
    env = env_for(database_url)
    log(f"\n== {backend}: {database_url}")
    flask(env, "db", "upgrade")
    log("   " + flask(env, "demo", "synth", "--slug", BIG))
    log("   " + flask(env, "demo", "synth", "--slug", SMALL, "--items", "10", "--people", "6", "--registrations", "50"))
    discovered = discover(env)
    plans = plan(discovered)
    server = Gunicorn(env)
    rows: list[Row] = []
    try:
        browser = Browser(server.port)
        cookie = sign_in(browser, discovered) or ""
        small_organiser = Browser(server.port)
        sign_in(small_organiser, discovered, SMALL)
        healthz = wrk(server.port, "/healthz", duration)
        rows.append(Row(backend, "/healthz", "baseline", healthz, 1.0, "0", "0", "first of the interleaved runs"))
        log(f"   /healthz {healthz.rps:.0f} req/s")
        baselines = [healthz.rps]

        def ratio_after(load: Load) -> float:
            """/healthz again right after the page: the page against the mean of the runs either side of it."""
            drain(server)
            baselines.append(wrk(server.port, "/healthz", duration).rps)
            return load.rps / ((baselines[-2] + baselines[-1]) / 2)

        for big, small in zip(plans[BIG], plans[SMALL], strict=True):
            if not selected(big.label, only):
                continue
            if big.path is not None and big.label == "events index":
                big.path = small.path = "/"
            row = Row(backend, big.label, big.kind, note=big.note)
            rows.append(row)
            if big.path is None:
                log(f"   {big.label}: skipped, {big.note}")
                continue
            if big.kind == "organiser list" and not cookie:
                row.note = "skipped: could not sign in as the organiser"
                log(f"   {big.label}: {row.note}")
                continue
            organiser = big.kind == "organiser list"
            row.queries_big = count_queries(Browser(server.port, dict(browser.cookies) if organiser else {}), big.path)
            row.queries_small = count_queries(
                Browser(server.port, dict(small_organiser.cookies) if organiser else {}), small.path
            )
            if not row.queries_big.endswith("(200)"):
                row.note = f"{big.path} answered {row.queries_big}; not loaded"
                log(f"   {big.label}: {row.note}")
                continue
            row.load = wrk(server.port, big.path, duration, cookie=cookie if big.kind == "organiser list" else "")
            row.ratio = ratio_after(row.load)
            row.note = big.path
            if row.load.requests == 0:
                row.note += f" (no request completed within {duration} s: latency figures are not meaningful)"
            log(f"   {big.label} {row.load.rps:.0f} req/s ratio {row.ratio:.2f} queries {row.queries_big}")
        if selected("registration", only):
            rows += bench_registration(backend, database_url, server, discovered, ratio_after, duration)
        spread = f"{min(baselines):.0f}-{max(baselines):.0f}"
        log(f"   /healthz ranged {spread} req/s over {len(baselines)} runs (the machine is shared)")
        rows[
            rows.index(next(r for r in rows if r.label == "/healthz"))
        ].note = f"{len(baselines)} runs interleaved with the pages: {spread} req/s"
        peaks = server.peak_rss_mb()
    finally:
        server.stop()
    return rows, peaks


def bench_registration(
    backend: str, database_url: str, server: Gunicorn, discovered: dict, ratio_after, duration: int
) -> list[Row]:
    row = Row(backend, "registration POST", "registration POST")
    if backend != "postgresql":
        row.note = "measured on PostgreSQL only"
        return [row]
    values = discovered["values"][BIG]
    page = find_rule(discovered, r"^/events/<[^>]*slug>/sessions/<[^>]+>/register/?$", "POST")
    if page is None:
        row.note = "skipped: no registration endpoint on this branch yet"
        log(f"   registration POST: {row.note}")
        return [row]
    path = _fill(page, values, "manage_token")
    browser = Browser(server.port)
    _, html = browser.request("GET", path)
    form = parse_form(html)
    if form is None:
        row.note = f"skipped: no form at {path}"
        return [row]
    fields = fill_registration(form)
    action = form["action"] or path
    body = urllib.parse.urlencode(fields).replace("EMAIL", "EMAIL")
    trial = dict(fields)
    trial = {k: (f"bench-trial-{secrets.token_hex(3)}@example.com" if v == "EMAIL" else v) for k, v in trial.items()}
    response, text = browser.request("POST", action, trial)
    if response.status not in (302, 303):
        errors = re.findall(r"invalid-feedback[^>]*>([^<]+)<", text)
        row.note = f"skipped: a trial registration answered {response.status} {errors[:3]}"
        log(f"   registration POST: {row.note}")
        return [row]
    row.queries_big = response.getheader("X-Query-Count", "?")
    row.load = wrk(
        server.port,
        action,
        duration,
        cookie=browser.cookie_header(),
        script=post_script(action, body, browser.cookie_header()),
    )
    row.ratio = ratio_after(row.load)
    row.note = f"POST {action}"
    log(f"   registration POST {row.load.rps:.0f} req/s ratio {row.ratio:.2f} errors {row.load.errors}")
    session_id = int(values["session_id"])
    return [row, *(bench_registration_floor(database_url, session_id, ratio_after, duration, seat=s) for s in (1, 0))]


def bench_registration_floor(database_url: str, session_id: int, ratio_after, duration: int, *, seat: bool) -> Row:
    """What registration could reach with no Python on top of its SQL (bench/floor.py), in the same run."""
    label = "registration floor" if seat else "registration floor, no seat counted"
    row = Row("postgresql", label, "floor")
    rps, took = registration_floor(database_url.replace("+psycopg", ""), session_id, duration, seat=seat)
    ms = [t * 1000 for t in took]
    row.load = Load(rps, ms[len(ms) // 2], ms[len(ms) * 9 // 10], ms[len(ms) * 99 // 100], len(ms), 0)
    row.ratio = ratio_after(row.load)
    row.note = (
        "its transaction in plain psycopg from 2 processes: no Flask, ORM, form or templates (bench/floor.py)"
        if seat
        else "the same without locking the session or counting the seat: the ceiling of any design here"
    )
    log(f"   {label} {rps:.0f} transactions/s ratio {row.ratio:.2f}")
    return row


# --- the outbox against a bare smtplib loop ----------------------------------------------------------


def bench_outbox(count: int = 800) -> Row:
    """Deliver `count` queued messages through the outbox worker, then the same bytes through one smtplib
    connection, both to the same local SMTP server (aiosmtpd in its own process).

    On a database of its own (`bench_outbox`, migrated here): the pages' run leaves the registration
    benchmark's confirmations due in `bench`, and a pass would deliver those too."""
    row = Row("postgresql", "outbox", "outbox")
    env = env_for(reset_postgres(f"{PG_DATABASE}_outbox"))
    flask(env, "db", "upgrade")
    port = free_port()
    smtp = subprocess.Popen(
        [str(BIN / "python"), "-c", SMTP_SERVER, str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        smtp.stdout.readline()  # "ready"
        result = subprocess.run(
            [str(BIN / "python"), "-m", "bench.outbox", str(count), str(port)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        smtp.terminate()
        smtp.wait(timeout=10)
    if result.returncode != 0:
        row.note = "failed: " + result.stderr.strip().splitlines()[-1]
        log(f"   outbox: {row.note}")
        return row
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    row.ratio = figures["ratio"]
    row.note = (
        f"median of {figures['rounds']} rounds of {count} (ratios {figures['ratios']}): "
        f"{figures['outbox_per_s']:.0f} msg/s through the outbox vs {figures['smtplib_per_s']:.0f} msg/s "
        f"bare smtplib ({figures['smtplib_building_per_s']:.0f} msg/s when the loop also builds each MIME "
        f"message); {figures['sent']}/{count} marked sent, {figures['handled']} handled per pass"
    )
    log(f"   outbox: {row.note} (ratio {row.ratio:.2f})")
    return row


SMTP_SERVER = """
import signal, sys
from aiosmtpd.controller import Controller

class Sink:
    # Accepts without parsing, so the server is not what is measured.
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
signal.signal(signal.SIGTERM, lambda *a: (controller.stop(), sys.exit(0)))
signal.pause()
"""


# --- report ------------------------------------------------------------------------------------------


def target_for(row: Row) -> float | None:
    return TARGETS.get(row.kind)


def render(rows: list[Row], peaks: dict[str, list[float]], duration: int) -> str:
    lines = [
        "| backend | page | req/s | ratio to /healthz | target | p50 ms | p90 ms | p99 ms | errors | "
        "queries (10 items) | queries (200 items) | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        target = target_for(r)
        verdict = ""
        if r.ratio is not None and target is not None:
            verdict = "ok" if r.ratio >= target and (r.load is None or r.load.errors == 0) else "MISSED"
        load = r.load
        lines.append(
            "| "
            + " | ".join(
                [
                    r.backend,
                    r.label,
                    f"{load.rps:.0f}" if load else "",
                    f"{r.ratio:.2f}" if r.ratio is not None else "",
                    f"{target} {verdict}".strip() if target is not None else "",
                    f"{load.p50:.1f}" if load else "",
                    f"{load.p90:.1f}" if load else "",
                    f"{load.p99:.1f}" if load else "",
                    str(load.errors) if load else "",
                    r.queries_small,
                    r.queries_big,
                    r.note,
                ]
            )
            + " |"
        )
    lines.append("")
    for backend, values in peaks.items():
        lines.append(f"Peak RSS per gunicorn worker on {backend}: " + ", ".join(f"{v:.0f} MB" for v in values))
    lines.append("")
    lines.append(
        f"wrk: 2 threads, 4 connections, {duration} s per page, on the same 2-core machine as gunicorn "
        "(2 sync workers, `--no-control-socket`). Each page is followed by a /healthz run and compared with the "
        "mean of the /healthz runs before and after it."
    )
    return "\n".join(lines)


def chart(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measured = [r for r in rows if r.ratio is not None and r.label != "/healthz"]
    if not measured:
        return
    labels = [f"{r.label}\n{r.backend}" for r in measured]
    fig, ax = plt.subplots(figsize=(max(6, len(measured) * 1.1), 4.5))
    colors = ["#2b6cb0" if r.backend == "postgresql" else "#dd6b20" for r in measured]
    ax.bar(range(len(measured)), [r.ratio for r in measured], color=colors)
    for i, r in enumerate(measured):
        target = target_for(r)
        if target is not None:
            ax.hlines(target, i - 0.4, i + 0.4, colors="black", linestyles="dashed")
    ax.set_xticks(range(len(measured)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("throughput / throughput of /healthz")
    ax.set_title("Pages as a ratio of /healthz (dashed: target); blue PostgreSQL, orange SQLite")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "5")))
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--only", default="", help="comma-separated label prefixes, e.g. registration,outbox")
    args = parser.parse_args(argv)
    only = tuple(word.strip() for word in args.only.split(",") if word.strip())
    if shutil.which("wrk") is None:
        log("wrk is missing: installing Debian's wrk")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "gunicorn.log").write_text("")
    rows: list[Row] = []
    peaks: dict[str, list[float]] = {}
    for backend in args.backends.split(","):
        url = reset_postgres() if backend == "postgresql" else reset_sqlite()
        backend_rows, peaks[backend] = bench_backend(backend, url, args.duration, only)
        rows += backend_rows
        if backend == "postgresql" and selected("outbox", only):
            rows.append(bench_outbox())
    table = render(rows, peaks, args.duration)
    log("\n" + table)
    (OUT / "results.md").write_text("# Benchmark results (`make bench`)\n\n" + table + "\n\n![ratios](results.png)\n")
    chart(rows, OUT / "results.png")
    log(f"\nwritten: {OUT / 'results.md'} and {OUT / 'results.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
