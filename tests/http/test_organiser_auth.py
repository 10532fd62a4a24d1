"""Organiser sign-in, sign-out, password reset, throttling, cookies and CSRF, through the test client."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app import create_app
from app.extensions import db
from app.mail.outbox import links_of
from app.models import Organiser, OutboxMessage
from app.organiser.services import new_reset_link
from config import ProductionConfig
from tests.conftest import make_config
from tests.factories import make_event
from tests.http.conftest import PASSWORD, make_organiser

WRONG = "The email or password is not right."


def _sign_in(client, email, password, **kwargs):
    return client.post("/organiser/sign-in", data={"email": email, "password": password}, **kwargs)


def test_organiser_pages_redirect_to_sign_in_when_signed_out(client):
    response = client.get("/organiser/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/sign-in?next=%2Forganiser%2F"


def test_sign_in_with_the_right_password_opens_the_organiser_pages(client):
    make_organiser("ana@example.org", events=[make_event(title="MPF Exchange Event")])

    response = _sign_in(client, "Ana@example.org", PASSWORD)
    page = client.get("/organiser/")

    assert response.status_code == 302 and response.headers["Location"] == "/organiser/"
    assert "<h1>Your events</h1>" in page.text
    assert "MPF Exchange Event" in page.text


def test_sign_in_follows_a_local_next_and_ignores_another_site(client):
    make_organiser("ana@example.org")

    local = _sign_in(client, "ana@example.org", PASSWORD, query_string={"next": "/organiser/events/new"})
    client.post("/organiser/sign-out")
    other = _sign_in(client, "ana@example.org", PASSWORD, query_string={"next": "https://evil.example.com/"})

    assert local.headers["Location"] == "/organiser/events/new"
    assert other.headers["Location"] == "/organiser/"


def test_sign_in_gives_the_same_answer_for_an_unknown_email_and_a_wrong_password(client):
    make_organiser("ana@example.org")

    wrong_password = _sign_in(client, "ana@example.org", "not the password")
    unknown_email = _sign_in(client, "nobody@example.org", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert WRONG in wrong_password.text and WRONG in unknown_email.text
    assert 'value="nobody@example.org"' in unknown_email.text  # what was typed is kept
    assert client.get("/organiser/").status_code == 302


def test_a_disabled_organiser_cannot_sign_in_and_loses_an_open_session(client, sign_in):
    organiser = make_organiser("ana@example.org")
    sign_in(organiser)
    assert client.get("/organiser/").status_code == 200

    organiser.is_disabled = True
    db.session.commit()

    assert client.get("/organiser/").status_code == 302
    assert WRONG in _sign_in(client, "ana@example.org", PASSWORD).text


def test_sign_out_ends_the_session(client):
    make_organiser("ana@example.org")
    _sign_in(client, "ana@example.org", PASSWORD)

    response = client.post("/organiser/sign-out", follow_redirects=True)

    assert "You are signed out, here and in every other browser." in response.text
    assert client.get("/organiser/").headers["Location"].startswith("/organiser/sign-in")


def test_session_cookie_is_httponly_and_samesite_lax_and_secure_in_production(client):
    make_organiser("ana@example.org")

    response = _sign_in(client, "ana@example.org", PASSWORD)

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client):
    make_organiser("ana@example.org")

    known = client.post("/organiser/reset", data={"email": "ana@example.org"}, follow_redirects=True)
    unknown = client.post("/organiser/reset", data={"email": "nobody@example.org"}, follow_redirects=True)

    notice = "If an account exists for that address, we have sent it a link to choose a new password."
    assert notice in known.text and notice in unknown.text
    assert [m.to_address for m in db.session.scalars(select(OutboxMessage))] == ["ana@example.org"]


def test_password_reset_link_sets_a_new_password(client):
    make_organiser("ana@example.org")
    client.post("/organiser/reset", data={"email": "ana@example.org"})
    [link] = links_of(db.session.scalar(select(OutboxMessage)))
    path = link.split("http://127.0.0.1:5000")[1]

    opened = client.get(path)
    short = client.post(path, data={"password": "short"})
    done = client.post(path, data={"password": "my new long password"}, follow_redirects=True)
    again = client.post(path, data={"password": "another long password"})
    reopened = client.get(path)

    assert opened.status_code == 200 and "Choose a new password" in opened.text
    assert opened.headers["Referrer-Policy"] == "no-referrer" and opened.headers["Cache-Control"] == "no-store"
    assert "Use between 12 and 200 characters." in short.text
    assert "Your password is changed." in done.text
    assert (again.status_code, reopened.status_code) == (410, 410)
    assert "This reset link has already been used." in again.text
    assert "Ask for a new reset link" in reopened.text
    assert _sign_in(client, "ana@example.org", "my new long password").status_code == 302
    assert check_password_hash(db.session.scalar(select(Organiser.password_hash)), "my new long password")


def test_a_wrong_or_expired_reset_link_answers_a_clear_page_and_changes_nothing(client):
    organiser = make_organiser("ana@example.org")
    old_hash = organiser.password_hash
    now = datetime.now(UTC)
    expired = new_reset_link(organiser, now=now - timedelta(hours=2))
    db.session.commit()

    wrong = client.get("/organiser/reset/" + "A" * 43)
    wrong_post = client.post("/organiser/reset/" + "A" * 43, data={"password": "my new long password"})
    late = client.post(expired, data={"password": "my new long password"})

    assert (wrong.status_code, wrong_post.status_code, late.status_code) == (404, 404, 410)
    assert "This reset link is not valid or has expired." in wrong.text
    assert "This reset link has expired." in late.text
    db.session.expire_all()
    assert db.session.get(Organiser, organiser.id).password_hash == old_hash


def test_sign_in_without_a_csrf_token_gives_the_form_back_with_its_input_and_signs_nobody_in(app):
    csrf_app = create_app(make_config(WTF_CSRF_ENABLED=True))
    with csrf_app.app_context():
        make_organiser("ana@example.org")
    client = csrf_app.test_client()

    response = _sign_in(client, "ana@example.org", PASSWORD)

    assert response.status_code == 200
    assert "This form had expired; your entries are kept: send it again." in response.text
    assert 'value="ana@example.org"' in response.text and "CSRF" not in response.text
    assert client.get("/organiser/").status_code == 302


WAIT_15_MINUTES = "That was tried too many times in a row. Please wait 15 minutes, then try again."


@pytest.fixture
def throttled_client(app):
    """A client of an app with rate limits on (the shared test app has them off)."""
    throttled = create_app(make_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"))
    with throttled.app_context():
        make_organiser("ana@example.org")
        make_organiser("bo@example.org")
    return throttled.test_client()


def test_repeated_failures_for_one_email_are_throttled_even_from_another_address(throttled_client):
    for _ in range(5):
        assert (
            _sign_in(throttled_client, "ana@example.org", "wrong", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
            == 200
        )

    blocked = _sign_in(throttled_client, "ana@example.org", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    other = _sign_in(throttled_client, "bo@example.org", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.2"})

    assert blocked.status_code == 429
    assert WAIT_15_MINUTES in blocked.text and 880 <= int(blocked.headers["Retry-After"]) <= 901
    assert "Too Many Requests" not in blocked.text and "per 15 minute" not in blocked.text
    assert other.status_code == 302


def test_repeated_failures_from_one_address_are_throttled_across_emails(throttled_client):
    for n in range(5):
        _sign_in(throttled_client, f"guess{n}@example.org", "wrong", environ_base={"REMOTE_ADDR": "10.0.0.9"})

    blocked = _sign_in(throttled_client, "bo@example.org", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    elsewhere = _sign_in(throttled_client, "bo@example.org", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.10"})

    assert blocked.status_code == 429
    assert WAIT_15_MINUTES in blocked.text
    assert (elsewhere.status_code, elsewhere.headers["Location"]) == (302, "/organiser/")


def test_successful_sign_ins_are_not_counted_as_failures(throttled_client):
    signed_in = []
    for _ in range(8):
        signed_in.append(_sign_in(throttled_client, "ana@example.org", PASSWORD).headers.get("Location"))
        throttled_client.post("/organiser/sign-out")

    wrong = _sign_in(throttled_client, "ana@example.org", "wrong")

    assert signed_in == ["/organiser/"] * 8
    assert wrong.status_code == 200
    assert WRONG in wrong.text
