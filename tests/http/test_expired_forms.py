"""Every POST of the app without a valid CSRF token changes nothing, and says so in people's words.

Each route of the access matrix (tests/http/test_access_matrix.py RULES) that takes a POST is sent its
rightful user's form (the one the matrix proves saves) as that user, once without a CSRF token and once with
a token that is not the session's: a dump of every table before and after must be equal. A form page
(`app.forms.keeps_input`) gives its form back with what was typed and the sentence saying what to do; any
other POST answers the plain "This page had expired" page. Neither ever names "CSRF".
"""

import html

import pytest

from app import create_app
from app.csrf import KEEPS_INPUT
from app.forms import EXPIRED_MESSAGE
from tests.conftest import make_config
from tests.http.route_world import (
    build_world,
    changed_tables,
    dump_tables,
    organiser_client,
    speaker_client,
    url_for_rule,
)
from tests.http.test_access_matrix import (
    ORGANISER,
    ORGANISER_SELF,
    PUBLIC,
    RULES,
    SPEAKER,
    SPEAKER_SELF,
    TOKEN,
    values_for,
)

#: Typed values a page that gives its form back must show again (passwords are never written back).
TYPED = ("title", "name", "subject", "body", "full_name", "email", "note", "reason", "bio", "organisation")


def _posted() -> list[str]:
    """The endpoints of the matrix that take a POST (GET-only pages have nothing to protect here)."""
    url_map = create_app(make_config()).url_map
    return sorted(
        e
        for e, r in RULES.items()
        if r.kind in {ORGANISER, ORGANISER_SELF, SPEAKER, SPEAKER_SELF, TOKEN, PUBLIC}
        and any("POST" in u.methods for u in url_map.iter_rules(e))
    )


POSTED = _posted()


@pytest.fixture(scope="module")
def csrf_app(app):
    return create_app(make_config(WTF_CSRF_ENABLED=True))


def _client(csrf_app, rule, world):
    if rule.kind in (ORGANISER, ORGANISER_SELF):
        return organiser_client(csrf_app, world.alpha.organiser_email)
    if rule.kind in (SPEAKER, SPEAKER_SELF):
        return speaker_client(csrf_app, world.alpha.speaker_sign_in_token)
    return csrf_app.test_client()


@pytest.mark.parametrize("endpoint", POSTED)
def test_a_post_without_a_valid_token_changes_nothing_and_says_what_to_do(csrf_app, app_context, endpoint):
    rule = RULES[endpoint]
    url_rules = [u for u in csrf_app.url_map.iter_rules(endpoint) if "POST" in u.methods]
    if rule.kind == TOKEN and not rule.real_token:
        pytest.skip("no real private link of this kind in the test world to try it with")
    world = build_world()
    client = _client(csrf_app, rule, world)
    real = {"token": getattr(world.alpha, rule.real_token)} if rule.real_token else {}
    keeps_input = getattr(csrf_app.view_functions[endpoint], KEEPS_INPUT, False)
    failures = []

    for url_rule in url_rules:
        path = url_for_rule(url_rule, values_for(rule, url_rule, world.alpha, real))
        for label, token in (("no token", {}), ("a token of no session", {"csrf_token": "IjEyMzQ1Ig.aBcDeF.wrong"})):
            form = rule.form(world.alpha)  # afresh for each request: an uploaded file is read once
            before = dump_tables()
            response = client.post(path, data={**form, **token})
            changed = changed_tables(before, dump_tables())
            page = response.get_data(as_text=True)
            problems = [f"changed {changed}"] if changed else []
            if "CSRF" in page:
                problems.append("names CSRF")
            if keeps_input:
                said = page.count(html.escape(str(EXPIRED_MESSAGE), quote=True))
                if said != 1:
                    problems.append(f"answered {response.status_code} saying {EXPIRED_MESSAGE!r} {said} times")
                lost = [k for k in TYPED if k in form and html.escape(str(form[k]), quote=True) not in page]
                if lost:
                    problems.append(f"lost what was typed in {lost}")
            elif (response.status_code, "This page had expired" in page) != (400, True):
                problems.append(f"answered {response.status_code}, not the 400 'This page had expired' page")
            failures += [f"POST {path} with {label}: {p}" for p in problems]

    assert failures == []


def test_the_form_pages_that_keep_their_input_are_those_listed(csrf_app):
    kept = sorted(e for e, view in csrf_app.view_functions.items() if getattr(view, KEEPS_INPUT, False))

    assert kept == [
        "organiser.appearance_add",
        "organiser.attendance_import",
        "organiser.change_password",
        "organiser.event_edit",
        "organiser.event_new",
        "organiser.item_edit",
        "organiser.item_new",
        "organiser.item_note",
        "organiser.item_recording",
        "organiser.notes",
        "organiser.person_edit",
        "organiser.person_new",
        "organiser.reset_password",
        "organiser.reset_request",
        "organiser.session_cancel",
        "organiser.session_capacity",
        "organiser.session_edit",
        "organiser.session_message",
        "organiser.session_new",
        "organiser.session_recording",
        "organiser.session_summary",
        "organiser.sign_in",
        "organiser.survey_edit",
        "organiser.typologies",
        "registration.manage",
        "registration.new",
        "speakers.profile",
        "speakers.set_timezone",
        "speakers.sign_in",
        "speakers.slot",
        "survey.answer",
    ]
