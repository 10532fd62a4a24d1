"""People belong to one event: who an organiser sees and picks, copies from their other events, refusals."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.agenda import services
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import ActivityEntry, Appearance, OutboxMessage, Person, Role
from tests.factories import make_appearance, make_event, make_item, make_person, make_session
from tests.http.conftest import make_organiser

NOW = datetime(2030, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def two_organisers(app_context):
    """Organiser A with two events, organiser B with one; each event has people."""
    a, b = make_organiser(email="a@example.org"), make_organiser(email="b@example.org")
    a_first, a_second, b_event = make_event(title="A first"), make_event(title="A second"), make_event(title="B own")
    a_first.organisers.append(a)
    a_second.organisers.append(a)
    b_event.organisers.append(b)
    db.session.commit()
    ana = make_person(a_first, name="Ana Speaker", email="ana@example.org", bio="Ana's bio")
    make_appearance(make_item(make_session(a_first)), ana)
    return dict(
        a=a,
        b=b,
        a_first=a_first,
        a_second=a_second,
        b_event=b_event,
        ana=ana,
        own=make_person(a_second, name="Own Person", email="own@example.org"),
        bens=make_person(b_event, name="Ben of B", email="ben@example.org"),
    )


def test_people_of_event_are_only_that_events_records(two_organisers):
    t = two_organisers

    assert services.people_of_event(t["a_first"]) == [t["ana"]]
    assert services.people_of_event(t["b_event"]) == [t["bens"]]


def test_the_picker_offers_this_events_people_and_those_of_the_organisers_other_events_only(two_organisers):
    t = two_organisers

    pick_a = services.people_to_pick(t["a_second"], by=t["a"])
    pick_b = services.people_to_pick(t["b_event"], by=t["b"])

    assert (pick_a.own, pick_a.others) == ([t["own"]], [t["ana"]])
    assert (pick_b.own, pick_b.others) == ([t["bens"]], [])


def test_the_picker_leaves_out_addresses_this_event_already_has_and_offers_one_record_per_address(two_organisers):
    t = two_organisers
    third = make_event(title="A third")
    third.organisers.append(t["a"])
    db.session.commit()
    make_person(t["a_second"], name="Ana Here", email="ana@example.org")
    make_person(third, name="Ana Renamed", email="ana@example.org")  # changed last: the one offered

    assert services.people_to_pick(t["a_second"], by=t["a"]).others == []
    offered = services.people_to_pick(make_event_of(t["a"]), by=t["a"]).others
    assert [(p.name, p.event.title) for p in offered] == [  # by surname: Person, then Renamed
        ("Own Person", "A second"),
        ("Ana Renamed", "A third"),
    ]


def test_the_picker_sorts_by_surname_and_finds_by_surname_or_organisation(two_organisers):
    t = two_organisers
    event = t["a_second"]
    make_person(event, name="Zoe Adams", organisation="UNHCR")
    make_person(event, name="Carl  Bauer", organisation="Frontex")

    everyone = services.people_to_pick(event, by=t["a"])
    found = {q: [p.name for p in services.people_to_pick(event, by=t["a"], search=q).own] for q in ["BAU", "unhcr"]}

    assert [p.name for p in everyone.own] == ["Zoe Adams", "Carl  Bauer", "Own Person"]
    assert found == {"BAU": ["Carl  Bauer"], "unhcr": ["Zoe Adams"]}
    assert [p.name for p in services.people_to_pick(event, by=t["a"], search="speaker").others] == ["Ana Speaker"]


def make_event_of(organiser):
    event = make_event(title="A fourth")
    event.organisers.append(organiser)
    db.session.commit()
    return event


def test_adding_a_person_of_another_managed_event_copies_them_and_leaves_the_original(two_organisers):
    t = two_organisers
    item = make_item(make_session(t["a_second"]))

    appearance = services.add_appearance(item, t["ana"], Role.PANELLIST, by=t["a"], now=NOW)

    copy = appearance.person
    assert copy.id != t["ana"].id
    assert (copy.event_id, copy.name, copy.email, copy.bio) == (
        t["a_second"].id,
        "Ana Speaker",
        "ana@example.org",
        "Ana's bio",
    )
    assert [a.item.session.event_id for a in db.session.get(Person, t["ana"].id).appearances] == [t["a_first"].id]
    assert services.people_of_event(t["a_second"]) == [copy, t["own"]]
    # The invite goes to the copy, in the event it belongs to.
    invite = db.session.scalars(select(OutboxMessage)).one()
    assert (invite.kind, invite.person_id, invite.event_id) == ("speaker_invite", copy.id, t["a_second"].id)
    logged = db.session.execute(
        select(ActivityEntry.event_id, ActivityEntry.action, ActivityEntry.summary).order_by(ActivityEntry.id)
    ).all()
    assert [tuple(row) for row in logged] == [
        (t["a_second"].id, "person.copied", "Added Ana Speaker to the people, copied from “A first”."),
        (t["a_second"].id, "appearance.added", "Put Ms Ana Speaker in “" + item.title + "” as panellist."),
    ]


def test_adding_a_person_of_an_event_the_organiser_does_not_manage_is_refused_and_changes_nothing(two_organisers):
    t = two_organisers
    item = make_item(make_session(t["b_event"]))

    with pytest.raises(NotFound):
        services.add_appearance(item, t["ana"], Role.SPEAKER, by=t["b"], now=NOW)

    assert db.session.scalar(select(func.count()).select_from(Person)) == 3
    assert db.session.scalars(select(Appearance.person_id)).all() == [t["ana"].id]
    assert item.appearances == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_copying_someone_whose_address_this_event_has_is_refused(two_organisers):
    t = two_organisers
    make_person(t["a_second"], name="Ana Already", email="ana@example.org")
    item = make_item(make_session(t["a_second"]))

    with pytest.raises(ValidationFailed, match="already has someone with the email ana@example.org"):
        services.add_appearance(item, t["ana"], Role.SPEAKER, by=t["a"], now=NOW)

    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.email == "ana@example.org")) == 2


def test_renaming_a_copy_never_changes_the_other_events_record(two_organisers):
    t = two_organisers
    copy = services.add_appearance(
        make_item(make_session(t["a_second"])), t["ana"], Role.SPEAKER, by=t["a"], now=NOW
    ).person

    services.update_person(copy, by=t["a"], now=NOW, name="Renamed in second", email="other@example.org")

    db.session.expire_all()
    original = db.session.get(Person, t["ana"].id)
    assert (original.name, original.email) == ("Ana Speaker", "ana@example.org")


def test_get_person_finds_only_this_events_people(two_organisers):
    t = two_organisers

    assert services.get_person(t["a_first"], t["ana"].id) == t["ana"]
    for event in (t["a_second"], t["b_event"]):
        with pytest.raises(NotFound):
            services.get_person(event, t["ana"].id)
