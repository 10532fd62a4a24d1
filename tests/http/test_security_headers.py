"""Security headers on every response: a walk over every GET route of the app, built with demo data."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from app import create_app
from app.demo.loader import load_demo
from app.extensions import db
from app.mail.outbox import enqueue_message
from app.models import Appearance, Event, Speaker
from app.security import hash_token
from app.speakers.views import SESSION_KEY as SPEAKER_SESSION_KEY
from app.speakers.views import VERSION_KEY as SPEAKER_VERSION_KEY
from app.web import CONTENT_SECURITY_POLICY, HSTS
from tests.conftest import make_config
from tests.factories import make_registration

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
#: The default, or a stricter one a view chose (the speakers' sign-in link pages send no referrer at all).
REFERRER_POLICIES = {"strict-origin-when-cross-origin", "same-origin", "no-referrer"}


def _demo_values() -> dict[str, object]:
    """A value for every URL argument name the app uses (or may use), taken from the demo event."""
    event = load_demo(today=NOW.date(), now=NOW).event
    message = enqueue_message(kind="test", to_address="a@example.com", subject="s", body_text="b", event=event)
    db.session.commit()
    follow_up = event.sessions[2]
    appearance = db.session.scalars(select(Appearance).order_by(Appearance.id)).first()
    registration = make_registration(follow_up, token="demo-manage-token")
    speaker = Speaker(email=appearance.person.email, feed_token_hash=hash_token("demo-manage-token"))
    db.session.add(speaker)
    db.session.commit()
    return {
        "slug": event.slug,
        "event_slug": event.slug,
        "event_id": event.id,
        "session_id": follow_up.id,
        "id": follow_up.id,
        "item_id": appearance.item_id,
        "person_id": appearance.person_id,
        "speaker_id": speaker.id,
        "appearance_id": appearance.id,
        "registration_id": registration.id,
        "token": "demo-manage-token",
        "message_id": message.id,
        "filename": "site.css",
    }


def _url_for_rule(app, rule, values) -> str:
    args = {}
    for name in rule.arguments:
        if name in values:
            args[name] = values[name]
        else:
            converter = rule._converters.get(name)
            args[name] = 1 if isinstance(converter, IntegerConverter) else "unknown"
    if rule.endpoint == "bootstrap.static":
        args["filename"] = "css/bootstrap.min.css"
    with app.test_request_context():
        return app.url_for(rule.endpoint, **args)


@pytest.mark.parametrize("who", ["anonymous", "organiser", "speaker"])
def test_every_get_route_answers_with_the_security_headers(app, client, sign_in, who):
    values = _demo_values()
    if who == "organiser":
        event = db.session.get(Event, values["event_id"])
        # The demo may bring its own organiser for the event; else one is made on the fly.
        sign_in(event.organisers[0]) if event.organisers else sign_in(events=[event])
    elif who == "speaker":
        with client.session_transaction() as flask_session:
            flask_session[SPEAKER_SESSION_KEY] = values["speaker_id"]
            flask_session[SPEAKER_VERSION_KEY] = 0
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    walked = []
    for rule in rules:
        url = _url_for_rule(app, rule, values)
        response = client.get(url)
        walked.append((url, response.status_code))
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        for name, value in EXPECTED.items():
            if name == "Referrer-Policy" and response.headers.get(name) == "no-referrer":
                continue  # stricter still: pages whose URL carries a private token
            assert response.headers.get(name) == value, f"{url} lacks {name}"
        assert response.headers.get("Referrer-Policy") in REFERRER_POLICIES, f"{url} lacks Referrer-Policy"
        assert "Strict-Transport-Security" not in response.headers, f"{url} sent HSTS outside production"

    answers = dict(walked)
    assert answers[f"/speaker/feed/{values['token']}.ics"] == 200
    if who == "organiser":
        assert answers["/organiser/"] == answers["/organiser/events/1/"] == 200
    if who == "speaker":
        assert answers["/speaker/"] == answers["/speaker/slots/1/"] == 200
    endpoints = {r.endpoint for r in rules}
    assert {"agenda.index", "agenda.healthz", "web.readyz", "static", "bootstrap.static"} <= endpoints
    assert client.get("/healthz").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert len(walked) == len(rules)


def test_error_pages_and_post_answers_carry_the_headers_too(client):
    not_found = client.get("/no/such/page")
    wrong_method = client.post("/healthz")

    assert not_found.status_code == 404
    assert "We could not find that page" in not_found.get_data(as_text=True)
    assert wrong_method.status_code == 405
    for response in (not_found, wrong_method):
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_content_security_policy_forbids_inline_scripts_and_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))

    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_production_adds_hsts(tmp_path):
    production = make_config(
        ENV_NAME="production",
        SECRET_KEY="a-long-random-production-secret-for-this-test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/prod.sqlite",
        ALLOW_SQLITE=True,
    )
    app = create_app(production)

    response = app.test_client().get("/healthz")

    assert response.get_json() == {"status": "ok"}
    assert response.headers["Strict-Transport-Security"] == HSTS


#: Pages only: emails are not under the CSP and need inline styles.
PAGE_TEMPLATES = sorted(
    path.as_posix() for path in (p.relative_to(TEMPLATES) for p in TEMPLATES.rglob("*.html")) if path.parts[0] != "mail"
)


@pytest.mark.parametrize("path", PAGE_TEMPLATES)
def test_template_has_no_inline_script_handler_or_style(path):
    """The CSP blocks them, so a page using one would silently break."""
    text = (TEMPLATES / path).read_text(encoding="utf-8")

    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text)
    handlers = re.findall(r"<[^>]*\son[a-z]+\s*=", text)
    styles = re.findall(r"<[^>]*\sstyle\s*=", text) + re.findall(r"<style\b", text)

    assert inline_scripts == []
    assert handlers == []
    assert styles == []
