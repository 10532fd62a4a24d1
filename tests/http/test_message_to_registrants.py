"""The organisers' message to a session's registrants: the greeting in the text they edit, a preview, a test
copy to themselves, paragraphs and links in the HTML part; through the test client."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AttendeeGroup, OutboxMessage
from app.registration import services as registration_services
from tests.factories import DAY, at, make_online_session
from tests.http.conftest import make_organiser

NOW = at(9, day=DAY - timedelta(days=10))
BODY = "Dear {name},\n\nThe slides are at https://ex.org/slides?x=1&y=2.\nSee you <soon>.\n\nThe MPF team"


@pytest.fixture
def session_of_two(app_context):
    session = make_online_session(capacity=10, title="Looking Ahead")
    session.event.contact_name = "MPF team"
    for n, name in enumerate(["Ana Silva", "Bo Berg"]):
        registration_services.register_attendee(
            session, full_name=name, email=f"{name.split()[0].lower()}@example.com", organisation="Agency",
            group=AttendeeGroup.EU_SERVICE, question="", consent=True, now=NOW + timedelta(days=n),
        )  # fmt: skip
    db.session.commit()
    return session


def _messages(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def _form(action: str, body: str = BODY) -> dict:
    return {"audience": "confirmed", "subject": "Slides", "body": body, action: "y"}


def test_the_form_starts_with_the_greeting_the_organiser_sees_and_edits(client, sign_in, session_of_two):
    sign_in(events=[session_of_two.event])

    page = client.get(f"/organiser/sessions/{session_of_two.id}/message").text

    assert 'name="body" required>\r\nDear {name},\n\n</textarea>' in page
    assert "“{name}” becomes each attendee’s name." in page
    assert "2 confirmed attendees, 0 on the waiting list." in page


def test_the_preview_shows_what_the_first_registrant_gets_and_queues_nothing(client, sign_in, session_of_two):
    sign_in(events=[session_of_two.event])
    before = len(_messages())

    page = client.post(f"/organiser/sessions/{session_of_two.id}/message", data=_form("preview")).text

    assert page.count("Preview: what Ana Silva will get") == 1
    assert "As the first of the 2 recipients gets it; each sees their own name." in page
    assert "<strong>Subject:</strong> Slides" in page
    preview = page.split('id="preview-html">')[1].split("</div>")[0]
    assert preview == (
        "<p>Dear Ana Silva,</p>"
        '<p>The slides are at <a href="https://ex.org/slides?x=1&amp;y=2">https://ex.org/slides?x=1&amp;y=2</a>.'
        "<br>See you &lt;soon&gt;.</p><p>The MPF team</p><p>-- <br>MPF team<br>Looking Ahead</p>"
    )
    assert html.escape("The slides are at https://ex.org/slides?x=1&y=2.", quote=False) in page  # the text kept
    assert len(_messages()) == before


def test_a_test_send_goes_to_the_signed_in_organiser_alone_marked_as_a_test(client, sign_in, session_of_two):
    organiser = make_organiser("olga@example.org", name="Olga Org", events=[session_of_two.event])
    sign_in(organiser)
    before = len(_messages())

    page = client.post(f"/organiser/sessions/{session_of_two.id}/message", data=_form("test")).text

    [test] = _messages()[before:]
    assert (test.to_address, test.subject, test.kind, test.registration_id) == (
        "olga@example.org",
        "[Test] Slides",
        "organiser_message_test",
        None,
    )
    assert test.body_text.startswith(
        "This is a test of your message to the registrants of “Looking Ahead”, as Ana Silva would get it. "
        "Nobody else got it. Sending it for real would email 2 registrants.\n\nDear Ana Silva,\n\n"
    )
    assert '<p>Dear Ana Silva,</p><p>The slides are at <a href="https://ex.org/slides?x=1&amp;y=2">' in test.body_html
    assert _messages("organiser_message") == []
    assert "A test copy is on its way to you at olga@example.org. Nobody else got it." in page
    assert "The MPF team</textarea>" in page  # what was written is still there, to send


def test_sending_greets_each_registrant_once_by_name(client, sign_in, session_of_two):
    sign_in(events=[session_of_two.event])

    sent = client.post(f"/organiser/sessions/{session_of_two.id}/message", data=_form("submit"), follow_redirects=True)

    messages = _messages("organiser_message")
    assert "The message is queued for 2 attendees." in sent.text
    assert [(m.to_address, m.body_text.split("\n")[0]) for m in messages] == [
        ("ana@example.com", "Dear Ana Silva,"),
        ("bo@example.com", "Dear Bo Berg,"),
    ]
    assert all(m.body_text.count("Dear") == 1 and m.body_html.count("Dear") == 1 for m in messages)
    assert _messages("organiser_message_test") == []


def test_one_attendee_is_one_attendee(client, sign_in, app_context):
    session = make_online_session(capacity=10, title="Small")
    registration_services.register_attendee(
        session, full_name="Cleo Diaz", email="cleo@example.com", organisation="", group=AttendeeGroup.OTHER,
        question="", consent=True, now=NOW,
    )  # fmt: skip
    db.session.commit()
    sign_in(events=[session.event])
    url = f"/organiser/sessions/{session.id}/message"

    page = client.get(url).text
    sent = client.post(url, data=_form("submit"), follow_redirects=True)

    assert "1 confirmed attendee, 0 on the waiting list." in page
    assert "The message is queued for 1 attendee." in sent.text
