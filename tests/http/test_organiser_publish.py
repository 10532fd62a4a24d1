"""The publish step through the test client: who is told what, the warnings, the button, other events 404."""

import re

import pytest
from sqlalchemy import select

from app.agenda.timeline import check_timeline
from app.extensions import db
from app.models import Event, EventStatus, OutboxMessage, Role
from tests.factories import at, make_appearance, make_event, make_item, make_person, make_session
from tests.http.test_agenda_pages import text_of


@pytest.fixture
def draft(app_context):
    """A draft with a panel (09:00-09:45 CET) of Ana (moderator), Bo and Cy (no address); Ana also closes."""
    event = make_event(title="MPF Exchange Event", slug="mpf", status=EventStatus.DRAFT)
    session = make_session(event, title="Morning", starts_at=at(8), ends_at=at(12))
    panel = make_item(session, title="Panel", starts_at=at(8), ends_at=at(8, 45))
    closing = make_item(session, title="Closing", starts_at=at(8, 45), ends_at=at(9))
    ana = make_person(event, honorific="Dr", name="Ana Silva", email="ana@example.org")
    make_appearance(panel, ana, role=Role.MODERATOR)
    make_appearance(panel, make_person(event, honorific="Mr", name="Bo Berg", email="bo@example.org"))
    make_appearance(panel, make_person(event, honorific="Ms", name="Cy Dorn", email=None), role=Role.PANELLIST)
    make_appearance(closing, ana)
    return event


def _section(page: bytes, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page.decode(), re.S)
    return text_of(match[0].encode()) if match else ""


def _confirm_key(page: bytes) -> str:
    return re.search(r'name="confirm" type="hidden" value="([0-9a-f]+)"', page.decode())[1]


def _queued() -> list[tuple]:
    return sorted(db.session.execute(select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.ics_method)))


def test_the_publish_step_lists_each_person_told_their_slots_and_who_has_no_address(client, sign_in, draft):
    sign_in(events=[draft])

    page = client.get(f"/organiser/events/{draft.id}/publish")

    assert page.status_code == 200
    day = "Wednesday 30 October 2030"
    assert _section(page.data, "told") == (
        "Who is emailed (2 people, 3 emails) "
        f"Dr Ana Silva (ana@example.org) Panel, Morning, {day}, 09:00–09:45 CET, moderator: invite "
        f"Closing, Morning, {day}, 09:45–10:00 CET, speaker: invite "
        f"Mr Bo Berg (bo@example.org) Panel, Morning, {day}, 09:00–09:45 CET, speaker: invite"
    )
    assert _section(page.data, "not-told") == (
        "Not told (no email address) Add an address on the People page to send them their invites. "
        f"Ms Cy Dorn: not told (no email address) Panel, Morning, {day}, 09:00–09:45 CET, panellist"
    )
    assert "Publish and email 2 people" in text_of(page.data)
    assert _section(page.data, "publish-warnings") == ""
    assert _queued() == []


def test_the_publish_step_shows_the_unresolved_timeline_warnings_and_what_follows(client, sign_in, draft):
    make_item(draft.sessions[0], title="Coffee", starts_at=at(8, 30), ends_at=at(9))
    warnings = [w.message for w in check_timeline(draft)]
    assert warnings  # the coffee overlaps the panel and the closing
    sign_in(events=[draft])

    page = client.get(f"/organiser/events/{draft.id}/publish")

    assert _section(page.data, "publish-warnings") == (
        f"The timeline has {len(warnings)} unresolved warning{'s' if len(warnings) > 1 else ''} "
        + " ".join(warnings)
        + " If you publish now, the invites carry these times as they are. Fixing them afterwards sends each"
        " speaker concerned an updated invite, and the attendees of a moved session an update too."
    )


def test_confirming_publishes_and_queues_one_invite_per_slot_to_exactly_the_people_listed(client, sign_in, draft):
    sign_in(events=[draft])
    url = f"/organiser/events/{draft.id}/publish"
    key = _confirm_key(client.get(url).data)

    done = client.post(url, data={"confirm": key}, follow_redirects=True)

    assert (
        "The event is published: it is on the public site and in the calendar feed. 3 emails to 2 people queued."
        in (text_of(done.data))
    )
    assert db.session.get(Event, draft.id).status == EventStatus.PUBLISHED
    assert _queued() == [
        ("ana@example.org", "You are in the programme: Closing", "REQUEST"),
        ("ana@example.org", "You are in the programme: Panel", "REQUEST"),
        ("bo@example.org", "You are in the programme: Panel", "REQUEST"),
    ]
    # Published: the step says so and sends nothing more.
    again = client.get(url)
    assert "The event is already published: there is nothing to publish." in text_of(again.data)
    client.post(url, data={"confirm": key})
    assert len(_queued()) == 3


def test_confirming_after_the_programme_changed_asks_again_and_publishes_nothing(client, sign_in, draft):
    sign_in(events=[draft])
    url = f"/organiser/events/{draft.id}/publish"
    key = _confirm_key(client.get(url).data)
    make_appearance(
        draft.sessions[0].items[1], make_person(draft, name="Dee New", honorific="", email="dee@example.org")
    )

    page = client.post(url, data={"confirm": key})

    assert page.status_code == 200
    assert "The programme changed since this page was opened. Check who is told again, then publish." in text_of(
        page.data
    )
    assert "Dee New (dee@example.org) Closing" in _section(page.data, "told")
    assert "Publish and email 3 people" in text_of(page.data)
    assert db.session.get(Event, draft.id).status == EventStatus.DRAFT
    assert _queued() == []


def test_another_organisers_event_has_no_publish_step(client, sign_in, draft):
    sign_in(events=[make_event(title="Mine")])
    url = f"/organiser/events/{draft.id}/publish"

    assert client.get(url).status_code == 404
    assert client.post(url, data={"confirm": "0" * 16}).status_code == 404
    assert db.session.get(Event, draft.id).status == EventStatus.DRAFT
    assert _queued() == []


def test_the_event_page_of_a_draft_links_to_the_publish_step(client, sign_in, draft):
    sign_in(events=[draft])

    page = client.get(f"/organiser/events/{draft.id}/")

    assert f'href="/organiser/events/{draft.id}/publish">Publish…</a>' in page.data.decode()
