"""Timeline warnings: overlaps in a session, items outside their session, a person in two places at once, two
sessions or items in one room at the same time."""

from app.agenda import services, timeline
from app.extensions import db
from app.models import Event, ItemKind, SessionStatus
from tests.factories import at, make_appearance, make_event, make_item, make_person, make_session


def _three_items(session):
    return [
        make_item(session, title="Opening", starts_at=at(8), ends_at=at(8, 15), position=0),
        make_item(session, title="Presentation", starts_at=at(8, 15), ends_at=at(8, 45), position=1),
        make_item(session, title="Panel", starts_at=at(9), ends_at=at(10), position=2),
    ]


def test_check_timeline_is_quiet_for_a_clean_agenda(app_context):
    session = make_session(starts_at=at(8), ends_at=at(11))
    _three_items(session)

    assert timeline.check_timeline(session.event) == []


def test_check_timeline_warns_about_overlapping_items_in_a_session(app_context):
    session = make_session(title="Morning", starts_at=at(8), ends_at=at(11))
    a = make_item(session, title="A", starts_at=at(8), ends_at=at(9))
    b = make_item(session, title="B", starts_at=at(8, 30), ends_at=at(9, 30))

    [warning] = timeline.check_timeline(session.event)

    assert warning.kind == "overlap"
    assert warning.item_ids == (a.id, b.id)
    assert warning.message == "“A” (09:00–10:00 CET) and “B” (09:30–10:30 CET) overlap in “Morning”."


def test_check_timeline_warns_about_an_item_outside_its_session(app_context):
    session = make_session(title="Morning", starts_at=at(8), ends_at=at(10))
    late = make_item(session, title="Late", starts_at=at(9, 30), ends_at=at(10, 30))

    [warning] = timeline.check_timeline(session.event)

    assert (warning.kind, warning.item_ids) == ("outside_session", (late.id,))
    assert warning.message == "“Late” (10:30–11:30 CET) lies outside its session “Morning” (09:00–11:00 CET)."


def test_check_timeline_warns_about_a_person_in_two_places_at_once(app_context):
    event = make_event()
    morning = make_session(event, title="Room A", starts_at=at(8), ends_at=at(12))
    parallel = make_session(event, title="Room B", starts_at=at(8), ends_at=at(12))
    person = make_person(event, honorific="Dr", name="Ana Silva")
    make_appearance(make_item(morning, title="Panel", starts_at=at(9), ends_at=at(10)), person)
    make_appearance(make_item(parallel, title="Workshop", starts_at=at(9, 30), ends_at=at(11)), person)

    [warning] = timeline.check_timeline(event)

    assert warning.kind == "double_booked"
    assert warning.message == "Dr Ana Silva is in “Panel” and “Workshop” at the same time (10:30–11:00 CET)."


def test_check_timeline_finds_a_double_booking_with_the_event_a_person_is_copied_from(app_context):
    elsewhere = make_session(title="Elsewhere")
    person = make_person(elsewhere.event, name="Busy")
    make_appearance(make_item(elsewhere, title="Keynote", starts_at=at(8), ends_at=at(9)), person)
    here = make_item(make_session(title="Here"), title="Panel", starts_at=at(8, 30), ends_at=at(9, 30))

    warnings = timeline.check_timeline(here.session.event, add_people={here.id: {person.id}})

    assert [(w.kind, w.message) for w in warnings] == [
        ("double_booked", "Ms Busy is in “Keynote” and “Panel” at the same time (09:30–10:00 CET).")
    ]


def test_check_timeline_previews_a_change_before_it_is_saved(app_context):
    session = make_session(title="Morning", starts_at=at(8), ends_at=at(11))
    opening, presentation, panel = _three_items(session)

    without_shift = services.plan_item_change(opening, at(8), at(8, 30), shift_later=False)
    with_shift = services.plan_item_change(opening, at(8), at(8, 30), shift_later=True)

    assert [w.kind for w in timeline.check_timeline(session.event, changes=without_shift)] == ["overlap"]
    assert timeline.check_timeline(session.event, changes=with_shift) == []
    # Nothing was saved by looking.
    db.session.expire_all()
    assert opening.ends_at == at(8, 15)


def test_check_timeline_previews_a_new_item(app_context):
    session = make_session(title="Morning", starts_at=at(8), ends_at=at(11))
    _three_items(session)
    new = {"session": session, "title": "Coffee", "starts_at": at(10, 30), "ends_at": at(11, 30)}

    warnings = timeline.check_timeline(session.event, new_item=new)

    assert [(w.kind, w.item_ids) for w in warnings] == [("outside_session", (timeline.NEW_ITEM,))]


def test_two_sessions_in_the_same_room_at_overlapping_times_clash(app_context):
    event = make_event()
    morning = make_session(event, title="Morning", location="Room 2", starts_at=at(8), ends_at=at(11))
    workshop = make_session(event, title="Workshop", location=" room2 ", starts_at=at(10), ends_at=at(12))

    [warning] = timeline.check_timeline(event)

    assert (warning.kind, warning.item_ids, warning.session_ids) == ("room_clash", (), (morning.id, workshop.id))
    assert warning.message == (
        "The session “Morning” (09:00–12:00 CET) and the session “Workshop” (11:00–13:00 CET) are both in "
        "“Room 2” at the same time."
    )


def test_an_item_held_elsewhere_clashes_with_the_session_booked_in_that_room(app_context):
    event = make_event()
    plenary = make_session(event, title="Plenary", location="Main hall", starts_at=at(8), ends_at=at(12))
    breakout = make_item(plenary, title="Breakout", location="ROOM  B", starts_at=at(9), ends_at=at(10))
    parallel = make_session(event, title="Parallel", location="Room B", starts_at=at(9, 30), ends_at=at(11))

    [warning] = timeline.check_timeline(event)

    assert (warning.kind, warning.item_ids, warning.session_ids) == ("room_clash", (breakout.id,), (parallel.id,))
    assert warning.message == (
        "“Breakout” (10:00–11:00 CET) and the session “Parallel” (10:30–12:00 CET) are both in “ROOM  B” "
        "at the same time."
    )


def test_items_of_two_sessions_in_one_room_clash_and_an_item_without_a_location_is_in_its_sessions_room(
    app_context,
):
    event = make_event()
    left = make_session(event, title="Left", starts_at=at(8), ends_at=at(12))
    right = make_session(event, title="Right", location="Studio", starts_at=at(8), ends_at=at(12))
    talk = make_item(left, title="Talk", location="Studio", starts_at=at(9), ends_at=at(10))
    make_item(right, title="Inherits the studio", starts_at=at(9, 30), ends_at=at(10, 30))

    warnings = timeline.check_timeline(event)

    # The right session has the studio all morning: the talk clashes with the session, once.
    assert [(w.kind, w.item_ids, w.session_ids) for w in warnings] == [("room_clash", (talk.id,), (right.id,))]


def test_rooms_that_do_not_clash(app_context):
    event = make_event()
    # Blank locations never clash; different rooms, back-to-back times and a cancelled session do not either.
    make_session(event, title="No room", starts_at=at(8), ends_at=at(12))
    make_session(event, title="No room either", location="  ", starts_at=at(8), ends_at=at(12))
    make_session(event, title="Room 1", location="Room 1", starts_at=at(8), ends_at=at(10))
    make_session(event, title="Room 1 later", location="room 1", starts_at=at(10), ends_at=at(11))
    make_session(event, title="Room 10", location="Room 10", starts_at=at(8), ends_at=at(10))
    make_session(
        event, title="Gone", location="Room 1", starts_at=at(8), ends_at=at(10), status=SessionStatus.CANCELLED
    )
    own = make_session(event, title="Own room", location="Hall", starts_at=at(13), ends_at=at(15))
    make_item(own, title="A", location="hall", starts_at=at(13), ends_at=at(14))
    make_item(own, title="B", starts_at=at(14), ends_at=at(15))
    # In another event the same room name is another venue's room.
    make_session(make_event(), title="Elsewhere", location="Room 1", starts_at=at(8), ends_at=at(10))

    assert timeline.check_timeline(event) == []


def test_moving_an_item_into_a_taken_room_is_previewed_before_saving(app_context):
    event = make_event()
    make_session(event, title="Workshop", location="Room 2", starts_at=at(9), ends_at=at(11))
    plenary = make_session(event, title="Plenary", location="Main hall", starts_at=at(8), ends_at=at(12))
    item = make_item(plenary, title="Panel", starts_at=at(9), ends_at=at(10))
    new = {"session": plenary, "title": "Q&A", "starts_at": at(10), "ends_at": at(10, 30), "location": "room 2"}

    moved = timeline.check_timeline(event, changes={item.id: (at(9), at(10))}, locations={item.id: "Room 2"})
    added = timeline.check_timeline(event, new_item=new)

    assert [(w.kind, w.item_ids) for w in moved] == [("room_clash", (item.id,))]
    assert [(w.kind, w.item_ids) for w in added] == [("room_clash", (timeline.NEW_ITEM,))]
    assert added[0].message == (
        "The session “Workshop” (10:00–12:00 CET) and “Q&A” (11:00–11:30 CET) are both in “Room 2” at the same time."
    )
    assert timeline.check_timeline(event) == []  # nothing was saved by looking
    db.session.expire_all()
    assert db.session.get(type(item), item.id).location == ""


def test_a_session_edit_previews_the_room_clashes_it_would_cause(app_context):
    event = make_event()
    make_session(event, title="Workshop", location="Studio", starts_at=at(13), ends_at=at(14))
    talks = make_session(event, title="Talks", location="Hall", starts_at=at(9), ends_at=at(10))
    breakout = make_item(talks, title="Breakout", location="Studio", starts_at=at(9), ends_at=at(9, 30))

    def clashes(**change):
        values = {"starts_at": at(9), "ends_at": at(10), "location": "Hall", "move_items": True} | change
        return [(w.kind, w.item_ids, w.session_ids) for w in timeline.session_room_clashes(talks, **values)]

    workshop = event.sessions[1].id
    assert clashes() == []
    # Into the studio at the workshop's time: the session clashes.
    assert clashes(location="studio", starts_at=at(13), ends_at=at(14)) == [("room_clash", (), (workshop, talks.id))]
    # Moved with its items, the breakout held in the studio clashes; left behind, it does not.
    assert clashes(starts_at=at(13), ends_at=at(14)) == [("room_clash", (breakout.id,), (workshop,))]
    assert clashes(starts_at=at(13), ends_at=at(14), move_items=False) == []
    assert timeline.check_timeline(event) == []  # nothing was saved by looking


def test_check_timeline_runs_a_fixed_number_of_queries(app_context, count_queries):
    session = make_session(starts_at=at(8), ends_at=at(18))
    for hour in range(8, 17):
        make_appearance(make_item(session, kind=ItemKind.PANEL, starts_at=at(hour), ends_at=at(hour, 50)))
    event_id = session.event_id
    db.session.expire_all()

    with count_queries() as statements:
        timeline.check_timeline(db.session.get(Event, event_id))

    # event, sessions, items, appearances (one per item: lazy), other appearances, names
    assert len(statements) <= 14
