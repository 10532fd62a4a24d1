"""Issue 11's takeover, tried as organiser B: A's people are neither offered nor reachable through B's event,
and B's own record of the same address gives B nothing of A's; speakers' sessions end everywhere."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.mail.outbox import links_of, with_links
from app.models import Appearance, EventStatus, OutboxMessage, Person, Speaker
from app.speakers import services
from tests.factories import (
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_session,
)
from tests.http.conftest import make_organiser


@pytest.fixture
def world(app_context):
    """A's published event (Sara speaks in its online session) and A's draft; B's own published event."""
    a_event = make_event(slug="a-exchange", title="A Exchange")
    online = make_online_session(a_event, join_url="https://meet.example.org/a-secret-room")
    sara = make_person(a_event, honorific="Dr", name="Sara Speaker", email="sara@example.org")
    make_appearance(make_item(online, title="A panel"), sara)
    make_registration(online, full_name="Reg Istrant", organisation="A Ministry", question="A secret question?")
    a_draft = make_event(slug="a-draft", title="A Draft", status=EventStatus.DRAFT)
    hidden = make_person(a_draft, name="Hidden Draft Person", email="hidden@example.org")
    b_event = make_event(slug="b-exchange", title="B Exchange")
    b_item = make_item(make_session(b_event), title="B talk")
    a = make_organiser("a@example.org", events=[a_event, a_draft])
    b = make_organiser("b@example.org", events=[b_event])
    return dict(a=a, b=b, a_event=a_event, sara=sara, hidden=hidden, b_event=b_event, b_item=b_item)


def _last_sent_body() -> str:
    """The newest message's text as it is sent (the stored body holds a placeholder for the private link)."""
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return with_links(message.body_text, links_of(message))


def _outbox() -> list[tuple[str, str]]:
    return list(db.session.execute(select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)))


def test_b_does_not_see_as_people_in_the_picker(client, sign_in, world):
    sign_in(world["b"])

    page = client.get(f"/organiser/items/{world['b_item'].id}/edit").text

    assert "Sara Speaker" not in page and "Hidden Draft Person" not in page
    assert "People of this event" not in page  # nothing to pick from: no picker at all


def test_b_cannot_add_edit_or_send_a_link_to_as_person(client, sign_in, world):
    sign_in(world["b"])
    sara, b_event, a_event = world["sara"], world["b_event"], world["a_event"]
    before = client.get("/events/a-exchange/").text

    added = client.post(
        f"/organiser/items/{world['b_item'].id}/appearances",
        data={"person_id": sara.id, "role": "speaker"},
        follow_redirects=True,
    )
    answers = [
        client.get(f"/organiser/events/{b_event.id}/people/{sara.id}/edit").status_code,
        client.post(
            f"/organiser/events/{b_event.id}/people/{sara.id}/edit", data={"name": "Renamed", "email": "b@example.org"}
        ).status_code,
        client.post(f"/organiser/events/{b_event.id}/people/{sara.id}/send-link").status_code,
        client.get(f"/organiser/events/{a_event.id}/people/{sara.id}/edit").status_code,
        client.post(f"/organiser/events/{a_event.id}/people/{sara.id}/send-link").status_code,
        client.get(f"/organiser/events/{a_event.id}/people/").status_code,
    ]

    assert '<a class="alert-link" href="#person_id">Person: Choose one of the options.</a>' in added.text
    assert answers == [404] * 6
    db.session.expire_all()
    assert (db.session.get(Person, sara.id).name, db.session.get(Person, sara.id).email) == (
        "Sara Speaker",
        "sara@example.org",
    )
    assert db.session.scalar(select(func.count()).select_from(Person)) == 2
    assert db.session.scalars(select(Appearance.item_id).where(Appearance.item_id == world["b_item"].id)).all() == []
    assert _outbox() == []
    assert client.get("/events/a-exchange/").text == before


def test_bs_own_record_of_as_speaker_gives_b_nothing_of_as_and_never_changes_as_agenda(client, sign_in, world, app):
    b = sign_in(world["b"])
    b_event = world["b_event"]
    before = client.get("/events/a-exchange/").text
    speakers_before = client.get("/events/a-exchange/speakers/").text

    client.post(f"/organiser/events/{b_event.id}/people/new", data={"name": "Sara Fake", "email": "sara@example.org"})
    fake = db.session.scalar(select(Person).where(Person.event_id == b_event.id))
    client.post(f"/organiser/items/{world['b_item'].id}/appearances", data={"person_id": fake.id, "role": "speaker"})
    client.post(
        f"/organiser/events/{b_event.id}/people/{fake.id}/edit",
        data={"honorific": "", "name": "Sara Renamed by B", "email": "b-inbox@example.org"},
    )
    sent = client.post(f"/organiser/events/{b_event.id}/people/{fake.id}/send-link", follow_redirects=True)
    link = re.search(
        r"/speaker/sign-in/[A-Za-z0-9_-]+",
        _last_sent_body(),
    ).group(0)

    speaker_browser = app.test_client()
    speaker_browser.post(link)
    slots = speaker_browser.get("/speaker/").text
    questions = speaker_browser.get("/speaker/questions").text

    assert b.email == "b@example.org"
    assert "A sign-in link for the speaker pages is on its way to b-inbox@example.org." in sent.text
    assert [to for kind, to in _outbox()] == ["sara@example.org", "b-inbox@example.org"]  # the invite, the link
    assert "B talk" in slots
    assert "a-secret-room" not in slots and "A panel" not in slots
    assert "A secret question?" not in questions and "Reg Istrant" not in questions
    db.session.expire_all()
    assert db.session.get(Person, world["sara"].id).name == "Sara Speaker"
    assert client.get("/events/a-exchange/").text == before
    assert client.get("/events/a-exchange/speakers/").text == speakers_before
    assert "Sara Renamed by B" not in before and "Sara Renamed by B" in client.get("/events/b-exchange/").text


# --- speakers' sessions end ------------------------------------------------------------------------


def _signed_in_speaker(app, world):
    """A browser signed in as Sara through a real link, and a second browser holding a copy of its cookie."""
    services.request_sign_in_link("sara@example.org", now=_now())
    token = re.search(
        r"/speaker/sign-in/([A-Za-z0-9_-]+)",
        _last_sent_body(),
    ).group(1)
    first = app.test_client()
    first.post(f"/speaker/sign-in/{token}")
    copy = app.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], first.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    return first, copy


def _now():
    return datetime.now(UTC)


def test_sign_out_everywhere_ends_every_browsers_session(app, world):
    first, copy = _signed_in_speaker(app, world)
    assert "A panel" in copy.get("/speaker/").text

    out = first.post("/speaker/sign-out-everywhere", follow_redirects=True)

    assert "You are signed out everywhere" in out.text
    assert copy.get("/speaker/").location == "/speaker/sign-in"
    assert copy.get("/speaker/questions").location == "/speaker/sign-in"
    assert first.get("/speaker/").location == "/speaker/sign-in"
    assert db.session.scalar(select(Speaker.session_version).where(Speaker.email == "sara@example.org")) == 1
    again, _ = _signed_in_speaker(app, world)
    assert "A panel" in again.get("/speaker/").text


def test_plain_sign_out_ends_this_browser_only(app, world):
    first, copy = _signed_in_speaker(app, world)

    first.post("/speaker/sign-out")

    assert first.get("/speaker/").location == "/speaker/sign-in"
    # A cookie copied before is another browser: "Sign out everywhere" is what ends it.
    assert "A panel" in copy.get("/speaker/").text
    assert 'action="/speaker/sign-out-everywhere"' in copy.get("/speaker/").text


def test_the_profile_page_says_which_events_it_changes_and_changes_them(app, world):
    second = make_event(slug="a-second", title="A Second Exchange")
    other_record = make_person(second, name="Sara S.", email="sara@example.org")
    first, _ = _signed_in_speaker(app, world)

    page = first.get("/speaker/profile").text
    saved = first.post(
        "/speaker/profile", data={"honorific": "Prof", "name": "Sara Speaker", "bio": "New bio"}, follow_redirects=True
    )

    assert "every published event that lists you with sara@example.org" in page
    assert "“A Exchange”; “A Second Exchange”." in page.replace("&#34;", '"')
    assert "Your profile is saved for every event you appear in: “A Exchange”; “A Second Exchange”." in saved.text
    db.session.expire_all()
    assert [db.session.get(Person, p.id).display_name for p in (world["sara"], other_record)] == [
        "Prof Sara Speaker",
        "Prof Sara Speaker",
    ]
    assert db.session.get(Person, world["hidden"].id).name == "Hidden Draft Person"
