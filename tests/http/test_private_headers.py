"""Private pages, decided once in app/web.py: every organiser and speaker page and every page whose URL
holds a token says `Cache-Control: no-store`; a token's page also sends no Referer. A walk over every GET
route, as an anonymous visitor, an organiser and a speaker."""

import pytest

from app.extensions import db
from app.models import Event
from app.speakers.views import SESSION_KEY as SPEAKER_SESSION_KEY
from app.web import OWN_CACHE_CONTROL, PRIVATE_BLUEPRINTS
from tests.http.test_security_headers import _demo_values, _url_for_rule


@pytest.mark.parametrize("who", ["anonymous", "organiser", "speaker"])
def test_every_private_page_says_no_store_and_every_token_page_no_referrer(app, client, sign_in, who):
    values = _demo_values()
    if who == "organiser":
        event = db.session.get(Event, values["event_id"])
        sign_in(event.organisers[0]) if event.organisers else sign_in(events=[event])
    elif who == "speaker":
        with client.session_transaction() as flask_session:
            flask_session[SPEAKER_SESSION_KEY] = values["person_id"]
    private, public = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        response = client.get(_url_for_rule(app, rule, values))
        token_page = "token" in rule.arguments
        if token_page:
            assert response.headers["Referrer-Policy"] == "no-referrer", rule.rule
            assert response.headers["X-Robots-Tag"] == "noindex", rule.rule
        else:
            assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", rule.rule
        if rule.endpoint in OWN_CACHE_CONTROL:
            assert response.headers["Cache-Control"] == "private, no-cache"
        elif token_page or rule.endpoint.split(".")[0] in PRIVATE_BLUEPRINTS:
            assert response.headers["Cache-Control"] == "no-store", rule.rule
            private.append(rule.endpoint)
        else:
            assert "no-store" not in response.headers.get("Cache-Control", ""), rule.rule
            public.append(rule.endpoint)

    assert {
        "organiser.index",
        "organiser.sign_in",
        "organiser.reset_request",
        "organiser.reset_password",
        "organiser.change_password",
        "speakers.sign_in",
        "speakers.use_link",
        "speakers.slots",
        "speakers.profile",
        "registration.manage",
        "registration.confirmation",
    } <= set(private)
    assert {"agenda.index", "agenda.event", "calendar.agenda_ics"} <= set(public)


def test_a_wrong_token_answers_a_private_404_too(client):
    response = client.get("/registrations/not-a-real-token/")

    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_redirect_after_an_organiser_post_is_private_as_well(client):
    response = client.post("/organiser/sign-in", data={"email": "nobody@example.org", "password": "x"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
