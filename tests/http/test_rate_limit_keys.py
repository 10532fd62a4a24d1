"""Limits per email address count only well-formed addresses: blank or malformed submissions (answered by
the form's own error) never share one counter that would lock out everyone who makes the same mistake,
while a real address is still limited, from however many client addresses it comes."""

import pytest

from app import create_app
from tests.conftest import make_config
from tests.factories import make_online_session
from tests.http.conftest import PASSWORD, make_organiser

BLANKS = ["", "   ", "not-an-address", "ana@", "@example.org", "ana@example..org"]
#: More blank submissions than any per-address limit allows, and malformed ones.
SUBMISSIONS = [""] * 8 + BLANKS


@pytest.fixture
def throttled(app):
    """An app with rate limits on (the shared test app has them off); each request from its own browser and
    its own IP address."""
    throttled = create_app(make_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"))
    addresses = iter(range(1, 10_000))

    def post(url, data):
        n = next(addresses)
        return throttled.test_client().post(
            url, data=data, environ_base={"REMOTE_ADDR": f"10.1.{n // 250}.{1 + n % 250}"}
        )

    return throttled, post


def test_blank_emails_do_not_lock_organiser_sign_in_and_a_real_address_is_still_limited(throttled):
    app, post = throttled
    with app.app_context():
        make_organiser("ana@example.org")
    url = "/organiser/sign-in"

    blanks = [post(url, {"email": email, "password": "wrong"}) for email in SUBMISSIONS]
    real = post(url, {"email": "ana@example.org", "password": PASSWORD})
    failures = [post(url, {"email": "Ana@Example.org ", "password": "wrong"}) for _ in range(5)]
    limited = post(url, {"email": "ana@example.org", "password": PASSWORD})

    assert [r.status_code for r in blanks] == [200] * len(SUBMISSIONS)
    assert real.headers["Location"] == "/organiser/"
    assert [r.status_code for r in failures] == [200] * 5
    assert limited.status_code == 429


def test_blank_emails_do_not_lock_the_speaker_link_and_a_real_address_is_still_limited(throttled):
    _app, post = throttled
    url = "/speaker/sign-in"

    blanks = [post(url, {"email": email}) for email in SUBMISSIONS]
    asked = [post(url, {"email": "dee@example.org"}) for _ in range(3)]
    limited = post(url, {"email": "DEE@example.org"})

    assert [r.status_code for r in blanks] == [400] * len(SUBMISSIONS)
    assert "Too Many Requests" not in blanks[-1].text
    assert [r.headers["Location"] for r in asked] == ["/speaker/sign-in/sent"] * 3
    assert limited.status_code == 429
    assert "Please wait 15 minutes, then try again." in limited.text and "3 per 15 minute" not in limited.text


def test_blank_emails_do_not_lock_registration_and_a_real_address_is_still_limited(throttled):
    app, post = throttled
    with app.app_context():
        session = make_online_session(registration_opens_at=None, registration_closes_at=None)
        url = f"/events/{session.event.slug}/sessions/{session.id}/register"
    form = {
        "full_name": "Amina Diallo",
        "organisation": "Ministry of Interior, Nigeria",
        "group": "partner_country",
        "timezone": "Africa/Lagos",
        "consent": "y",
    }

    blanks = [post(url, {**form, "email": email}) for email in SUBMISSIONS]
    real = [post(url, {**form, "email": "amina@example.com"}) for _ in range(5)]
    limited = post(url, {**form, "email": "amina@example.com"})

    assert [r.status_code for r in blanks] == [422] * len(SUBMISSIONS)
    assert real[0].headers["Location"].startswith("/registrations/")
    assert [r.status_code for r in real[1:]] == [302] * 4  # already registered: a fresh manage link is sent
    assert limited.status_code == 429
