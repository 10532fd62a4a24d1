"""The sign-in link's lifecycle: issued through the outbox, used once, expired, reused, altered, raced."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.activity import CommandActor
from app.errors import InvalidToken
from app.extensions import db
from app.mail.outbox import links_of, with_links
from app.models import EventStatus, OutboxMessage, Speaker, SpeakerLoginToken
from app.security import hash_token
from app.speakers import services
from app.transaction import use_case
from tests.factories import at, make_appearance, make_event, make_item, make_person, make_session

NOW = at(7)

OPERATOR = CommandActor("flask speakers send-link")


def _speaker(**fields):
    """A person who appears in a published event."""
    item = make_item(make_session(make_event()))
    person = make_person(item.session.event, **fields)
    make_appearance(item, person)
    return person


def _as_sent(message: OutboxMessage) -> str:
    return with_links(message.body_text, links_of(message))


def _speaker_of(person) -> Speaker:
    return services.find_speaker(person.email)


def _token_from(message: OutboxMessage) -> str:
    return re.search(r"/speaker/sign-in/([A-Za-z0-9_-]+)", _as_sent(message)).group(1)


def _issue(person) -> str:
    with use_case():
        message = services.send_sign_in_link(person, by=OPERATOR, now=NOW)
    return _token_from(message)


def test_request_sign_in_link_for_a_speaker_queues_one_email_with_a_link_and_stores_only_the_hash(app_context):
    person = _speaker(email="Ana.Speaker@example.org")

    services.request_sign_in_link("  ana.speaker@EXAMPLE.org ", now=NOW)

    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.to_address, m.person_id) for m in messages] == [
        ("speaker_link", "ana.speaker@example.org", person.id)
    ]
    token = _token_from(messages[0])
    assert len(token) >= 43  # 32 random bytes, base64url
    assert "http://127.0.0.1:5000/speaker/sign-in/" + token in _as_sent(messages[0])
    assert token not in messages[0].body_text + messages[0].body_html  # the stored body has a placeholder
    assert "30 minutes" in messages[0].body_text
    record = db.session.scalars(select(SpeakerLoginToken)).one()
    assert record.token_hash == hash_token(token) != token
    assert record.expires_at == NOW + timedelta(minutes=30)
    assert record.used_at is None
    assert (record.speaker.email, record.speaker.session_version) == ("ana.speaker@example.org", 0)


def test_links_for_the_same_address_in_two_events_belong_to_one_speaker(app_context):
    first = _speaker(email="ana@example.org")
    second = _speaker(email="ana@example.org")

    services.send_sign_in_link(first, by=OPERATOR, now=NOW)
    services.send_sign_in_link(second, by=OPERATOR, now=NOW)
    services.request_sign_in_link("ANA@example.org", now=NOW)

    assert db.session.scalars(select(Speaker.email)).all() == ["ana@example.org"]
    assert {t.speaker.email for t in db.session.scalars(select(SpeakerLoginToken))} == {"ana@example.org"}
    assert db.session.scalar(select(func.count()).select_from(SpeakerLoginToken)) == 3


def test_request_sign_in_link_for_an_unknown_address_queues_nothing(app_context):
    _speaker(email="known@example.org")

    services.request_sign_in_link("unknown@example.org", now=NOW)

    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(SpeakerLoginToken)) == 0


def test_request_sign_in_link_for_a_person_only_in_a_draft_event_queues_nothing(app_context):
    item = make_item(make_session(make_event(status=EventStatus.DRAFT)))
    make_appearance(item, make_person(item.session.event, email="draft@example.org"))

    services.request_sign_in_link("draft@example.org", now=NOW)

    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_send_sign_in_link_refuses_a_person_without_published_slots(app_context):
    person = make_person(make_event(), email="nobody@example.org")
    _speaker(email="elsewhere@example.org")
    # Their own event is a draft: a slot of the same address elsewhere does not let this event send a link.
    draft_item = make_item(make_session(make_event(status=EventStatus.DRAFT)))
    in_draft = make_person(draft_item.session.event, email="elsewhere@example.org")
    make_appearance(draft_item, in_draft)

    for refused in (person, in_draft):
        with pytest.raises(services.NotASpeaker):
            services.send_sign_in_link(refused, by=OPERATOR, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(Speaker)) == 0


def test_checking_a_link_does_not_use_it(app_context):
    person = _speaker()
    token = _issue(person)

    assert services.check_sign_in_link(token, now=NOW).speaker_id == _speaker_of(person).id
    assert services.check_sign_in_link(token, now=NOW).used_at is None


def test_sign_in_with_link_works_once(app_context):
    person = _speaker()
    token = _issue(person)

    assert services.sign_in_with_link(token, now=NOW + timedelta(minutes=1)) == _speaker_of(person)
    with pytest.raises(services.LinkUsed, match="already been used"):
        services.sign_in_with_link(token, now=NOW + timedelta(minutes=2))
    record = db.session.scalars(select(SpeakerLoginToken)).one()
    assert record.used_at == NOW + timedelta(minutes=1)


def test_sign_in_with_link_after_it_expired_is_refused(app_context):
    token = _issue(_speaker())

    with pytest.raises(services.LinkExpired, match="expired"):
        services.sign_in_with_link(token, now=NOW + timedelta(minutes=30))
    assert db.session.scalars(select(SpeakerLoginToken)).one().used_at is None


def test_sign_in_with_an_altered_link_is_refused(app_context):
    token = _issue(_speaker())
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")

    with pytest.raises(InvalidToken, match="not valid"):
        services.sign_in_with_link(altered, now=NOW)


def test_each_link_signs_in_its_own_speaker_only(app_context):
    ana, ben = _speaker(), _speaker()
    ana_token, ben_token = _issue(ana), _issue(ben)

    assert services.sign_in_with_link(ben_token, now=NOW) == _speaker_of(ben)
    assert services.sign_in_with_link(ana_token, now=NOW) == _speaker_of(ana)


def race_sign_in(app, token: str, now, requests: int = 20) -> list[int | None]:
    """`requests` threads use one link at the same moment; returns the speaker id each one got (None if refused)."""
    barrier = threading.Barrier(requests)
    results: list[int | None] = []
    lock = threading.Lock()

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                with use_case():
                    person_id = services.sign_in_with_link(token, now=now).id
            except InvalidToken:
                person_id = None
            finally:
                db.session.remove()
            with lock:
                results.append(person_id)

    threads = [threading.Thread(target=attempt) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_concurrent_uses_of_one_link_sign_in_exactly_once(app, app_context):
    person = _speaker()
    token = _issue(person)
    speaker_id = _speaker_of(person).id
    db.session.remove()

    results = race_sign_in(app, token, NOW)

    assert len(results) == 20
    assert [r for r in results if r is not None] == [speaker_id]
    assert db.session.scalars(select(SpeakerLoginToken)).one().used_at == NOW
