"""Speakers' slots, answers, time zone, profile and questions, on the services."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import AppearanceResponse, EventStatus, ItemKind, Person, RegistrationStatus, Role, SessionStatus
from app.speakers import services
from tests.factories import (
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_session,
)

NOW = at(7)


@pytest.fixture
def panel(app_context):
    """A session with an opening, a panel (moderator and two panellists) and a closing item."""
    event = make_event(venue="Brussels, Residence Palace", timezone="Europe/Brussels")
    session = make_session(event, title="Morning", starts_at=at(8), ends_at=at(11), location="Plenary room")
    opening = make_item(session, title="Opening", starts_at=at(8), ends_at=at(9))
    panel_item = make_item(session, title="Looking Ahead", kind=ItemKind.PANEL, starts_at=at(9), ends_at=at(10))
    closing = make_item(session, title="Closing", starts_at=at(10), ends_at=at(11))
    moderator = make_person(name="Borut Erzen", honorific="Mr")
    panellist = make_person(name="Erik Silfversten", honorific="Mr")
    other = make_person(name="Silvia Carta")
    make_appearance(panel_item, moderator, role=Role.MODERATOR)
    own = make_appearance(panel_item, panellist, role=Role.PANELLIST)
    make_appearance(panel_item, other, role=Role.PANELLIST)
    return dict(
        event=event,
        session=session,
        opening=opening,
        panel=panel_item,
        closing=closing,
        moderator=moderator,
        panellist=panellist,
        other=other,
        own=own,
    )


def test_list_slots_names_the_others_with_roles_and_the_items_before_and_after(panel):
    slots = services.list_slots(panel["panellist"])

    assert len(slots) == 1
    slot = slots[0]
    assert slot.appearance == panel["own"]
    assert [(a.person.display_name, a.role) for a in slot.others] == [
        ("Mr Borut Erzen", Role.MODERATOR),
        ("Ms Silvia Carta", Role.PANELLIST),
    ]
    assert (slot.before, slot.after) == (panel["opening"], panel["closing"])
    assert slot.place == "Plenary room"
    assert slot.join_url is None


def test_list_slots_spans_events_in_time_order_and_leaves_out_draft_events(panel):
    person = panel["panellist"]
    later = make_item(make_session(make_event(), starts_at=at(14), ends_at=at(16)), starts_at=at(14), ends_at=at(15))
    make_appearance(later, person, role=Role.SPEAKER)
    draft = make_item(make_session(make_event(status=EventStatus.DRAFT)))
    make_appearance(draft, person)

    slots = services.list_slots(person)

    assert [s.item for s in slots] == [panel["panel"], later]
    assert [s.appearance.role for s in slots] == [Role.PANELLIST, Role.SPEAKER]


def test_list_slots_gives_the_join_link_only_for_online_sessions(panel):
    online = make_online_session(
        panel["event"], join_url="https://meet.example.org/x", starts_at=at(12), ends_at=at(13)
    )
    make_appearance(make_item(online, starts_at=at(12), ends_at=at(13)), panel["panellist"])

    slots = services.list_slots(panel["panellist"])

    assert [s.join_url for s in slots] == [None, "https://meet.example.org/x"]


def test_list_slots_runs_a_fixed_number_of_queries_however_many_slots(panel, count_queries):
    person = panel["panellist"]
    db.session.expire_all()
    with count_queries() as one_slot:
        _read_all(services.list_slots(person))
    for hour in (12, 14, 16):
        session = make_session(make_event(), starts_at=at(hour), ends_at=at(hour + 2))
        item = make_item(session, starts_at=at(hour), ends_at=at(hour + 1))
        make_item(session, starts_at=at(hour + 1), ends_at=at(hour + 2))
        make_appearance(item, make_person(), role=Role.MODERATOR)
        make_appearance(item, person)
    db.session.expire_all()

    with count_queries() as four_slots:
        slots = services.list_slots(person)
        _read_all(slots)

    assert len(slots) == 4
    assert len(four_slots) == len(one_slot) <= 5


def _read_all(slots) -> list:
    """Everything the slots page shows."""
    return [
        ([o.person.display_name for o in s.others], s.before and s.before.title, s.after and s.after.title)
        + (s.event.title, s.session.title, s.place, s.join_url)
        for s in slots
    ]


def test_get_own_appearance_hides_other_peoples_slots(panel):
    moderator_slot = panel["panel"].appearances[0]

    with pytest.raises(NotFound):
        services.get_own_appearance(panel["panellist"], moderator_slot.id)
    assert services.get_own_appearance(panel["panellist"], panel["own"].id) == panel["own"]


def test_set_speaker_timezone_remembers_a_real_zone_and_refuses_others(panel):
    person = panel["panellist"]

    services.set_speaker_timezone(person, "Asia/Karachi", now=NOW)
    with pytest.raises(ValidationFailed):
        services.set_speaker_timezone(person, "Mars/Olympus", now=NOW)

    db.session.expire_all()
    assert db.session.get(Person, person.id).timezone == "Asia/Karachi"


def test_respond_to_slot_confirms_with_a_note(panel):
    services.respond_to_slot(
        panel["own"], response="confirmed", note="  Need a lapel mic ", by=panel["panellist"], now=NOW
    )

    db.session.expire_all()
    own = db.session.get(type(panel["own"]), panel["own"].id)
    assert (own.response, own.response_note, own.responded_at) == (
        AppearanceResponse.CONFIRMED,
        "Need a lapel mic",
        NOW,
    )


def test_respond_to_slot_refuses_pending_nonsense_and_someone_elses_slot(panel):
    with pytest.raises(ValidationFailed):
        services.respond_to_slot(panel["own"], response="pending", note="", by=panel["panellist"], now=NOW)
    with pytest.raises(ValidationFailed):
        services.respond_to_slot(panel["own"], response="maybe", note="", by=panel["panellist"], now=NOW)
    with pytest.raises(NotFound):
        services.respond_to_slot(panel["own"], response="declined", note="", by=panel["other"], now=NOW)
    db.session.expire_all()
    assert db.session.get(type(panel["own"]), panel["own"].id).response == AppearanceResponse.PENDING


def test_update_profile_stores_what_the_speaker_typed(panel):
    person = panel["panellist"]

    services.update_profile(
        person,
        honorific="Dr",
        name=" Erik Silfversten ",
        position="Assistant Director",
        organisation="RAND Europe",
        bio="Works on **security**.\r\n\r\nSecond paragraph.",
        by=person,
        now=NOW,
    )

    db.session.expire_all()
    saved = db.session.get(Person, person.id)
    assert (saved.display_name, saved.affiliation, saved.bio) == (
        "Dr Erik Silfversten",
        "Assistant Director, RAND Europe",
        "Works on **security**.\n\nSecond paragraph.",
    )


def test_update_profile_of_someone_else_is_refused(panel):
    with pytest.raises(NotFound):
        services.update_profile(
            panel["other"], honorific="", name="X", position="", organisation="", bio="", by=panel["panellist"], now=NOW
        )
    assert db.session.get(Person, panel["other"].id).name == "Silvia Carta"


def test_list_questions_shows_active_non_empty_questions_of_own_online_sessions_newest_first(panel):
    person = panel["panellist"]
    online = make_online_session(panel["event"], starts_at=at(12), ends_at=at(13))
    make_appearance(make_item(online, starts_at=at(12), ends_at=at(13)), person, role=Role.PANELLIST)
    other_online = make_online_session(panel["event"], starts_at=at(14), ends_at=at(15))
    make_appearance(make_item(other_online, starts_at=at(14), ends_at=at(15)), panel["other"])
    base = at(6)
    make_registration(online, full_name="Old", question="What about AI?", created_at=base, email="old@example.com")
    make_registration(online, full_name="New", question="And Frontex?", created_at=base + timedelta(hours=1))
    make_registration(online, full_name="Silent", question="   ", created_at=base + timedelta(hours=2))
    make_registration(
        online,
        full_name="Gone",
        question="Cancelled one",
        status=RegistrationStatus.CANCELLED,
        created_at=base + timedelta(hours=3),
    )
    make_registration(
        online,
        full_name="Waiting",
        question="From the waiting list",
        status=RegistrationStatus.WAITLISTED,
        created_at=base + timedelta(hours=4),
    )
    make_registration(other_online, full_name="Elsewhere", question="Not for you")
    make_registration(panel["session"], full_name="In person", question="Not online")

    questions = services.list_questions(person)

    assert [(q.text, q.asked_by) for q in questions] == [
        ("From the waiting list", "Waiting"),
        ("And Frontex?", "New"),
        ("What about AI?", "Old"),
    ]
    assert not any("@" in value for q in questions for value in (q.text, q.asked_by, q.organisation))


def test_list_questions_leaves_out_cancelled_sessions(panel):
    person = panel["panellist"]
    online = make_online_session(panel["event"], starts_at=at(12), ends_at=at(13), status=SessionStatus.CANCELLED)
    make_appearance(make_item(online, starts_at=at(12), ends_at=at(13)), person)
    make_registration(online, question="Still there?")

    assert services.list_questions(person) == []


def test_person_query_is_case_insensitive_for_find_speaker(panel):
    panel["panellist"].email = "Erik@Example.org"
    db.session.commit()

    assert services.find_speaker("erik@example.ORG") == panel["panellist"]
    assert services.find_speaker("") is None
    assert db.session.scalar(select(Person).where(Person.email == "Erik@Example.org")) == panel["panellist"]
