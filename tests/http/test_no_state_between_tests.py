"""No state leaks from one test into the next (tests/conftest.py empties it before each test).

The tests run in file order: the second of each pair fails if the first one's render cache or rate-limit
counters were still there.
"""

import pytest

from app import create_app
from app.extensions import limiter
from app.render_cache import render_cache
from tests.conftest import make_config

WRONG = "The email or password is not right."


def test_a_rendered_page_fills_the_render_cache(client):
    page = client.get("/")

    assert "Upcoming events" in page.text
    assert len(render_cache()) == 1


def test_the_next_test_starts_with_an_empty_render_cache(app_context):
    assert len(render_cache()) == 0


@pytest.fixture(scope="module")
def limited_app(app):
    """One app with a sign-in limit of one failure an hour, kept for both tests (so the same counters)."""
    return create_app(
        make_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", SIGN_IN_RATE_LIMIT="1 per hour")
    )


@pytest.fixture
def limited_client(limited_app):
    limiter.enabled = True  # switched off before every test, like TestingConfig has it
    return limited_app.test_client()


def _fail_to_sign_in(client):
    return client.post("/organiser/sign-in", data={"email": "ana@example.org", "password": "wrong"})


def test_a_second_failed_sign_in_within_the_hour_is_refused(limited_client):
    first, second = _fail_to_sign_in(limited_client), _fail_to_sign_in(limited_client)

    assert (first.status_code, second.status_code) == (200, 429)
    assert WRONG in first.text
    assert "Please wait an hour, then try again." in second.text


def test_the_next_test_starts_with_fresh_rate_limit_counters(limited_client):
    first = _fail_to_sign_in(limited_client)

    assert first.status_code == 200
    assert WRONG in first.text
