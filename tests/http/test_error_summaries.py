"""Every form page, sent a bad submit, opens on one error summary: a box focused when the page loads
(autofocus, tabindex="-1") listing each problem as a link to its field (href="#<field id>", a radio group's
first option), with the same words as the message next to the field, and a <title> that starts with "Error:".
A "save anyway" step (timeline warnings, people to tell) is a submit that did not go through too.

And every name, email and password input of every page carries the autocomplete value that fits it.

The form pages are found, not listed: each view marked `keeps_input` (a page that gives its form back) must
have a bad submit in BAD_SUBMITS, and the pages parsed for autocomplete are every GET route of the access
matrix, as its rightful user.
"""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from flask import Flask

from app import create_app
from app.csrf import KEEPS_INPUT
from app.extensions import db
from app.models import EventStatus, Organiser
from app.organiser.services import new_reset_link
from tests.conftest import make_config
from tests.factories import at, make_appearance, make_event, make_item, make_person, make_registration, make_session
from tests.http.conftest import PASSWORD
from tests.http.route_world import build_world, csrf_token_from, organiser_client, speaker_client, url_for_rule
from tests.http.test_access_matrix import ORGANISER, ORGANISER_SELF, RULES, SPEAKER, SPEAKER_SELF, values_for

BAD = "bad\x01"

#: One bad submit per form page: every typed field gets a control character (refused next to every field of
#: the site), each choice a value not offered, each date and time a word.
BAD_SUBMITS = {
    "registration.new": {
        "full_name": BAD,
        "email": "not an address",
        "organisation": "",
        "group": BAD,
        "timezone": BAD,
        "question": BAD,
    },
    "registration.manage": {"full_name": "", "organisation": BAD, "group": "", "accessibility_needs": BAD},
    "organiser.sign_in": {"email": "", "password": ""},
    "organiser.reset_request": {"email": "no-at-sign"},
    "organiser.reset_password": {"password": "short"},
    "organiser.change_password": {"current_password": "", "new_password": "short", "confirm_password": "other"},
    "organiser.event_new": {"title": "", "timezone": "Mars/Olympus", "starts_on": "soon", "contact_email": BAD},
    "organiser.event_edit": {"title": BAD, "starts_on": "2030-10-30", "ends_on": "2030-10-29", "contact_email": ""},
    "organiser.session_new": {"title": "", "day": "soon", "starts": "10:00", "ends": "09:00", "capacity": "many"},
    "organiser.session_edit": {"title": BAD, "day": "2030-10-30", "starts": "nine", "ends": "", "join_url": "x"},
    "organiser.session_cancel": {"reason": BAD},
    "organiser.session_capacity": {"capacity": "many"},
    "organiser.session_message": {"audience": BAD, "subject": "", "body": BAD, "submit": "y"},
    "organiser.item_new": {"title": "", "kind": BAD, "starts": "12:00", "ends": "11:00"},
    "organiser.appearance_add": {"person_id": "", "role": BAD},
    "organiser.item_edit": {"title": BAD, "kind": "panel", "starts": "", "ends": "noon", "location": BAD},
    "organiser.person_new": {"name": "", "email": "nobody", "bio": BAD},
    "organiser.person_edit": {"name": BAD, "honorific": "x" * 30},
    "organiser.session_recording": {"recording_url": BAD, "recording_available_at": "soon"},
    "organiser.item_recording": {"recording_url": "javascript:alert(1)", "recording_available_at": "2030-13-45T99:99"},
    "organiser.attendance_import": {"report": "not a file"},
    "organiser.notes": {"email": "nobody"},
    "organiser.item_note": {"body": BAD},
    "organiser.session_summary": {"body": BAD},
    "organiser.typologies": {"name": "", "description": BAD, "name_fr": BAD},
    "speakers.sign_in": {"email": "nobody"},
    "speakers.profile": {"name": "", "position": BAD},
    "speakers.slot": {"response": "maybe", "note": BAD},
    "speakers.set_timezone": {"timezone": "Mars/Olympus", "find_zone": BAD},
    "organiser.survey_edit": {"rating_prompt": BAD, "closes_at": "soon", "kind_1": BAD, "prompt_1": BAD},
    "survey.answer": {"rating": "9", "q1": BAD},
}


class Page(HTMLParser):
    """What the tests read of a page: its title, its ids, its form controls, the error summary's attributes
    and links, and the message next to each field (`<div id="<field>-error" class="invalid-feedback">`)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.title, self.ids, self.controls = "", set(), []
        self.summary: dict | None = None
        self.field_errors: dict[str, str] = {}
        self._reading: str | None = None
        self.feed(html)
        block = re.search(r'<div [^>]*id="error-summary".*?</ul>', html, re.S)
        links = re.findall(r'<a class="alert-link" href="([^"]+)">(.*?)</a>', block.group(0) if block else "")
        self.summary_links = [(href, unescape(text)) for href, text in links]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("input", "select", "textarea"):
            self.controls.append({"tag": tag, **a})
        if a.get("id") == "error-summary":
            self.summary = a
        if tag == "title":
            self._reading = "<title>"
        elif (a.get("id") or "").endswith("-error") and "invalid-feedback" in (a.get("class") or ""):
            self._reading = a["id"].removesuffix("-error")
            self.field_errors[self._reading] = ""

    def handle_endtag(self, tag):
        if tag in ("title", "div"):
            self._reading = None

    def handle_data(self, data):
        if self._reading == "<title>":
            self.title += data
        elif self._reading:
            self.field_errors[self._reading] += data


def _invalid_fields(page: Page) -> dict[str, str]:
    """The fields shown in error, each once (a radio group by its first option): {id: name}."""
    fields: dict[str, str] = {}
    for control in page.controls:
        if "is-invalid" in (control.get("class") or "") and control["name"] not in fields.values():
            fields[control["id"]] = control["name"]
    return fields


def assert_summarised(html: str) -> Page:
    """The page opens on a summary that links to every field shown in error, with that field's message."""
    page = Page(html)
    assert page.title.startswith("Error: "), page.title
    assert page.summary is not None, "no error summary"
    assert (page.summary.get("tabindex"), "autofocus" in page.summary) == ("-1", True)
    invalid = _invalid_fields(page)
    assert invalid, "the bad submit put no field in error"
    assert sorted(href for href, _ in page.summary_links) == sorted(f"#{i}" for i in invalid)
    for href, text in page.summary_links:
        name = invalid[href[1:]]
        # The summary says what the field's own message says, after the field's name.
        assert text.endswith(": " + page.field_errors[name]), (text, page.field_errors[name])
    return page


@pytest.fixture(scope="module")
def csrf_app(app):
    """Signing in through the pages needs their CSRF tokens."""
    return create_app(make_config(WTF_CSRF_ENABLED=True))


@pytest.fixture
def agenda(app_context):
    """A draft event: a session from 09:00 to 12:00 (Brussels) with a panel from 10:00 to 11:00 and its speaker."""
    event = make_event(title="MPF Exchange Event", slug="mpf", status=EventStatus.DRAFT)
    session = make_session(event, title="Borders & Security", starts_at=at(8), ends_at=at(11))
    panel = make_item(session, title="Looking Ahead", starts_at=at(9), ends_at=at(10))
    person = make_person(event, honorific="Dr", name="Ana Silva")
    make_appearance(panel, person)
    return {"event": event, "session": session, "panel": panel, "person": person}


def test_every_form_page_has_a_bad_submit_here(app):
    form_pages = sorted(e for e, view in app.view_functions.items() if getattr(view, KEEPS_INPUT, False))

    assert sorted(BAD_SUBMITS) == form_pages


def _client_for(app: Flask, kind: str, world):
    if kind in (ORGANISER, ORGANISER_SELF):
        return organiser_client(app, world.alpha.organiser_email)
    if kind in (SPEAKER, SPEAKER_SELF):
        return speaker_client(app, world.alpha.speaker_sign_in_token)
    return app.test_client()


def _path(app: Flask, endpoint: str, url_rule, world) -> str:
    """The page's address for Alpha; a fresh reset link for the reset page (the world has none)."""
    if endpoint == "organiser.reset_password":
        organiser = db.session.query(Organiser).filter_by(email=world.alpha.organiser_email).one()
        link = new_reset_link(organiser, now=datetime.now(UTC))
        db.session.commit()
        return "/" + link.split("://", 1)[1].split("/", 1)[1]
    if endpoint == "survey.answer":
        return _ended_survey_path()
    rule = RULES[endpoint]
    real = {"token": getattr(world.alpha, rule.real_token)} if rule.real_token else {}
    return url_for_rule(url_rule, values_for(rule, url_rule, world.alpha, real))


def _ended_survey_path() -> str:
    """The survey page of an attendee of a session that has ended (the world's sessions are ahead)."""
    ended = datetime.now(UTC) - timedelta(days=1)
    session = make_session(starts_at=ended, ends_at=ended + timedelta(hours=1))
    make_registration(session, "attendee-of-an-ended-session", attended_at=ended)
    return "/registrations/attendee-of-an-ended-session/survey"


@pytest.mark.parametrize("endpoint", sorted(BAD_SUBMITS))
def test_a_bad_submit_opens_on_a_summary_linking_to_each_field(csrf_app, app_context, endpoint):
    world = build_world()
    client = _client_for(csrf_app, RULES[endpoint].kind, world)
    [url_rule] = [u for u in csrf_app.url_map.iter_rules(endpoint) if "POST" in u.methods]
    path = _path(csrf_app, endpoint, url_rule, world)

    # A form that posts elsewhere (the capacity, the speaker's time zone) takes its token from a page of the site.
    token_page = (
        path if "GET" in url_rule.methods else {SPEAKER_SELF: "/speaker/"}.get(RULES[endpoint].kind, "/organiser/")
    )

    response = client.post(path, data={**BAD_SUBMITS[endpoint], "csrf_token": csrf_token_from(client, token_page)})

    assert_summarised(response.get_data(as_text=True))
    assert '<h2 class="h5" id="error-summary-title">There is a problem</h2>' in response.get_data(as_text=True)


def test_the_registration_forms_summary_names_each_field_and_says_what_to_do(client, app_context):
    world = build_world()
    [url_rule] = list(client.application.url_map.iter_rules("registration.new"))
    path = url_for_rule(url_rule, values_for(RULES["registration.new"], url_rule, world.alpha))

    html = client.post(path, data={"full_name": "", "email": "amina@", "organisation": "Ministry"}).text

    page = assert_summarised(html)
    assert page.title.startswith("Error: Register · ")
    assert page.summary_links == [
        ("#full_name", "Full name: Please give your full name."),
        ("#email", "Email: Please give a valid email address, like name@example.org."),
        ("#group", "Which group do you belong to?: Please choose the group you belong to."),
        ("#consent", "I agree that my details are processed as the privacy notice describes.: "
         "Please agree to the privacy notice to register."),
    ]  # fmt: skip


def test_a_slot_answer_without_a_choice_links_to_the_first_radio(csrf_app, app_context):
    world = build_world()
    client = speaker_client(csrf_app, world.alpha.speaker_sign_in_token)
    path = f"/speaker/slots/{world.alpha.appearance_id}/"

    html = client.post(path, data={"note": "Later", "csrf_token": csrf_token_from(client, path)}).text

    page = assert_summarised(html)
    assert page.summary_links == [("#response-0", "Your answer: Choose confirm or decline.")]
    assert page.title.startswith("Error: Confirm or decline: ")


def test_a_wrong_password_is_a_summary_and_is_never_written_back(client, app_context):
    world = build_world()

    html = client.post("/organiser/sign-in", data={"email": world.alpha.organiser_email, "password": "x" + PASSWORD})

    page = assert_summarised(html.text)
    assert page.summary_links == [("#password", "Password: The email or password is not right.")]
    assert "x" + PASSWORD not in html.text


def test_a_form_page_before_any_submit_has_no_summary_and_no_error_title(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    page = Page(client.get(f"/organiser/events/{agenda['event'].id}/sessions/new").text)

    assert (page.summary, page.title) == (None, "New session · MPF Events")


def test_item_warnings_are_a_summary_linking_to_the_times(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])

    html = client.post(
        f"/organiser/sessions/{agenda['session'].id}/items/new",
        data={"title": "Overlapping", "kind": "presentation", "starts": "10:30", "ends": "11:15"},
    ).text

    page = Page(html)
    assert page.title == "Error: New item · MPF Events"
    assert "autofocus" in (page.summary or {}) and page.summary["tabindex"] == "-1"
    assert '<h2 class="h5" id="error-summary-title">Check the timeline before saving</h2>' in html
    assert page.summary_links == [
        ("#starts", "“Looking Ahead” (10:00–11:00 CET) and “Overlapping” (10:30–11:15 CET) overlap in "
         "“Borders & Security”.")
    ]  # fmt: skip


def test_adding_a_person_booked_elsewhere_is_a_summary_linking_to_add_anyway(client, sign_in, agenda):
    sign_in(events=[agenda["event"]])
    workshop = make_session(agenda["event"], title="Workshop", starts_at=at(8), ends_at=at(11))
    clinic = make_item(workshop, title="Clinic", starts_at=at(9), ends_at=at(10))
    db.session.commit()

    response = client.post(
        f"/organiser/items/{clinic.id}/appearances", data={"person_id": str(agenda["person"].id), "role": "speaker"}
    )

    page = Page(response.text)
    assert page.title == "Error: Check before adding Dr Ana Silva · MPF Events"
    assert "autofocus" in (page.summary or {})
    assert [href for href, _ in page.summary_links] == ["#save"]
    assert "save" in page.ids


AUTOCOMPLETE = {
    # (endpoint, input name): the value. The visitor's own details get theirs; someone else's name or
    # address (an event's contact, a person of the programme) "off", so the browser fills in nothing.
    ("registration.new", "full_name"): "name",
    ("registration.new", "email"): "email",
    ("registration.manage", "full_name"): "name",
    ("organiser.sign_in", "email"): "username",
    ("organiser.sign_in", "password"): "current-password",
    ("organiser.reset_request", "email"): "username",
    ("organiser.reset_password", "password"): "new-password",
    ("organiser.change_password", "username"): "username",
    ("organiser.change_password", "current_password"): "current-password",
    ("organiser.change_password", "new_password"): "new-password",
    ("organiser.change_password", "confirm_password"): "new-password",
    ("organiser.event_new", "contact_name"): "off",
    ("organiser.event_new", "contact_email"): "off",
    ("organiser.event_edit", "contact_name"): "off",
    ("organiser.event_edit", "contact_email"): "off",
    ("organiser.person_new", "name"): "off",
    ("organiser.person_new", "email"): "off",
    ("organiser.person_edit", "name"): "off",
    ("organiser.person_edit", "email"): "off",
    ("organiser.notes", "email"): "off",
    ("organiser.typologies", "name"): "off",
    ("organiser.typologies", "name_fr"): "off",
    ("speakers.sign_in", "email"): "email",
    ("speakers.profile", "name"): "name",
}

NAME_EMAIL_PASSWORD = re.compile(r"name|e-?mail|password", re.I)


def _is_name_email_or_password(control: dict) -> bool:
    if control["tag"] == "input" and control.get("type") in ("submit", "checkbox", "radio"):
        return False
    named = bool(NAME_EMAIL_PASSWORD.search(control.get("name") or ""))
    return control.get("name") != "csrf_token" and (control.get("type") in ("email", "password") or named)


def test_every_name_email_and_password_input_has_the_right_autocomplete(csrf_app, app_context):
    world = build_world()
    signed_in = {kind: _client_for(csrf_app, kind, world) for kind in (ORGANISER, SPEAKER)}
    signed_in[ORGANISER_SELF], signed_in[SPEAKER_SELF] = signed_in[ORGANISER], signed_in[SPEAKER]
    found, wrong = {}, []
    for endpoint, rule in sorted(RULES.items()):
        for url_rule in csrf_app.url_map.iter_rules(endpoint):
            if "GET" not in url_rule.methods or endpoint in ("static", "bootstrap.static"):
                continue
            if "token" in url_rule.arguments and not rule.real_token and endpoint != "organiser.reset_password":
                continue
            # A signed-in organiser is sent on from the sign-in page: a visitor sees its form.
            client = signed_in.get(rule.kind) if endpoint != "organiser.sign_in" else None
            response = (client or csrf_app.test_client()).get(_path(csrf_app, endpoint, url_rule, world))
            if not response.content_type.startswith("text/html"):
                continue
            for control in Page(response.get_data(as_text=True)).controls:
                if _is_name_email_or_password(control):
                    key = (endpoint, control["name"])
                    found[key] = control.get("autocomplete")
                    if found[key] != AUTOCOMPLETE.get(key, "(a value listed in AUTOCOMPLETE)"):
                        wrong.append(f"{endpoint} {control['name']}: autocomplete={found[key]!r}")

    assert wrong == []
    assert found == AUTOCOMPLETE  # and every input listed was found on its page


def test_a_speakers_profile_fills_in_their_own_details(csrf_app, app_context):
    world = build_world()
    client = speaker_client(csrf_app, world.alpha.speaker_sign_in_token)

    controls = {c["name"]: c.get("autocomplete") for c in Page(client.get("/speaker/profile").text).controls}

    assert {k: controls[k] for k in ("honorific", "name", "position", "organisation")} == {
        "honorific": "honorific-prefix",
        "name": "name",
        "position": "organization-title",
        "organisation": "organization",
    }
