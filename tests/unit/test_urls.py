"""Absolute URLs come from the routes on SERVER_BASE_URL, never from the request's host."""

from app.urls import external_url


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
