"""The activity log: each change records exactly one entry (who, when, what, which event), a refused change
records nothing, and no entry holds an attendee's name or address."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.activity import CommandActor, SystemActor, record
from app.agenda import services as agenda
from app.errors import DomainError
from app.extensions import db
from app.mail.outbox import enqueue_message
from app.models import (
    ActivityEntry,
    ActorKind,
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    Organiser,
    OutboxStatus,
    Person,
    Registration,
    Role,
)
from app.organiser import reports
from app.organiser import services as accounts
from app.registration import listing as organiser_registrations
from app.registration import services as registration_services
from app.speakers import services as speaker_services
from app.transaction import use_case
from tests.factories import (
    DAY,
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_speaker,
)
from tests.http.conftest import make_organiser

NOW = at(9, day=DAY - timedelta(days=10))
LATER = NOW + timedelta(hours=1)
#: Attendees' names and addresses that must never reach the log.
ATTENDEES = [("Zofia Quintanilla", "zofia.quintanilla@example.com"), ("Yusuf Okonkwo", "yusuf.okonkwo@example.com")]


@dataclass
class World:
    organiser: Organiser
    event: Event
    session: EventSession
    item: AgendaItem
    other_item: AgendaItem
    person: Person
    newcomer: Person
    appearance: Appearance
    confirmed: list[Registration]
    waiting: Registration


@pytest.fixture
def w(app_context) -> World:
    """A published event of Olga's: an online session with 2 seats taken by Zofia and Yusuf and one person
    waiting, two items, Dr Ana Silva speaking in the first; Ben Okafor in no item yet."""
    organiser = make_organiser("olga@example.org", name="Olga Organiser")
    event = make_event(title="MPF Exchange Event", slug="mpf")
    organiser.events.append(event)
    session = make_online_session(event, capacity=2, title="Looking Ahead")
    item = make_item(session, title="Panel", starts_at=at(8), ends_at=at(8, 45))
    other_item = make_item(session, title="Questions", starts_at=at(8, 45), ends_at=at(9, 30))
    person = make_person(event, honorific="Dr", name="Ana Silva")
    newcomer = make_person(event, honorific="Mr", name="Ben Okafor")
    appearance = make_appearance(item, person)
    confirmed = [_register(session, name, email) for name, email in ATTENDEES]
    waiting = _register(session, "Xavier Lindqvist", "xavier.lindqvist@example.com")
    db.session.execute(ActivityEntry.__table__.delete())  # the registrations above; the tests look at what follows
    db.session.commit()
    return World(organiser, event, session, item, other_item, person, newcomer, appearance, confirmed, waiting)


def _register(session: EventSession, name: str, email: str) -> Registration:
    return registration_services.register_attendee(
        session, full_name=name, email=email, question="Will the slides be shared?", consent=True, now=NOW
    ).registration


def _entries() -> list[ActivityEntry]:
    return list(db.session.scalars(select(ActivityEntry).order_by(ActivityEntry.id)))


def _organiser(w: World) -> tuple:
    return ActorKind.ORGANISER, w.organiser.id, "Olga Organiser"


def _speaker_row(w: World):
    """The speaker (their address) who acts on the speaker pages; the log names their record in the event."""
    return speaker_services.find_speaker(w.person.email) or make_speaker(w.person.email)


def _speaker(w: World) -> tuple:
    return ActorKind.SPEAKER, w.person.id, "Dr Ana Silva"


def _attendee(registration: Registration) -> tuple:
    return ActorKind.ATTENDEE, registration.id, f"Attendee of registration {registration.id}"


# Each case makes one change and returns (actor, action, event, summary, (target type, target id)).


def create_event(w):
    event = agenda.create_event(
        by=w.organiser, now=NOW, title="Follow-up day", timezone="UTC", starts_on=DAY, ends_on=DAY
    )
    return _organiser(w), "event.created", event, "Created the event “Follow-up day” as a draft.", ("event", event.id)


def update_event(w):
    agenda.update_event(w.event, by=w.organiser, now=NOW, title="MPF Exchange 2030", venue="Luxembourg")
    return _organiser(w), "event.updated", w.event, "Changed the event's title, venue.", ("event", w.event.id)


def event_back_to_draft(w):
    agenda.set_event_status(w.event, EventStatus.DRAFT, by=w.organiser, now=NOW)
    summary = "Returned the event to draft: the public no longer sees it."
    return _organiser(w), "event.draft", w.event, summary, ("event", w.event.id)


def publish_event(w):
    w.event.status = EventStatus.DRAFT
    db.session.commit()
    agenda.publish_event(w.event, by=w.organiser, now=NOW)
    summary = "Published the event. Emailed 1 slot message to 1 person."
    return _organiser(w), "event.published", w.event, summary, ("event", w.event.id)


def create_session(w):
    session = agenda.create_session(w.event, by=w.organiser, now=NOW, title="Morning", starts_at=at(7), ends_at=at(8))
    summary = "Added the session “Morning” (Wednesday 30 October 2030, 08:00–09:00 CET)."
    return _organiser(w), "session.created", w.event, summary, ("session", session.id)


def rename_session(w):
    agenda.update_session(w.session, by=w.organiser, now=NOW, title="Looking Ahead, online", location="Online")
    summary = "Changed the title, location of the session “Looking Ahead, online”."
    return _organiser(w), "session.updated", w.event, summary, ("session", w.session.id)


def move_session(w):
    agenda.update_session(w.session, by=w.organiser, now=NOW, starts_at=at(10), ends_at=at(11, 30))
    summary = (
        "Moved the session “Looking Ahead” from Wednesday 30 October 2030, 09:00–10:30 CET "
        "to Wednesday 30 October 2030, 11:00–12:30 CET."
    )
    return _organiser(w), "session.moved", w.event, summary, ("session", w.session.id)


def change_capacity(w):
    registration_services.change_capacity(w.session, 3, by=w.organiser, now=NOW)
    summary = (
        "Changed the capacity of “Looking Ahead” from 2 to 3; "
        f"moved up from the waiting list: registration {w.waiting.id}."
    )
    return _organiser(w), "session.capacity_changed", w.event, summary, ("session", w.session.id)


def change_join_link(w):
    agenda.update_session(w.session, by=w.organiser, now=NOW, join_url="https://meet.example.org/new-room")
    summary = "Changed the join link of “Looking Ahead”."
    return _organiser(w), "session.join_link_changed", w.event, summary, ("session", w.session.id)


def cancel_session(w):
    agenda.cancel_session(w.session, reason="The panel cannot attend.", by=w.organiser, now=NOW)
    summary = "Called off the session “Looking Ahead”; 3 registrants told. Reason: The panel cannot attend."
    return _organiser(w), "session.cancelled", w.event, summary, ("session", w.session.id)


def create_item(w):
    item = agenda.create_item(w.session, by=w.organiser, now=NOW, title="Wrap-up", starts_at=at(9), ends_at=at(9, 30))
    summary = "Added “Wrap-up” (10:00–10:30 CET) to “Looking Ahead”."
    return _organiser(w), "item.created", w.event, summary, ("item", item.id)


def move_item(w):
    agenda.update_item(w.item, by=w.organiser, now=NOW, ends_at=at(9), shift_later=True)
    summary = "Changed the ends at of “Panel” (now 09:00–10:00 CET); 1 later item moved with it."
    return _organiser(w), "item.updated", w.event, summary, ("item", w.item.id)


def reorder_item(w):
    agenda.reorder_item(w.item, "down", by=w.organiser, now=NOW)
    summary = "Moved “Panel” down, swapping it with “Questions”."
    return _organiser(w), "item.reordered", w.event, summary, ("item", w.item.id)


def delete_item(w):
    item_id = w.other_item.id
    agenda.delete_item(w.other_item, by=w.organiser, now=NOW)
    return _organiser(w), "item.deleted", w.event, "Removed “Questions” from “Looking Ahead”.", ("item", item_id)


def create_person(w):
    person = agenda.create_person(by=w.organiser, now=NOW, event=w.event, name="Carla Mendes", email="c@example.org")
    return _organiser(w), "person.created", w.event, "Added Carla Mendes to the people.", ("person", person.id)


def update_person(w):
    agenda.update_person(w.person, by=w.organiser, now=NOW, organisation="Frontex", position="Director")
    summary = "Changed the position, organisation of Dr Ana Silva."
    return _organiser(w), "person.updated", w.event, summary, ("person", w.person.id)


def add_appearance(w):
    appearance = agenda.add_appearance(w.item, w.newcomer, Role.MODERATOR, by=w.organiser, now=NOW)
    summary = "Put Mr Ben Okafor in “Panel” as moderator."
    return _organiser(w), "appearance.added", w.event, summary, ("appearance", appearance.id)


def remove_appearance(w):
    appearance_id = w.appearance.id
    agenda.remove_appearance(w.appearance, by=w.organiser, now=NOW)
    summary = "Took Dr Ana Silva out of “Panel”."
    return _organiser(w), "appearance.removed", w.event, summary, ("appearance", appearance_id)


def organiser_cancels_registration(w):
    leaving = w.confirmed[0]
    registration_services.cancel_registration(leaving, by=w.organiser, now=LATER)
    summary = (
        f"Cancelled registration {leaving.id} for “Looking Ahead”; "
        f"moved up from the waiting list: registration {w.waiting.id}."
    )
    return _organiser(w), "registration.cancelled", w.event, summary, ("registration", leaving.id)


def promote_registration(w):
    w.session.capacity = 3  # a seat appears without the automatic promotion (set directly)
    db.session.commit()
    registration_services.promote_registration(w.waiting, by=w.organiser, now=NOW)
    summary = f"Gave registration {w.waiting.id} a seat in “Looking Ahead”, out of turn."
    return _organiser(w), "registration.promoted", w.event, summary, ("registration", w.waiting.id)


def message_registrants(w):
    organiser_registrations.message_registrants(
        w.session, audience="confirmed", subject="Slides", body="Here they are.", by=w.organiser, now=NOW
    )
    summary = "Sent “Slides” to 2 confirmed registrants of “Looking Ahead”."
    return _organiser(w), "session.message_sent", w.event, summary, ("session", w.session.id)


def resend_message(w):
    message = enqueue_message(
        kind="organiser_message",
        to_address="zofia.quintanilla@example.com",
        subject="Slides",
        body_text="Hi",
        event=w.event,
        not_before=NOW,
    )
    message.status = OutboxStatus.FAILED
    db.session.commit()
    reports.resend_message(message, by=w.organiser, now=NOW)
    summary = f"Queued the failed message {message.id} (organiser_message) again."
    return _organiser(w), "message.resent", w.event, summary, ("message", message.id)


def send_sign_in_link(w):
    speaker_services.send_sign_in_link(w.person, by=w.organiser, now=NOW)
    summary = "Sent Dr Ana Silva a sign-in link to the speaker pages."
    return _organiser(w), "person.sign_in_link_sent", w.event, summary, ("person", w.person.id)


def grant_event(w):
    colleague = make_organiser("pia@example.org", name="Pia")
    accounts.add_event_organiser(w.event, "pia@example.org", by=w.organiser, now=NOW)
    summary = "Listed Pia as an organiser of the event."
    return _organiser(w), "event.organiser_added", w.event, summary, ("organiser", colleague.id)


def speaker_answers(w):
    speaker_services.respond_to_slot(w.appearance, response="declined", note="On leave", by=_speaker_row(w), now=NOW)
    summary = "Dr Ana Silva declined “Panel” with a note."
    return _speaker(w), "appearance.answered", w.event, summary, ("appearance", w.appearance.id)


def speaker_profile(w):
    speaker_services.update_profile(
        _speaker_row(w),
        honorific="Prof",
        name="Ana Silva",
        position="",
        organisation="",
        bio="Migration law.",
        by=_speaker_row(w),
        now=NOW,
    )
    summary = "Prof Ana Silva changed their honorific, position, organisation, bio on the speaker pages."
    actor = (ActorKind.SPEAKER, w.person.id, "Prof Ana Silva")
    return actor, "person.profile_updated", w.event, summary, ("person", w.person.id)


def speaker_feed_reset(w):
    speaker_services.reset_feed_token(_speaker_row(w), now=NOW)
    summary = "Dr Ana Silva made a new private calendar feed address; the old one stopped working."
    return _speaker(w), "person.feed_reset", w.event, summary, ("person", w.person.id)


def attendee_registers(w):
    registration = _register(w.session, "Wanda Nakamura", "wanda.nakamura@example.com")
    summary = f"Registration {registration.id} for “Looking Ahead”: place 2 on the waiting list."
    return _attendee(registration), "registration.created", w.event, summary, ("registration", registration.id)


def attendee_updates(w):
    mine = w.confirmed[1]
    registration_services.update_registration(
        mine, full_name="Yusuf O.", organisation="IOM", group="other", question="", accessibility_needs="", now=NOW
    )
    summary = f"Registration {mine.id} for “Looking Ahead”: the attendee changed their details."
    return _attendee(mine), "registration.updated", w.event, summary, ("registration", mine.id)


def attendee_cancels(w):
    mine = w.confirmed[1]
    registration_services.cancel_registration(mine, now=LATER)
    summary = (
        f"The attendee cancelled registration {mine.id} for “Looking Ahead”; "
        f"moved up from the waiting list: registration {w.waiting.id}."
    )
    return _attendee(mine), "registration.cancelled", w.event, summary, ("registration", mine.id)


def command_disables_organiser(w):
    accounts.disable_organiser("olga@example.org", by=CommandActor("flask organisers disable"), now=NOW)
    summary = "Disabled the organiser account olga@example.org."
    actor = (ActorKind.COMMAND, None, "flask organisers disable")
    return actor, "organiser.disabled", w.event, summary, ("organiser", w.organiser.id)


def command_creates_organiser(w):
    made = accounts.create_organiser(
        "rui@example.org", "a long enough password", by=CommandActor("flask organisers create"), now=NOW
    )
    actor = (ActorKind.COMMAND, None, "flask organisers create")
    return actor, "organiser.created", None, "Created the organiser account rui@example.org.", ("organiser", made.id)


CASES = [
    create_event,
    update_event,
    event_back_to_draft,
    publish_event,
    create_session,
    rename_session,
    move_session,
    change_capacity,
    change_join_link,
    cancel_session,
    create_item,
    move_item,
    reorder_item,
    delete_item,
    create_person,
    update_person,
    add_appearance,
    remove_appearance,
    organiser_cancels_registration,
    promote_registration,
    message_registrants,
    resend_message,
    send_sign_in_link,
    grant_event,
    speaker_answers,
    speaker_profile,
    speaker_feed_reset,
    attendee_registers,
    attendee_updates,
    attendee_cancels,
    command_disables_organiser,
    command_creates_organiser,
]


@pytest.mark.parametrize("change", CASES, ids=[case.__name__ for case in CASES])
def test_each_change_records_exactly_one_entry_with_its_actor_action_event_and_summary(w, change):
    (kind, actor_id, label), action, event, summary, target = change(w)

    db.session.expire_all()
    [entry] = _entries()
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == (kind, actor_id, label)
    assert (entry.action, entry.event_id, entry.summary) == (action, event.id if event else None, summary)
    assert (entry.target_type, entry.target_id) == target
    assert entry.at == (LATER if "cancels" in change.__name__ else NOW)


def _refused_cases(w: World):
    yield lambda: agenda.update_event(w.event, by=w.organiser, now=NOW, timezone="Mars/Olympus")
    yield lambda: agenda.create_item(w.session, by=w.organiser, now=NOW, title=" ", starts_at=at(8), ends_at=at(9))
    yield lambda: agenda.add_appearance(w.item, w.person, Role.SPEAKER, by=w.organiser, now=NOW)
    yield lambda: agenda.reorder_item(w.other_item, "down", by=w.organiser, now=NOW)
    yield lambda: registration_services.change_capacity(w.session, 1, by=w.organiser, now=NOW)
    yield lambda: agenda.update_session(w.session, by=w.organiser, now=NOW, capacity=1)
    yield lambda: registration_services.promote_registration(w.waiting, by=w.organiser, now=NOW)
    yield lambda: registration_services.register_attendee(
        w.session, full_name="Zofia Quintanilla", email="zofia.quintanilla@example.com", consent=True, now=NOW
    )
    yield lambda: speaker_services.respond_to_slot(w.appearance, response="maybe", note="", by=_speaker_row(w), now=NOW)
    yield lambda: accounts.create_organiser("olga@example.org", "a long enough password", by=w.organiser, now=NOW)


def test_a_refused_change_records_nothing(w):
    refused = 0
    for attempt in _refused_cases(w):
        with pytest.raises(DomainError):
            attempt()
        db.session.rollback()
        refused += 1

    assert (refused, _entries()) == (10, [])
    assert db.session.get(Event, w.event.id).timezone == "Europe/Brussels"


def test_a_change_whose_commit_fails_leaves_no_entry(w):
    def refuse_commit(_session):
        raise RuntimeError("the database refused the commit")

    sa_event.listen(db.session, "before_commit", refuse_commit)
    try:
        with pytest.raises(RuntimeError), use_case():
            agenda.update_event(w.event, by=w.organiser, now=NOW, title="Never saved")
    finally:
        sa_event.remove(db.session, "before_commit", refuse_commit)
    db.session.rollback()

    assert _entries() == []
    assert db.session.get(Event, w.event.id).title == "MPF Exchange Event"


def test_saving_without_changes_records_nothing(w):
    agenda.update_event(w.event, by=w.organiser, now=NOW, title=w.event.title, venue=w.event.venue)
    agenda.update_session(w.session, by=w.organiser, now=NOW, title=w.session.title)
    agenda.update_item(w.item, by=w.organiser, now=NOW, title=w.item.title)

    assert _entries() == []


def test_no_entry_holds_an_attendees_name_or_email(w):
    """A whole registration life: register, update, cancel, promotion, a message, organiser actions."""
    for case in (attendee_registers, attendee_updates, attendee_cancels, organiser_cancels_registration):
        case(w)
    message_registrants(w)
    registration_services.change_capacity(w.session, 5, by=w.organiser, now=NOW)
    entries = _entries()

    texts = " ".join(f"{e.actor_label} {e.summary} {e.action} {e.target_type}" for e in entries).lower()
    assert len(entries) == 6
    people = [*ATTENDEES, ("Xavier Lindqvist", "xavier.lindqvist@example.com")]
    people.append(("Wanda Nakamura", "wanda.nakamura@example.com"))
    for name, email in people:
        for part in (*name.lower().split(), email, email.split("@")[0]):
            assert part not in texts, part
    assert "@" not in texts
    assert "slides be shared" not in texts  # nor their questions


def test_an_entry_outlives_its_registration_and_goes_with_its_event(w):
    registration_services.cancel_registration(w.confirmed[0], by=w.organiser, now=LATER)
    db.session.delete(db.session.get(Registration, w.confirmed[0].id))
    db.session.commit()
    assert [e.target_id for e in _entries()] == [w.confirmed[0].id]

    db.session.delete(db.session.get(Event, w.event.id))
    db.session.commit()
    assert _entries() == []


def test_a_system_actor_is_recorded_by_name(w):
    record(by=SystemActor("retention"), event=w.event, action="registration.anonymised", summary="x", now=NOW)
    db.session.commit()

    [entry] = _entries()
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == (ActorKind.SYSTEM, None, "retention")


def test_record_refuses_a_change_without_an_actor(w):
    with pytest.raises(TypeError, match="who made this change"):
        record(by=None, event=w.event, action="event.updated", summary="x", now=NOW)


# --- commands ---------------------------------------------------------------------------------------


def _by_command() -> list[tuple]:
    db.session.remove()
    return [
        (e.actor_kind, e.actor_label, e.action, e.event_id) for e in _entries() if e.actor_kind == ActorKind.COMMAND
    ]


def test_organiser_commands_record_their_command_line(w, runner):
    password = "a long enough password\n" * 2
    event_id = w.event.id
    created = runner.invoke(args=["organisers", "create", "rui@example.org"], input=password)
    granted = runner.invoke(args=["organisers", "grant", "rui@example.org", "mpf"])
    disabled = runner.invoke(args=["organisers", "disable", "rui@example.org"])

    assert [r.exit_code for r in (created, granted, disabled)] == [0, 0, 0]
    assert _by_command() == [
        (ActorKind.COMMAND, "flask organisers create", "organiser.created", None),
        (ActorKind.COMMAND, "flask organisers grant", "event.organiser_added", event_id),
        (ActorKind.COMMAND, "flask organisers disable", "organiser.disabled", event_id),
    ]


def test_a_refused_command_records_nothing(w, runner):
    result = runner.invoke(args=["organisers", "grant", "nobody@example.org", "mpf"])

    assert result.exit_code == 1
    assert _by_command() == []


def test_speakers_send_link_records_the_command_on_the_speakers_event(w, runner):
    event_id = w.event.id
    result = runner.invoke(args=["speakers", "send-link", w.person.email])

    assert result.exit_code == 0, result.output
    assert _by_command() == [(ActorKind.COMMAND, "flask speakers send-link", "person.sign_in_link_sent", event_id)]


def test_demo_load_records_one_entry_for_the_event_and_none_the_second_time(app_context, runner):
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])

    assert (first.exit_code, second.exit_code) == (0, 0)
    event_id = db.session.scalar(select(Event.id).where(Event.slug == "mpf-exchange-event"))
    assert _by_command() == [(ActorKind.COMMAND, "flask demo load", "event.loaded", event_id)]


def test_demo_synth_records_one_entry_for_the_event_and_none_the_second_time(app_context, runner):
    args = ["demo", "synth", "--slug", "tiny", "--items", "4", "--sessions", "2", "--people", "3"]
    first = runner.invoke(args=[*args, "--registrations", "5"])
    second = runner.invoke(args=[*args, "--registrations", "5"])

    assert (first.exit_code, second.exit_code) == (0, 0), first.output
    event_id = db.session.scalar(select(Event.id).where(Event.slug == "tiny"))
    assert _by_command() == [(ActorKind.COMMAND, "flask demo synth", "event.generated", event_id)]
    [entry] = _entries()
    assert entry.summary == "Generated the event for load tests: 4 items, 3 people, 5 registrations."
