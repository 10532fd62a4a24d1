"""Each request is logged on `app.requests`: method, route (the URL rule), status, duration and request id;
never a token, an email address or a query string."""

import logging
import re

import pytest

from app.requestlog import REQUEST_ID_HEADER
from tests.factories import make_online_session, make_registration

FIELDS = ("method", "route", "status", "duration_ms", "request_id")


def _records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.requests"]


@pytest.fixture
def caplog(caplog):
    caplog.set_level(logging.INFO, logger="app.requests")
    return caplog


def test_a_request_is_logged_with_its_route_status_duration_and_id(client, caplog):
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: "lb-1234.abc"})

    (record,) = _records(caplog)
    assert (record.method, record.route, record.status, record.request_id) == ("GET", "/healthz", 200, "lb-1234.abc")
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    assert record.levelname == "INFO"
    assert record.getMessage() == (
        f"method=GET route=/healthz status=200 duration_ms={record.duration_ms} request_id=lb-1234.abc"
    )
    assert response.headers[REQUEST_ID_HEADER] == "lb-1234.abc"


@pytest.mark.parametrize("incoming", ["", "has space", "a" * 65, "ana@example.org", "x\ty", "-leading-dash", "é"])
def test_an_unusable_incoming_request_id_is_replaced_by_a_new_one(client, caplog, incoming):
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: incoming})

    (record,) = _records(caplog)
    assert re.fullmatch(r"[0-9a-f]{32}", record.request_id)
    assert response.headers[REQUEST_ID_HEADER] == record.request_id
    assert incoming not in record.getMessage() or incoming == ""


def test_two_requests_get_two_ids(client, caplog):
    client.get("/healthz")
    client.get("/healthz")

    first, second = _records(caplog)
    assert first.request_id != second.request_id


def test_a_token_page_logs_the_rule_never_the_token_nor_the_query_or_the_email(client, caplog):
    session = make_online_session()
    registration = make_registration(session, token="secret-manage-token-123", email="amina@example.com")
    caplog.clear()

    response = client.get("/registrations/secret-manage-token-123/?email=amina@example.com&tz=Asia/Tbilisi")
    client.post("/speaker/sign-in", data={"email": "amina@example.com"})
    client.get("/registrations/wrong-token-456/")

    assert response.status_code == 200 and registration.id
    manage, sign_in, wrong = _records(caplog)
    assert (manage.method, manage.route, manage.status) == ("GET", "/registrations/<token>/", 200)
    assert (sign_in.method, sign_in.route, sign_in.status) == ("POST", "/speaker/sign-in", 302)
    assert (wrong.route, wrong.status) == ("/registrations/<token>/", 404)
    everything = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    for secret in ("secret-manage-token-123", "wrong-token-456", "amina@example.com", "Asia/Tbilisi", "email="):
        assert secret not in everything


def test_an_unknown_path_is_logged_without_it(client, caplog):
    client.get("/no/such/page-with-a-secret")

    (record,) = _records(caplog)
    assert (record.route, record.status) == ("-", 404)
    assert "page-with-a-secret" not in record.getMessage()


def test_a_refused_request_is_logged_too(client, caplog):
    client.post("/speaker/profile", data="[1]", content_type="application/json")

    (record,) = _records(caplog)
    assert (record.method, record.route, record.status) == ("POST", "/speaker/profile", 415)


def test_every_field_is_on_the_record_for_structured_handlers(client, caplog):
    client.get("/readyz")

    (record,) = _records(caplog)
    assert all(hasattr(record, name) for name in FIELDS)
    assert record.route == "/readyz"
