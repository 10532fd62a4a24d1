"""Publishing tells the speakers: the first publish sends each person with an address the invite of each of
their slots; publishing again after a return to draft sends only what changed since what they were sent."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.agenda import reach
from app.agenda import services as agenda
from app.extensions import db
from app.models import EventStatus, OutboxMessage, Role, SlotNotice
from tests.factories import DAY, at, make_appearance, make_event, make_item, make_person, make_session
from tests.http.conftest import make_organiser

NOW = at(9, day=DAY - timedelta(days=10))


@pytest.fixture
def organiser(app_context):
    return make_organiser()


@pytest.fixture
def event(organiser):
    """A draft: the panel (09:00-09:45 in Brussels) with Ana moderating, Bo and Cy (no address) on it, and the
    closing after it, given by Ana."""
    event = make_event(status=EventStatus.DRAFT, title="MPF Exchange Event")
    session = make_session(event, title="Morning", starts_at=at(8), ends_at=at(12))
    panel = make_item(session, title="Panel", starts_at=at(8), ends_at=at(8, 45))
    closing = make_item(session, title="Closing", starts_at=at(8, 45), ends_at=at(9))
    ana = make_person(event, honorific="Dr", name="Ana Silva", email="ana@example.org")
    bo = make_person(event, honorific="Mr", name="Bo Berg", email="bo@example.org")
    cy = make_person(event, honorific="Ms", name="Cy Dorn", email=None)
    make_appearance(panel, ana, role=Role.MODERATOR)
    make_appearance(panel, bo, role=Role.PANELLIST)
    make_appearance(panel, cy, role=Role.PANELLIST)
    make_appearance(closing, ana, role=Role.SPEAKER)
    return event


def _items(event):
    panel, closing = sorted(event.sessions[0].items, key=lambda item: item.starts_at)
    return panel, closing


def _sent(after: int = 0) -> list[tuple]:
    """(to, kind, subject, iTIP method) of each message queued after the id `after`."""
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id))
    return sorted((m.to_address, m.kind, m.subject, m.ics_method) for m in rows)


def _last_id() -> int:
    return db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0


def _ics(to: str, subject: str) -> tuple[str, int, str]:
    """(UID, SEQUENCE, METHOD) of the latest message to `to` with `subject`."""
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == to, OutboxMessage.subject == subject)
        .order_by(OutboxMessage.id.desc())
    ).first()
    text = message.ics.replace("\r\n ", "")
    return (
        re.search(r"^UID:(.+)\r$", text, re.M)[1],
        int(re.search(r"^SEQUENCE:(\d+)\r$", text, re.M)[1]),
        re.search(r"^METHOD:(.+)\r$", text, re.M)[1],
    )


def _publish(event, organiser):
    preview = reach.who_is_told_of_publishing(event)
    before = _last_id()
    agenda.publish_event(event, by=organiser, now=NOW)
    db.session.commit()
    return preview, _sent(before)


def _back_to_draft(event, organiser):
    agenda.set_event_status(event, EventStatus.DRAFT, by=organiser, now=NOW)
    db.session.commit()


def _changes(preview) -> list[tuple]:
    return [(p.address, s.item_title, s.change) for p in preview.told for s in p.changes]


def test_first_publish_sends_each_person_with_an_address_the_invite_of_each_slot(organiser, event):
    preview, sent = _publish(event, organiser)

    assert sent == [
        ("ana@example.org", "speaker_invite", "You are in the programme: Closing", "REQUEST"),
        ("ana@example.org", "speaker_invite", "You are in the programme: Panel", "REQUEST"),
        ("bo@example.org", "speaker_invite", "You are in the programme: Panel", "REQUEST"),
    ]
    assert _changes(preview) == [
        ("ana@example.org", "Panel", "added"),
        ("ana@example.org", "Closing", "added"),
        ("bo@example.org", "Panel", "added"),
    ]
    assert (preview.people, preview.emails) == (2, 3)
    assert [(p.name, [s.item_title for s in p.slots]) for p in preview.not_told] == [("Ms Cy Dorn", ["Panel"])]
    panel, _ = _items(event)
    ana_panel = next(a for a in panel.appearances if a.person.email == "ana@example.org")
    assert _ics("ana@example.org", "You are in the programme: Panel") == (
        f"{ana_panel.uid}@events.example.org",
        ana_panel.sequence,
        "REQUEST",
    )
    body = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.to_address == "bo@example.org")).one()
    assert 'You are in the programme of MPF Exchange Event: "Panel" (panellist) in Morning,' in body
    assert event.status == EventStatus.PUBLISHED


def test_publishing_again_with_nothing_changed_sends_nothing(organiser, event):
    _publish(event, organiser)
    _back_to_draft(event, organiser)

    preview, sent = _publish(event, organiser)

    assert sent == []
    assert (preview.told, preview.people, preview.emails) == ((), 0, 0)


def test_publishing_again_after_a_move_in_the_draft_sends_the_updates_of_the_moved_slot_only(organiser, event):
    _publish(event, organiser)
    _back_to_draft(event, organiser)
    panel, _ = _items(event)
    first = _ics("bo@example.org", "You are in the programme: Panel")
    before = _last_id()
    agenda.update_item(panel, by=organiser, now=NOW, starts_at=at(10), ends_at=at(10, 45))
    db.session.commit()
    assert _sent(before) == []  # a draft tells nobody

    preview, sent = _publish(event, organiser)

    assert sent == [
        ("ana@example.org", "speaker_update", "Your slot has been moved: Panel", "REQUEST"),
        ("bo@example.org", "speaker_update", "Your slot has been moved: Panel", "REQUEST"),
    ]
    assert _changes(preview) == [("ana@example.org", "Panel", "moved"), ("bo@example.org", "Panel", "moved")]
    # Ana's unchanged closing (now before the panel) is listed, and not sent.
    assert [(s.item_title, s.change) for s in preview.told[0].slots] == [("Closing", None), ("Panel", "moved")]
    uid, sequence, method = _ics("bo@example.org", "Your slot has been moved: Panel")
    assert (uid, method) == (first[0], "REQUEST") and sequence > first[1]


def test_publishing_again_after_a_new_slot_in_the_draft_sends_its_invite_only(organiser, event):
    _publish(event, organiser)
    _back_to_draft(event, organiser)
    _, closing = _items(event)
    bo = next(p for p in event.people if p.email == "bo@example.org")
    agenda.add_appearance(closing, bo, Role.SPEAKER, by=organiser, now=NOW)
    db.session.commit()

    preview, sent = _publish(event, organiser)

    assert sent == [("bo@example.org", "speaker_invite", "You are in the programme: Closing", "REQUEST")]
    assert _changes(preview) == [("bo@example.org", "Closing", "added")]


def test_publishing_again_after_a_person_was_removed_sends_them_the_cancellation(organiser, event):
    _publish(event, organiser)
    _back_to_draft(event, organiser)
    first = _ics("bo@example.org", "You are in the programme: Panel")
    bo = next(p for p in event.people if p.email == "bo@example.org")
    db.session.delete(bo)  # the person and their appearance go
    db.session.commit()

    preview, sent = _publish(event, organiser)

    assert sent == [("bo@example.org", "speaker_cancel", "Your slot has been cancelled: Panel", "CANCEL")]
    assert _changes(preview) == [("bo@example.org", "Panel", "cancelled")]
    assert [p.name for p in preview.told] == ["Mr Bo Berg"]
    uid, sequence, method = _ics("bo@example.org", "Your slot has been cancelled: Panel")
    assert (uid, method, sequence) == (first[0], "CANCEL", first[1] + 1)
    body = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.kind == "speaker_cancel")).one()
    assert 'Your slot "Panel" (panellist) in Morning, MPF Exchange Event, is no longer in the programme.' in body
    # Told once: publishing again sends the cancellation no more.
    _back_to_draft(event, organiser)
    assert _publish(event, organiser)[1] == []


def test_publishing_again_after_a_slot_was_taken_out_in_the_draft_cancels_it(organiser, event):
    _publish(event, organiser)
    _back_to_draft(event, organiser)
    panel, _ = _items(event)
    ana_panel = next(a for a in panel.appearances if a.person.email == "ana@example.org")
    agenda.remove_appearance(ana_panel, by=organiser, now=NOW)
    db.session.commit()

    preview, sent = _publish(event, organiser)

    assert sent == [("ana@example.org", "speaker_cancel", "Your slot has been cancelled: Panel", "CANCEL")]
    assert [(s.item_title, s.change) for s in preview.told[0].slots] == [("Panel", "cancelled"), ("Closing", None)]


def test_a_change_emailed_while_published_is_not_sent_again_on_republishing(organiser, event):
    _publish(event, organiser)
    panel, _ = _items(event)
    before = _last_id()
    agenda.update_item(panel, by=organiser, now=NOW, starts_at=at(10), ends_at=at(10, 45))
    db.session.commit()
    assert [row[:2] for row in _sent(before)] == [
        ("ana@example.org", "speaker_update"),
        ("bo@example.org", "speaker_update"),
    ]
    _back_to_draft(event, organiser)

    preview, sent = _publish(event, organiser)

    assert sent == []
    assert preview.told == ()


def test_a_renamed_item_in_the_draft_sends_an_update_saying_it_changed(organiser, event):
    _publish(event, organiser)
    _back_to_draft(event, organiser)
    _, closing = _items(event)
    agenda.update_item(closing, by=organiser, now=NOW, title="Closing remarks")
    db.session.commit()

    _, sent = _publish(event, organiser)

    assert sent == [("ana@example.org", "speaker_update", "Your slot has changed: Closing remarks", "REQUEST")]


def test_the_person_without_an_address_is_told_nothing_and_listed_as_not_told(organiser, event):
    preview, sent = _publish(event, organiser)

    assert "Ms Cy Dorn" not in {p.name for p in preview.told}
    assert [p.address for p in preview.not_told] == [None]
    assert all(to != "" for to, *_ in sent)
    notices = db.session.scalars(select(SlotNotice.to_address).order_by(SlotNotice.id))
    assert sorted(notices) == ["ana@example.org", "ana@example.org", "bo@example.org"]


def test_the_cancellation_of_a_gone_slot_is_written_in_the_speakers_language(organiser, event):
    """Bo last used his speaker pages in French: the calendar cancellation of his removed slot says so in French,
    with the words of his invites (its SUMMARY and DESCRIPTION), as the email around it does."""
    from app.models import Speaker

    _publish(event, organiser)
    _back_to_draft(event, organiser)
    db.session.add(Speaker(email="bo@example.org", language="fr"))
    bo = next(p for p in event.people if p.email == "bo@example.org")
    db.session.delete(bo)
    db.session.commit()

    _publish(event, organiser)

    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "speaker_cancel")).one()
    ics = message.ics.replace("\r\n ", "")
    assert "SUMMARY:Panel (Panéliste)" in ics
    assert "DESCRIPTION:Séance\u00a0: Morning\\nÉvénement\u00a0: MPF Exchange Event" in ics
    assert "Session: " not in ics
