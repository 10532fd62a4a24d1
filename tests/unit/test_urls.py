"""Absolute URLs come from the routes on SERVER_BASE_URL, never from the request's host."""

from app.extensions import db
from app.mail.messages import manage_url, session_url
from app.models import Organiser
from app.organiser.services import new_reset_link
from app.speakers.services import new_sign_in_url
from app.urls import external_url
from tests.factories import make_online_session, make_person


def test_external_url_is_the_route_on_the_base_url(app_context):
    assert external_url("registration.manage", token="abc") == "http://127.0.0.1:5000/registrations/abc/"


def test_external_url_keeps_an_anchor_and_quotes_values(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_BASE_URL", "https://events.example.org/mpf/")
    assert (
        external_url("agenda.session_page", slug="mpf", session_id=3, _anchor="item-4")
        == "https://events.example.org/mpf/events/mpf/sessions/3/#item-4"
    )
    assert external_url("registration.manage", token="a b") == "https://events.example.org/mpf/registrations/a%20b/"


def test_external_url_ignores_the_host_a_request_names(app):
    with app.test_request_context(base_url="http://attacker.example/"):
        assert external_url("registration.manage", token="abc") == "http://127.0.0.1:5000/registrations/abc/"


def test_links_in_emails_are_the_routes_on_a_base_url_with_a_path(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_BASE_URL", "https://events.example.org/mpf")
    session = make_online_session()
    organiser = Organiser(email="ana@example.org", password_hash="x")
    db.session.add(organiser)
    db.session.flush()
    base = "https://events.example.org/mpf"

    assert manage_url("tok") == f"{base}/registrations/tok/"
    assert session_url(session) == f"{base}/events/{session.event.slug}/sessions/{session.id}/"
    assert new_reset_link(organiser, now=session.starts_at).startswith(f"{base}/organiser/reset/")
    person = make_person(session.event, email="ben@example.org")
    assert new_sign_in_url(person, now=session.starts_at).startswith(f"{base}/speaker/sign-in/")
