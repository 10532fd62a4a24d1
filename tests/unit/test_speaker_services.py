"""Speakers' slots, answers, time zone, profile and questions, on the services."""

from datetime import timedelta

import pytest

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    AppearanceResponse,
    EventStatus,
    ItemKind,
    Person,
    RegistrationStatus,
    Role,
    SessionStatus,
    Speaker,
)
from app.speakers import services
from app.transaction import use_case
from tests.factories import (
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_person,
    make_registration,
    make_session,
    make_speaker,
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
    moderator = make_person(event, name="Borut Erzen", honorific="Mr")
    panellist = make_person(event, name="Erik Silfversten", honorific="Mr", email="erik@example.org")
    other = make_person(event, name="Silvia Carta", email="silvia@example.org")
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
        speaker=make_speaker("erik@example.org"),
        other_speaker=make_speaker("silvia@example.org"),
    )


def _record(event, person):
    """The same human's record in another event (people belong to one event)."""
    return make_person(event, name=person.name, honorific=person.honorific, email=person.email)


def test_list_slots_names_the_others_with_roles_and_the_items_before_and_after(panel):
    slots = services.list_slots(panel["speaker"])

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


def test_list_slots_gathers_the_records_with_the_speakers_email_across_events_and_leaves_out_drafts(panel):
    person = panel["panellist"]
    later = make_item(make_session(make_event(), starts_at=at(14), ends_at=at(16)), starts_at=at(14), ends_at=at(15))
    elsewhere = make_appearance(later, _record(later.session.event, person), role=Role.SPEAKER)
    draft = make_item(make_session(make_event(status=EventStatus.DRAFT)))
    make_appearance(draft, _record(draft.session.event, person))
    stranger = make_item(make_session(make_event(), starts_at=at(17), ends_at=at(18)), starts_at=at(17), ends_at=at(18))
    make_appearance(stranger, make_person(stranger.session.event, name=person.name, email="someone.else@example.org"))

    slots = services.list_slots(panel["speaker"])

    assert [s.item for s in slots] == [panel["panel"], later]
    assert [s.appearance for s in slots] == [panel["own"], elsewhere]
    assert [s.appearance.role for s in slots] == [Role.PANELLIST, Role.SPEAKER]
    assert slots[1].others == []


def test_list_slots_gives_the_join_link_only_for_online_sessions(panel):
    online = make_online_session(
        panel["event"], join_url="https://meet.example.org/x", starts_at=at(12), ends_at=at(13)
    )
    make_appearance(make_item(online, starts_at=at(12), ends_at=at(13)), panel["panellist"])

    slots = services.list_slots(panel["speaker"])

    assert [s.join_url for s in slots] == [None, "https://meet.example.org/x"]


def test_list_slots_runs_a_fixed_number_of_queries_however_many_slots(panel, count_queries):
    person, speaker = panel["panellist"], panel["speaker"]
    db.session.expire_all()
    with count_queries() as one_slot:
        _read_all(services.list_slots(speaker))
    for hour in (12, 14, 16):
        session = make_session(make_event(), starts_at=at(hour), ends_at=at(hour + 2))
        item = make_item(session, starts_at=at(hour), ends_at=at(hour + 1))
        make_item(session, starts_at=at(hour + 1), ends_at=at(hour + 2))
        make_appearance(item, make_person(session.event), role=Role.MODERATOR)
        make_appearance(item, _record(session.event, person))
    db.session.expire_all()

    with count_queries() as four_slots:
        slots = services.list_slots(speaker)
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
        services.get_own_appearance(panel["speaker"], moderator_slot.id)
    assert services.get_own_appearance(panel["speaker"], panel["own"].id) == panel["own"]


def test_get_own_appearance_finds_a_slot_of_the_speakers_record_in_another_event(panel):
    item = make_item(make_session(make_event()))
    elsewhere = make_appearance(item, _record(item.session.event, panel["panellist"]))

    assert services.get_own_appearance(panel["speaker"], elsewhere.id) == elsewhere
    with pytest.raises(NotFound):
        services.get_own_appearance(panel["other_speaker"], elsewhere.id)


def test_set_speaker_timezone_remembers_a_real_zone_and_refuses_others(panel):
    speaker = panel["speaker"]

    with use_case():
        services.set_speaker_timezone(speaker, "Asia/Karachi", now=NOW)
    with pytest.raises(ValidationFailed), use_case():
        services.set_speaker_timezone(speaker, "Mars/Olympus", now=NOW)

    db.session.expire_all()
    assert db.session.get(Speaker, speaker.id).timezone == "Asia/Karachi"


def test_respond_to_slot_confirms_with_a_note(panel):
    services.respond_to_slot(
        panel["own"], response="confirmed", note="  Need a lapel mic ", by=panel["speaker"], now=NOW
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
        services.respond_to_slot(panel["own"], response="pending", note="", by=panel["speaker"], now=NOW)
    with pytest.raises(ValidationFailed):
        services.respond_to_slot(panel["own"], response="maybe", note="", by=panel["speaker"], now=NOW)
    with pytest.raises(NotFound):
        services.respond_to_slot(panel["own"], response="declined", note="", by=panel["other_speaker"], now=NOW)
    db.session.expire_all()
    assert db.session.get(type(panel["own"]), panel["own"].id).response == AppearanceResponse.PENDING


def test_update_profile_stores_what_the_speaker_typed_in_each_published_event_with_their_email(panel):
    person, speaker = panel["panellist"], panel["speaker"]
    second = make_event(title="Second Exchange")
    copy = _record(second, person)
    draft_copy = _record(make_event(status=EventStatus.DRAFT), person)

    events = services.update_profile(
        speaker,
        honorific="Dr",
        name=" Erik Silfversten ",
        position="Assistant Director",
        organisation="RAND Europe",
        bio="Works on **security**.\r\n\r\nSecond paragraph.",
        by=speaker,
        now=NOW,
    )

    assert events == [panel["event"], second]
    db.session.expire_all()
    for record in (person, copy):
        saved = db.session.get(Person, record.id)
        assert (saved.display_name, saved.affiliation, saved.bio) == (
            "Dr Erik Silfversten",
            "Assistant Director, RAND Europe",
            "Works on **security**.\n\nSecond paragraph.",
        )
    # A draft's record keeps the organisers' text; another person's record is untouched.
    assert db.session.get(Person, draft_copy.id).display_name == "Mr Erik Silfversten"
    assert db.session.get(Person, panel["other"].id).name == "Silvia Carta"


def test_update_profile_of_someone_else_is_refused(panel):
    with pytest.raises(NotFound):
        services.update_profile(
            panel["other_speaker"],
            honorific="",
            name="X",
            position="",
            organisation="",
            bio="",
            by=panel["speaker"],
            now=NOW,
        )
    assert db.session.get(Person, panel["other"].id).name == "Silvia Carta"


def test_list_questions_shows_active_non_empty_questions_of_own_online_sessions_newest_first(panel):
    person = panel["panellist"]
    elsewhere = make_online_session(make_event(), starts_at=at(16), ends_at=at(17))
    make_appearance(make_item(elsewhere, starts_at=at(16), ends_at=at(17)), _record(elsewhere.event, person))
    make_registration(elsewhere, full_name="Far", question="From the other event", created_at=at(5))
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

    questions = services.list_questions(panel["speaker"])

    assert [(q.text, q.asked_by) for q in questions] == [
        ("From the waiting list", "Waiting"),
        ("And Frontex?", "New"),
        ("What about AI?", "Old"),
        ("From the other event", "Far"),
    ]
    assert not any("@" in value for q in questions for value in (q.text, q.asked_by, q.organisation))


def test_list_questions_leaves_out_cancelled_sessions(panel):
    person = panel["panellist"]
    online = make_online_session(panel["event"], starts_at=at(12), ends_at=at(13), status=SessionStatus.CANCELLED)
    make_appearance(make_item(online, starts_at=at(12), ends_at=at(13)), person)
    make_registration(online, question="Still there?")

    assert services.list_questions(panel["speaker"]) == []


def test_a_speaker_is_known_by_their_email_in_any_case(panel):
    panel["panellist"].email = "Erik@Example.org"
    db.session.commit()

    assert services.is_speaker_email(" erik@example.ORG")
    assert not services.is_speaker_email("")
    assert services.find_speaker("ERIK@example.org") == panel["speaker"]
    assert [s.appearance for s in services.list_slots(panel["speaker"])] == [panel["own"]]


def test_sign_out_everywhere_raises_the_session_version(panel):
    speaker = panel["speaker"]

    with use_case():
        assert services.sign_out_everywhere(speaker, now=NOW) == 1
    with use_case():
        assert services.sign_out_everywhere(speaker, now=NOW) == 2

    db.session.expire_all()
    assert db.session.get(Speaker, speaker.id).session_version == 2
    assert db.session.get(Speaker, panel["other_speaker"].id).session_version == 0
