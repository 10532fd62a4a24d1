"""Who is told of a change: the preview an organiser sees before saving counts exactly the emails that saving
queues, for attendees and speakers alike."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.agenda import reach
from app.agenda import services as agenda
from app.extensions import db
from app.models import AttendeeGroup, EventStatus, OutboxMessage
from app.registration import services as registration_services
from tests.factories import DAY, at, make_appearance, make_item, make_online_session, make_person, make_registration
from tests.http.conftest import make_organiser

NOW = at(9, day=DAY - timedelta(days=10))
#: The outbox kinds that tell someone of a change (reminders queued with an update are not a message of it).
ATTENDEE_UPDATE, WAITLIST_UPDATE, SPEAKER_UPDATE = "update", "waitlist_update", "speaker_update"


@pytest.fixture
def organiser(app_context):
    return make_organiser()


@pytest.fixture
def session(organiser):
    """Two seats taken, one person waiting, one anonymised registration; a panel with two speakers with an
    address (one of them also closes the session) and one without."""
    session = make_online_session(capacity=2, title="Looking Ahead")
    for n, name in enumerate(("Ana", "Bo", "Cleo")):
        registration_services.register_attendee(
            session,
            full_name=f"{name} Example",
            email=f"{name.lower()}@example.com",
            organisation="Agency",
            group=AttendeeGroup.PARTNER_COUNTRY,
            question="",
            consent=True,
            now=NOW + timedelta(days=n),
        )
    make_registration(session, full_name="", email="gone@example.com", anonymised_at=NOW)
    event = session.event
    panel = make_item(session, title="Panel", starts_at=at(8), ends_at=at(8, 45))
    moderator = make_person(event, email="mod@example.org")
    make_appearance(panel, moderator)
    make_appearance(panel, make_person(event, email="pan@example.org"))
    make_appearance(panel, make_person(event, email=None))
    closing = make_item(session, title="Closing", starts_at=at(8, 45), ends_at=at(9))
    make_appearance(closing, moderator)
    db.session.execute(OutboxMessage.__table__.delete())  # the confirmations; the tests look at what follows
    db.session.commit()
    return session


def _queued() -> Counter:
    return Counter(db.session.scalars(select(OutboxMessage.kind)))


def _update_and_count(session, organiser, **values) -> tuple[reach.Reach, Counter]:
    preview = reach.who_is_told(session, **values)
    agenda.update_session(session, by=organiser, now=NOW, **values)
    return preview, _queued()


def test_who_is_told_of_a_move_counts_the_updates_queued(organiser, session):
    preview, queued = _update_and_count(session, organiser, starts_at=at(10), ends_at=at(11, 30))

    # Ana and Bo get the invite, Cleo (waiting) a note; the anonymised registration reaches nobody; the
    # moderator once per slot.
    assert preview == reach.Reach(confirmed=2, waitlisted=1, speakers=3)
    assert (queued[ATTENDEE_UPDATE], queued[WAITLIST_UPDATE], queued[SPEAKER_UPDATE]) == (
        preview.confirmed,
        preview.waitlisted,
        preview.speakers,
    )
    waiting = db.session.scalars(select(OutboxMessage.to_address).where(OutboxMessage.kind == WAITLIST_UPDATE))
    assert list(waiting) == ["cleo@example.com"]


def test_who_is_told_of_a_move_without_its_items_leaves_the_speakers_out(organiser, session):
    preview, queued = _update_and_count(session, organiser, starts_at=at(10), ends_at=at(11, 30), move_items=False)

    assert preview == reach.Reach(confirmed=2, waitlisted=1, speakers=0)
    assert (queued[ATTENDEE_UPDATE], queued[WAITLIST_UPDATE], queued[SPEAKER_UPDATE]) == (2, 1, 0)


def test_who_is_told_of_a_join_link_change_counts_the_updates_queued(organiser, session):
    preview, queued = _update_and_count(session, organiser, join_url="https://meet.example.org/new-room")

    # The join link is for seats only: the waiting list is not told.
    assert preview == reach.Reach(confirmed=2, speakers=3)
    assert (queued[ATTENDEE_UPDATE], queued[WAITLIST_UPDATE], queued[SPEAKER_UPDATE]) == (2, 0, 3)


def test_who_is_told_of_a_title_change_is_nobody_and_nothing_is_queued(organiser, session):
    preview, queued = _update_and_count(session, organiser, title="Looking Further Ahead")

    assert preview == reach.Reach()
    assert not preview.anyone
    assert queued == Counter()


def test_who_is_told_in_a_draft_event_leaves_the_speakers_out(organiser, session):
    session.event.status = EventStatus.DRAFT
    db.session.commit()

    preview, queued = _update_and_count(session, organiser, starts_at=at(10), ends_at=at(11, 30))

    # The registrations made while it was published still hold a calendar entry: they are updated.
    assert preview == reach.Reach(confirmed=2, waitlisted=1, speakers=0)
    assert (queued[ATTENDEE_UPDATE], queued[WAITLIST_UPDATE], queued[SPEAKER_UPDATE]) == (2, 1, 0)


def test_who_is_told_of_a_cancellation_counts_the_cancellations_queued(organiser, session):
    preview = reach.who_is_told_of_cancellation(session)

    agenda.cancel_session(session, reason="", by=organiser, now=NOW)

    queued = _queued()
    assert preview == reach.Reach(confirmed=2, waitlisted=1, speakers=3)
    assert queued["session_cancelled"] == preview.confirmed + preview.waitlisted
    assert queued["speaker_cancel"] == preview.speakers


def test_who_is_told_of_moved_items_counts_the_speaker_updates_queued(organiser, session):
    panel = session.items[0]
    plan = agenda.plan_item_change(panel, at(8), at(8, 50), shift_later=True)
    preview = reach.who_is_told_of_items(list(session.items), plan)

    agenda.update_item(panel, by=organiser, now=NOW, shift_later=True, ends_at=at(8, 50))

    assert preview == reach.Reach(speakers=3)
    assert _queued()[SPEAKER_UPDATE] == preview.speakers


def test_who_is_told_of_publishing_counts_the_slot_emails_queued(organiser, session):
    """The published session's event back to draft, the panel moved, then published again: the preview lists
    exactly the messages publishing queues (nobody was sent the draft's slots before: all are invites)."""
    event = session.event
    agenda.set_event_status(event, EventStatus.DRAFT, by=organiser, now=NOW)
    preview = reach.who_is_told_of_publishing(event)

    agenda.publish_event(event, by=organiser, now=NOW)

    shown = Counter((p.address, slot.change) for p in preview.told for slot in p.changes)
    queued = Counter(
        (row.to_address, "added" if row.kind == "speaker_invite" else row.kind)
        for row in db.session.scalars(select(OutboxMessage))
    )
    assert shown == queued == Counter({("mod@example.org", "added"): 2, ("pan@example.org", "added"): 1})
    assert preview.emails == 3
    assert [len(p.slots) for p in preview.not_told] == [1]


def test_who_is_told_of_publishing_again_counts_the_updates_queued(organiser, session):
    event = session.event
    agenda.set_event_status(event, EventStatus.DRAFT, by=organiser, now=NOW)
    agenda.publish_event(event, by=organiser, now=NOW)
    agenda.set_event_status(event, EventStatus.DRAFT, by=organiser, now=NOW)
    panel = session.items[0]
    agenda.update_item(panel, by=organiser, now=NOW, starts_at=at(8, 5), ends_at=at(8, 45))
    db.session.execute(OutboxMessage.__table__.delete())
    preview = reach.who_is_told_of_publishing(event)

    agenda.publish_event(event, by=organiser, now=NOW)

    shown = Counter((p.address, slot.change) for p in preview.told for slot in p.changes)
    queued = Counter((row.to_address, row.kind) for row in db.session.scalars(select(OutboxMessage)))
    assert shown == Counter({("mod@example.org", "moved"): 1, ("pan@example.org", "moved"): 1})
    assert queued == Counter({("mod@example.org", SPEAKER_UPDATE): 1, ("pan@example.org", SPEAKER_UPDATE): 1})
