"""Registration pages through the test client: the form, confirmation, manage link, cancel, abuse."""

import re
import socket
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.mail.outbox import links_of
from app.models import EventStatus, OutboxMessage, Registration, RegistrationStatus
from app.registration.services import register_attendee
from tests.conftest import make_config
from tests.factories import make_event, make_online_session

JOIN = "https://meet.example.org/looking-ahead"


def _open_session(**fields):
    """An online session open now (the pages use the real clock), in the future."""
    values = dict(registration_opens_at=None, registration_closes_at=None)
    values.update(fields)
    return make_online_session(**values)


def _url(session) -> str:
    return f"/events/{session.event.slug}/sessions/{session.id}/register"


def _form(**fields) -> dict:
    values = dict(
        full_name="Amina Diallo",
        email="amina@example.com",
        organisation="Ministry of Interior, Nigeria",
        group="partner_country",
        question="How will the call treat partnerships?",
        accessibility_needs="",
        timezone="Africa/Lagos",
        consent="y",
    )
    values.update(fields)
    return values


def _register(session, email="amina@example.com"):
    return register_attendee(session, full_name="Amina Diallo", email=email, group="other", consent=True)


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'<div id="{field}-error" class="invalid-feedback">([^<]*)</div>', html)
    return match.group(1) if match else ""


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_form_shows_every_field_with_consent_unticked_and_the_notice_version(client):
    session = _open_session()

    response = client.get(_url(session))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("full_name", "email", "organisation", "group", "question", "accessibility_needs", "timezone"):
        assert f'name="{name}"' in html
    consent = '<input class="form-check-input" id="consent" name="consent" required type="checkbox" value="y">'
    assert consent in html
    assert "Privacy notice (version 2026-11)" in html
    assert '<option selected value="Europe/Brussels">' in html
    group_select = re.search(r'<select[^>]*id="group".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\w+)">', group_select) == [
        "mpf_grantee",
        "eu_member_state",
        "eu_service",
        "partner_country",
        "other",
    ]


def test_register_confirms_and_shows_times_in_both_zones(client):
    session = _open_session()

    response = client.post(_url(session), data=_form())

    token = re.fullmatch(r"/registrations/([\w-]{43})/confirmation", response.location).group(1)
    page = client.get(response.location).get_data(as_text=True)
    assert "<h1>You are registered</h1>" in page
    assert "Wednesday 30 October 2030, 09:00–10:30 CET (Europe/Brussels)" in page
    assert "Wednesday 30 October 2030, 09:00–10:30 WAT in your time zone (Africa/Lagos)" in page
    registration = db.session.scalar(select(Registration))
    assert (registration.status, registration.consent_version, registration.group) == (
        RegistrationStatus.CONFIRMED,
        "2026-11",
        "partner_country",
    )
    message = db.session.scalar(select(OutboxMessage).limit(1))
    assert links_of(message) == [f"http://127.0.0.1:5000/registrations/{token}/"]
    assert token not in message.body_text + message.body_html


def test_register_runs_one_statement_per_step_and_composes_one_message(client, count_queries):
    url = _url(_open_session())
    db.session.commit()

    with count_queries() as statements:
        response = client.post(url, data=_form())

    assert response.status_code == 302 and "/confirmation" in response.location
    # The ORM sends the three outbox rows in one INSERT on PostgreSQL, one INSERT each on SQLite.
    outbox_inserts = 1 if db.engine.dialect.name == "postgresql" else 3
    assert [" ".join(statement.split()[:3]) for statement in statements] == [
        "SELECT events.id, events.slug,",  # the page's session with its event
        "SELECT event_sessions.id, event_sessions.event_id,",  # the session locked (FOR UPDATE), read afresh
        "UPDATE event_sessions SET",  # the seat taken
        "INSERT INTO registrations",  # the partial unique index is the duplicate check
        *["INSERT INTO outbox_messages"] * outbox_inserts,
        "INSERT INTO activity_entries",
    ]
    assert "FOR UPDATE" in statements[1] or db.engine.dialect.name == "sqlite"
    # One message composed (the confirmation); the reminders are rows with no text until they fall due.
    rows = db.session.execute(select(OutboxMessage.kind, OutboxMessage.body_text).order_by(OutboxMessage.id)).all()
    assert [(kind, bool(body)) for kind, body in rows] == [
        ("confirmation", True),
        ("reminder_24h", False),
        ("reminder_1h", False),
    ]


def test_register_when_full_lands_on_waiting_list_with_place(client):
    session = _open_session(capacity=1)
    _register(session, "first@example.com")

    response = client.post(_url(session), data=_form())

    page = client.get(response.location).get_data(as_text=True)
    assert "<h1>You are on the waiting list</h1>" in page
    assert "You are on the waiting list, in place 1." in page
    assert JOIN not in page


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("full_name", "", "Please give your full name."),
        ("full_name", "Eve\r\nBcc: victim@example.com", "Please remove the special characters"),
        ("full_name", "x" * 201, "Use 200 characters or fewer."),
        ("email", "not-an-email", "Please give a valid email address, like name@example.org."),
        ("email", "a@example.com\nBcc: b@example.com", "Please remove the special characters"),
        ("organisation", "", "Please give your organisation."),
        ("group", "", "Please choose the group you belong to."),
        ("group", "astronauts", "Please choose the group you belong to."),
        ("question", "q" * 2001, "Use 2000 characters or fewer."),
        ("question", "bell\x07", "Please remove the special characters"),
        ("timezone", "Mars/Olympus", "Please choose a time zone from the list."),
        ("consent", "", "Please agree to the privacy notice to register."),
    ],
)
def test_register_with_bad_input_shows_error_next_to_field_and_keeps_input(client, field, value, error):
    session = _open_session()
    data = _form(**{field: value})
    if field == "consent":
        del data["consent"]

    response = client.post(_url(session), data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(html, field).startswith(error)
    assert f'aria-describedby="{field}-error"' in html or f'aria-describedby="{field}-help {field}-error"' in html
    assert "is-invalid" in html
    if field != "full_name":
        assert 'value="Amina Diallo"' in html
    assert "How will the call treat partnerships?</textarea>" in html or field == "question"
    assert _count(Registration) == 0 and _count(OutboxMessage) == 0


def test_register_with_a_tab_and_line_breaks_in_the_question_takes_them_as_every_form_does(client):
    session = _open_session()

    response = client.post(_url(session), data=_form(question="Two\tcolumns\r\nand a second line"))

    assert response.status_code == 302
    assert db.session.scalars(select(Registration.question)).one() == "Two\tcolumns\nand a second line"


NON_ASCII_BEFORE_THE_AT = "This address cannot receive our emails: use one with only ASCII letters before the @."


def test_register_with_non_ascii_letters_before_the_at_is_refused_while_the_mail_server_lacks_smtputf8(client):
    session = _open_session()

    response = client.post(_url(session), data=_form(email="jöran@example.org"))

    assert response.status_code == 422
    assert _field_error(response.get_data(as_text=True), "email") == NON_ASCII_BEFORE_THE_AT
    assert _count(Registration) == 0 and _count(OutboxMessage) == 0


def test_register_with_non_ascii_letters_before_the_at_is_taken_when_the_mail_server_offers_smtputf8(
    client, app, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SMTPUTF8", True)
    session = _open_session()

    response = client.post(_url(session), data=_form(email="Jöran@Example.org"))

    assert response.status_code == 302
    registration = db.session.scalars(select(Registration)).one()
    assert (registration.email, registration.email_normalised) == ("Jöran@Example.org", "jöran@example.org")


def test_register_twice_tells_to_use_the_manage_link_without_revealing_data(client):
    session = _open_session()
    _register(session)
    db.session.execute(OutboxMessage.__table__.update().values(created_at=datetime(2020, 1, 1, tzinfo=UTC)))
    db.session.commit()

    response = client.post(_url(session), data=_form(full_name="Somebody Else", email="Amina@Example.com"))
    page = client.get(response.location).get_data(as_text=True)

    assert response.location == _url(session)
    assert (
        "This email address is already registered for this session. "
        "We have sent a fresh link to manage the registration to that address."
    ) in page
    assert "Amina Diallo" not in page
    assert _count(Registration) == 1
    assert db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind == "manage_link")).all() == [
        "manage_link"
    ]


def test_register_twice_within_minutes_says_the_link_went_already_and_sends_none(client):
    session = _open_session()
    _register(session)  # the confirmation with its manage link went just now

    response = client.post(_url(session), data=_form(full_name="Somebody Else", email="amina@example.com"))
    page = client.get(response.location).get_data(as_text=True)

    assert (
        "This email address is already registered for this session. A link to manage the registration was sent "
        "to that address a few minutes ago: please look for it there (and in the spam folder)."
    ) in page
    assert "We have sent a fresh link" not in page
    assert db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all() == [
        "confirmation",
        "reminder_24h",
        "reminder_1h",
    ]


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"registration_closes_at": datetime(2020, 1, 1, tzinfo=UTC)}, "<strong>Registration is closed.</strong>"),
        (
            {"registration_opens_at": datetime(2029, 1, 1, tzinfo=UTC), "registration_closes_at": None},
            "Registration opens on Monday 1 January 2029, 01:00 CET.",
        ),
        ({"capacity": 0, "waitlist_enabled": False}, "<strong>This session is full.</strong>"),
        ({"registration_enabled": False}, "This session does not take registrations."),
    ],
    ids=["closed", "not-yet-open", "full-no-waitlist", "not-offered"],
)
def test_closed_or_full_session_says_so_instead_of_a_form(client, fields, text):
    session = _open_session(**{k: v for k, v in fields.items() if k != "registration_closes_at"})
    if fields.get("registration_closes_at"):
        session.registration_opens_at = None
        session.registration_closes_at = fields["registration_closes_at"]
        db.session.commit()

    page = client.get(_url(session)).get_data(as_text=True)
    posted = client.post(_url(session), data=_form())
    public = client.get(f"/events/{session.event.slug}/sessions/{session.id}/").get_data(as_text=True)

    assert text in page
    assert 'name="full_name"' not in page
    assert posted.status_code == 200 and _count(Registration) == 0
    if session.registration_enabled:
        assert text in public
        assert "/register" not in public


def test_public_session_page_offers_register_button_and_never_the_join_link(client):
    session = _open_session()
    _register(session)

    public = client.get(f"/events/{session.event.slug}/sessions/{session.id}/").get_data(as_text=True)

    assert f'<a class="btn btn-primary" href="{_url(session)}">Register' in public
    assert JOIN not in public


@pytest.mark.parametrize("status", [EventStatus.DRAFT])
def test_register_for_draft_event_or_unknown_session_is_404(client, status):
    session = _open_session(event=make_event(status=status))

    assert client.get(_url(session)).status_code == 404
    assert client.get(f"/events/{session.event.slug}/sessions/999/register").status_code == 404
    assert client.post(_url(session), data=_form()).status_code == 404
    assert _count(Registration) == 0


def test_manage_page_shows_join_link_only_when_confirmed(client):
    session = _open_session(capacity=1)
    confirmed = _register(session, "a@example.com")
    waiting = _register(session, "b@example.com")

    confirmed_page = client.get(f"/registrations/{confirmed.token}/")
    waiting_page = client.get(f"/registrations/{waiting.token}/").get_data(as_text=True)

    assert f'<a href="{JOIN}" rel="noopener noreferrer">{JOIN}</a>' in confirmed_page.get_data(as_text=True)
    assert JOIN not in waiting_page
    assert "You are on the waiting list, in place 1." in waiting_page
    assert confirmed_page.headers["Cache-Control"] == "no-store"
    assert confirmed_page.headers["Referrer-Policy"] == "no-referrer"


def test_wrong_token_gives_the_same_404_as_an_unknown_one(client):
    result = _register(_open_session())

    wrong = client.get(f"/registrations/{result.token[:-1]}x/")
    garbage = client.get("/registrations/nope/")

    assert (wrong.status_code, garbage.status_code) == (404, 404)
    assert wrong.get_data() == garbage.get_data()
    assert client.post(f"/registrations/{result.token[:-1]}x/cancel").status_code == 404


def test_manage_page_saves_changes(client):
    result = _register(_open_session())

    response = client.post(
        f"/registrations/{result.token}/",
        data=_form(full_name="Amina B. Diallo", question="A better question", email="ignored@example.com"),
    )
    page = client.get(response.location).get_data(as_text=True)

    assert "Your changes are saved." in page
    db.session.expire_all()
    registration = db.session.get(Registration, result.registration.id)
    assert (registration.full_name, registration.question, registration.email) == (
        "Amina B. Diallo",
        "A better question",
        "amina@example.com",
    )


def test_manage_page_with_bad_input_keeps_values_and_shows_errors(client):
    result = _register(_open_session())

    response = client.post(f"/registrations/{result.token}/", data=_form(full_name="", question="Kept question"))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(html, "full_name") == "Please give your full name."
    assert "Kept question</textarea>" in html


def test_cancel_frees_the_seat_for_the_waiting_list_and_hides_the_join_link(client):
    session = _open_session(capacity=1)
    holder = _register(session, "a@example.com")
    waiting = _register(session, "b@example.com")

    response = client.post(f"/registrations/{holder.token}/cancel")
    page = client.get(response.location).get_data(as_text=True)
    promoted_page = client.get(f"/registrations/{waiting.token}/").get_data(as_text=True)

    assert "Your registration is cancelled. We have sent you a confirmation." in page
    assert "<strong>This registration is cancelled.</strong>" in page
    assert JOIN not in page
    assert "<strong>Your place is confirmed.</strong>" in promoted_page
    assert JOIN in promoted_page
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind.in_(["cancellation", "promoted"])))
    assert sorted(kinds) == ["cancellation", "promoted"]


def test_post_without_csrf_token_is_refused_when_csrf_is_on(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    session = _open_session()
    result = _register(session, "b@example.com")

    register = client.post(_url(session), data=_form())
    cancel = client.post(f"/registrations/{result.token}/cancel")

    assert (register.status_code, cancel.status_code) == (422, 400)
    assert "This form had expired; your entries are kept: send it again." in register.text
    assert (
        'value="Amina Diallo"' in register.text and "How will the call treat partnerships?</textarea>" in register.text
    )
    assert "This page had expired" in cancel.text and "CSRF" not in register.text + cancel.text
    assert _count(Registration) == 1
    assert db.session.get(Registration, result.registration.id).status == RegistrationStatus.CONFIRMED


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(
    params=[
        "memory://",
        pytest.param(
            "redis://127.0.0.1:6379",
            marks=pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379"),
        ),
    ],
    ids=["memory", "redis"],
)
def limited_app(app, request):
    """A separate app with rate limits on (they are off in TestingConfig).

    On Redis the counters get a key prefix of their own, so runs never share them (Flask-Limiter keeps the
    first prefix it was given for the whole process, so the tests here use distinct addresses).
    """
    limited = create_app(
        make_config(
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=request.param,
            RATELIMIT_KEY_PREFIX=f"test-registration-{uuid.uuid4().hex}",
            REGISTRATION_RATE_LIMIT_IP="3 per minute",
            REGISTRATION_RATE_LIMIT_EMAIL="2 per hour",
        )
    )
    yield limited
    with limited.app_context():
        db.engine.dispose()


def test_registration_is_rate_limited_per_ip(limited_app):
    with limited_app.app_context():
        session = _open_session()
        url = _url(session)
    client = limited_app.test_client()

    answers = [
        client.post(url, data=_form(email=f"p{n}@example.com"), environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code
        for n in range(4)
    ]
    other_ip = client.post(url, data=_form(email="p9@example.com"), environ_base={"REMOTE_ADDR": "192.0.2.2"})

    assert answers == [302, 302, 302, 429]
    assert other_ip.status_code == 302
    assert client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
    with limited_app.app_context():
        assert _count(Registration) == 4


def test_registration_is_rate_limited_per_email_across_ips(limited_app):
    with limited_app.app_context():
        session = _open_session()
        url = _url(session)
    client = limited_app.test_client()

    answers = [
        client.post(url, data=_form(email="Target@example.com"), environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
        for n in range(3)
    ]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "That was tried too many times in a row. Please wait an hour, then try again." in answers[2].text
    with limited_app.app_context():
        assert _count(Registration) == 1


def test_confirmation_page_for_cancelled_registration_says_so(client):
    session = _open_session()
    result = _register(session)
    client.post(f"/registrations/{result.token}/cancel")

    page = client.get(f"/registrations/{result.token}/confirmation").get_data(as_text=True)

    assert "<h1>Registration cancelled</h1>" in page
    assert session.starts_at - timedelta(days=1) < session.ends_at
