"""Organiser sessions end for good: a cookie copied to another browser stops working after sign-out, a
password change or reset, or disabling the account; the browser that changed its password stays in.

Each browser is its own test client, and the tests hold no app context across requests (Flask-Login keeps
the loaded user in `g`, which a shared app context would carry from one browser's request to the next)."""

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import links_of
from app.models import Organiser, OutboxMessage
from tests.http.conftest import PASSWORD, make_organiser

SIGN_IN_REDIRECT = "/organiser/sign-in?next=%2Forganiser%2F"


@pytest.fixture
def client(app):
    return app.test_client()


def _signed_in_pair(app, client):
    """`client` signed in as Ana, and a second, independent browser holding a copy of its session cookie."""
    with app.app_context():
        make_organiser("ana@example.org")
    response = client.post("/organiser/sign-in", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/organiser/"
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert "<h1>Your events</h1>" in copy.get("/organiser/").text
    return copy


def _ana(app) -> Organiser:
    with app.app_context():
        ana = db.session.scalar(select(Organiser).where(Organiser.email == "ana@example.org"))
        db.session.expunge(ana)
        return ana


def test_sign_out_ends_a_copy_of_the_session_in_another_browser(app, client):
    copy = _signed_in_pair(app, client)

    client.post("/organiser/sign-out")

    assert copy.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT
    assert client.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT
    assert _ana(app).session_version == 1


def test_a_copy_kept_from_before_sign_out_stays_out_after_signing_in_again(app, client):
    copy = _signed_in_pair(app, client)
    client.post("/organiser/sign-out")

    client.post("/organiser/sign-in", data={"email": "ana@example.org", "password": PASSWORD})

    assert "<h1>Your events</h1>" in client.get("/organiser/").text
    assert copy.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT


def test_changing_the_password_keeps_this_browser_and_ends_the_others(app, client):
    copy = _signed_in_pair(app, client)

    response = client.post(
        "/organiser/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
        follow_redirects=True,
    )

    assert "Your password is changed. Every other browser signed in to your account is signed out." in response.text
    assert "<h1>Your events</h1>" in client.get("/organiser/").text
    assert copy.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT
    fresh = app.test_client()
    old = fresh.post("/organiser/sign-in", data={"email": "ana@example.org", "password": PASSWORD})
    new = fresh.post("/organiser/sign-in", data={"email": "ana@example.org", "password": "a brand new passphrase"})
    assert "The email or password is not right." in old.text
    assert new.headers["Location"] == "/organiser/"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"current_password": "not my password"}, "current_password", "The current password is not right."),
        ({"confirm_password": "a different passphrase"}, "confirm_password", "The two new passwords are not the same."),
        ({"new_password": "short", "confirm_password": "short"}, "new_password", "between 12 and 200 characters"),
        (
            {"new_password": PASSWORD, "confirm_password": PASSWORD},
            "new_password",
            "Choose a password different from the current one.",
        ),
    ],
)
def test_a_refused_password_change_says_why_next_to_the_field_and_changes_nothing(app, client, data, field, message):
    copy = _signed_in_pair(app, client)
    form = {
        "current_password": PASSWORD,
        "new_password": "a brand new passphrase",
        "confirm_password": "a brand new passphrase",
        **data,
    }

    response = client.post("/organiser/password", data=form)

    assert response.status_code == 422
    error = response.text.split(f'id="{field}-error"')[1].split("</div>")[0]
    assert message in error
    assert _ana(app).session_version == 0
    assert "<h1>Your events</h1>" in copy.get("/organiser/").text


def test_the_password_page_asks_for_the_current_password_and_the_new_one_twice(app, client):
    _signed_in_pair(app, client)

    page = client.get("/organiser/password").text

    assert '<input autocomplete="current-password" class="form-control" id="current_password"' in page
    assert 'autocomplete="new-password" class="form-control" id="new_password"' in page
    assert '<input autocomplete="new-password" class="form-control" id="confirm_password"' in page
    assert 'value="ana@example.org" autocomplete="username"' in page


def test_the_password_page_needs_a_signed_in_organiser(client):
    response = client.post("/organiser/password", data={"current_password": PASSWORD})

    assert response.headers["Location"] == "/organiser/sign-in?next=%2Forganiser%2Fpassword"


def test_a_password_reset_ends_every_session_of_the_account(app, client):
    copy = _signed_in_pair(app, client)
    stranger = app.test_client()
    stranger.post("/organiser/reset", data={"email": "ana@example.org"})
    with app.app_context():
        [link] = links_of(db.session.scalar(select(OutboxMessage)))
    link = link.split("http://127.0.0.1:5000")[1]

    done = stranger.post(link, data={"password": "my new long password"}, follow_redirects=True)

    assert "Your password is changed." in done.text
    assert copy.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT
    assert client.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT


def test_disabling_the_account_ends_every_session_and_enabling_again_would_not_bring_them_back(app, client, runner):
    copy = _signed_in_pair(app, client)

    result = runner.invoke(args=["organisers", "disable", "ana@example.org"])
    with app.app_context():
        # Even enabled again by hand, the account's old sessions stay ended.
        db.session.scalar(select(Organiser).where(Organiser.email == "ana@example.org")).is_disabled = False
        db.session.commit()

    assert result.output == "Disabled organiser ana@example.org.\n"
    assert copy.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT
    assert client.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT


def test_a_remember_cookie_made_from_an_ended_session_signs_nobody_in(app, client):
    _signed_in_pair(app, client)
    old_id = _ana(app).get_id()
    client.post("/organiser/sign-out")
    forged = app.test_client()
    with app.test_request_context():
        forged.set_cookie("remember_token", encode_cookie(old_id))

    assert old_id == f"{_ana(app).id}:0"
    assert forged.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT


@pytest.mark.parametrize("session_id", ["1", "1:", ":0", "1:0:0", "x:0", "1:x", "99999999999:0", "1:99999999999"])
def test_a_session_id_of_any_other_shape_loads_nobody(app, client, session_id):
    with app.app_context():
        make_organiser("ana@example.org")
    with client.session_transaction() as session:
        session["_user_id"] = session_id

    assert client.get("/organiser/").headers["Location"] == SIGN_IN_REDIRECT
