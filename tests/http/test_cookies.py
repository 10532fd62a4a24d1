"""Every cookie the site sets, under the production settings: Secure, HttpOnly (no script reads any of
them) and SameSite=Lax; the session cookie of organisers and speakers alike, and the time-zone cookie."""

import re

import pytest

from app import create_app
from app.extensions import db
from config import ProductionConfig
from tests.conftest import _DB_DIR, DATABASE_URL
from tests.factories import make_event
from tests.http.conftest import PASSWORD, make_organiser

#: The real ProductionConfig with what a deployment sets; the test database stands in for PostgreSQL.
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-for-this-test",
    "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
    "ALLOW_SQLITE": True,
    "MAIL_FILE_DIR": f"{_DB_DIR}/mail",
    "RATELIMIT_ENABLED": False,
}


@pytest.fixture
def production(app):
    """A production app over the test database (made by `app`), and an HTTPS client of it."""
    production_app = create_app(type("Production", (ProductionConfig,), PRODUCTION))
    client = production_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"  # Secure cookies come back only over HTTPS
    return production_app, client


def _attributes(set_cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_organiser_session_cookie_is_secure_httponly_and_lax_in_production(production):
    app, client = production
    with app.app_context():
        make_organiser("ana@example.org")
    token = _csrf(client.get("/organiser/sign-in").text)

    response = client.post(
        "/organiser/sign-in", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token}
    )

    assert response.headers["Location"] == "/organiser/"
    cookies = response.headers.getlist("Set-Cookie")
    assert [c.split("=")[0] for c in cookies] == ["session"]  # no remember cookie is ever set
    assert {"secure", "httponly", "samesite", "path"} <= _attributes(cookies[0])
    assert "SameSite=Lax" in cookies[0]
    assert "<h1>Your events</h1>" in client.get("/organiser/").text


def test_the_remember_cookie_would_be_secure_httponly_and_lax_too(production):
    app, _client = production

    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_the_time_zone_cookie_is_secure_httponly_and_lax_in_production(production):
    app, client = production
    with app.app_context():
        event = make_event()
        slug = event.slug
        db.session.remove()

    response = client.get(f"/events/{slug}/", query_string={"tz": "Asia/Tbilisi"})

    assert response.status_code == 200
    (cookie,) = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("tz=Asia/Tbilisi;")
    assert {"secure", "httponly", "samesite", "max-age", "expires", "path"} == _attributes(cookie)
    assert "SameSite=Lax" in cookie


def test_outside_production_the_time_zone_cookie_works_over_plain_http(client):
    slug = make_event().slug

    cookie = client.get(f"/events/{slug}/", query_string={"tz": "Asia/Tbilisi"}).headers["Set-Cookie"]

    assert cookie.startswith("tz=Asia/Tbilisi;")
    assert "Secure" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
