"""The after-session pages: importing a video platform's attendance report (preview, confirm, bad files), the
check-in list ticked by hand, the dashboard's attendance figures, the recording links and who sees them on the
manage page."""

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import AttendanceSource, EventSession, Registration, RegistrationStatus
from tests.factories import DAY, at, make_event, make_item, make_online_session, make_registration
from tests.http.conftest import make_organiser

DATA = Path(__file__).resolve().parent.parent / "data" / "attendance"


@pytest.fixture
def setup(app_context):
    """An online session (09:00-10:30 Brussels) with the sample files' people: Ana and Erik confirmed, Lena
    waitlisted, Omar confirmed but not in any report."""
    session = make_online_session()
    people = {
        "ana": make_registration(session, "ana-token", full_name="Ana Díaz", email="ana.diaz@example.com"),
        "erik": make_registration(session, "erik-token", full_name="Erik Berg", email="erik.berg@example.com"),
        "lena": make_registration(
            session,
            "lena-token",
            full_name="Lena Novak",
            email="lena.novak@example.com",
            status="waitlisted",
            waitlisted_at=at(1),
        ),
        "omar": make_registration(session, "omar-token", full_name="Omar Haddad", email="omar@example.com"),
    }
    return session, people


def upload(client, session: EventSession, data: bytes, filename: str = "report.csv"):
    return client.post(
        f"/organiser/sessions/{session.id}/attendance",
        data={"report": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def preview_token(page: str) -> str:
    return re.search(r'name="preview" type="hidden" value="([^"]+)"', page).group(1)


def attended(*registrations: Registration) -> list:
    db.session.expire_all()
    return [(r.attended_at, r.attendance_source) for r in registrations]


def table(page: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table class="table table-sm" id="{table_id}">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


# --- the import ----------------------------------------------------------------------------------


def test_a_zoom_report_is_previewed_then_confirmed_and_the_dashboard_counts_it(client, sign_in, setup):
    session, people = setup
    sign_in(events=[session.event])

    response = upload(client, session, (DATA / "zoom_participants.csv").read_bytes(), "anything.txt")

    assert response.status_code == 200
    page = response.text
    assert "Preview: nothing is saved yet" in page and "A Zoom report." in page
    assert table(page, "newly-attended") == [
        ["Ana Díaz", "ana.diaz@example.com", "Wednesday 30 October 2030, 08:58 CET"],
        ["Erik Berg", "erik.berg@example.com", "Wednesday 30 October 2030, 09:01 CET"],
    ]
    assert table(page, "not-confirmed") == [["Lena Novak", "lena.novak@example.com", "Waitlisted"]]
    assert table(page, "unmatched") == [
        ["5", "MPF Team (Host)", "host@example.org"],
        ["9", "Call-in user 1", "no email"],
        ["10", "Sam Stranger", "stranger@example.org"],
    ]
    assert table(page, "repeated") == [["ana.diaz@example.com", "2", "Wednesday 30 October 2030, 08:58 CET"]]
    assert attended(*people.values()) == [(None, None)] * 4  # the preview saved nothing

    response = client.post(
        f"/organiser/sessions/{session.id}/attendance/confirm", data={"preview": preview_token(page)}
    )

    assert response.status_code == 302 and response.location == f"/organiser/events/{session.event_id}/dashboard"
    assert attended(*people.values()) == [
        (at(7, 58) + timedelta(seconds=44), AttendanceSource.ZOOM),
        (at(8, 1) + timedelta(seconds=12), AttendanceSource.ZOOM),
        (None, None),
        (None, None),
    ]
    dashboard = client.get(response.location).text
    assert "Attendance imported: 2 registrants marked as attended." in dashboard
    row = re.search(rf'<tr data-session="{session.id}">(.*?)</tr>', dashboard, re.S).group(1)
    figures = dict(re.findall(r'data-figure="([a-z-]+)">(.*?)</td>', row))
    assert figures["registered"] == "4" and figures["confirmed"] == "3" and figures["attended"] == "2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty: export the attendance report again and choose that file."),
        (b"\x00\x01\x02\x03PK\x03\x04" + bytes(range(256)) * 8, "The file is not text in a known encoding"),
        (b"Vorname;Nachname\nAna;Diaz\n", "This file is not an attendance report we know"),
        (
            b"Name (Original Name);Leave Time;Duration (Minutes)\nAna;x;3\n",
            "This looks like a Zoom report, but it has no columns “User Email”, “Join Time”",
        ),
        (b"Name,Attendee Email,Join Time\r\n", "This Webex report lists no participants."),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_changes(client, sign_in, setup, data, message):
    session, people = setup
    sign_in(events=[session.event])

    response = upload(client, session, data)

    assert response.status_code == 422
    page = response.text
    assert "<title>Error: Import attendance · " in page
    error = re.search(r'id="report-error" class="invalid-feedback">([^<]*)<', page).group(1)
    assert error.startswith(message)
    assert 'href="#report">Attendance report: ' in page  # in the error summary, linked to the field
    assert "Preview: nothing is saved yet" not in page
    assert attended(*people.values()) == [(None, None)] * 4


def test_no_file_at_all_asks_for_one(client, sign_in, setup):
    session, _ = setup
    sign_in(events=[session.event])

    response = client.post(f"/organiser/sessions/{session.id}/attendance", data={})

    assert response.status_code == 422
    assert "Choose the file the video platform exported." in response.text


def test_a_file_over_the_setting_is_refused_with_the_limit(app, client, sign_in, setup):
    session, _ = setup
    sign_in(events=[session.event])
    app.config["ATTENDANCE_MAX_BYTES"] = 2048
    try:
        response = upload(client, session, b"Name,Attendee Email,Join Time\n" + b"a,b@example.com,x\n" * 200)
    finally:
        app.config["ATTENDANCE_MAX_BYTES"] = 512 * 1024

    assert response.status_code == 422
    assert "The file is too large (4 KB): an attendance report of up to 2 KB is accepted." in response.text


def test_a_change_between_preview_and_confirm_saves_nothing_and_shows_the_new_preview(client, sign_in, setup):
    session, people = setup
    sign_in(events=[session.event])
    token = preview_token(upload(client, session, (DATA / "webex_attendees.csv").read_bytes()).text)
    people["ana"].status = RegistrationStatus.CANCELLED
    people["ana"].cancelled_at = at(8)
    db.session.commit()

    response = client.post(f"/organiser/sessions/{session.id}/attendance/confirm", data={"preview": token})

    assert response.status_code == 200
    page = response.text
    assert "The registrations changed since the preview, so nothing was saved" in page
    assert [row[0] for row in table(page, "newly-attended")] == ["Erik Berg"]
    assert [row[:1] + row[2:] for row in table(page, "not-confirmed")] == [
        ["Ana Díaz", "Cancelled"],
        ["Lena Novak", "Waitlisted"],
    ]
    assert attended(*people.values()) == [(None, None)] * 4

    client.post(f"/organiser/sessions/{session.id}/attendance/confirm", data={"preview": preview_token(page)})
    assert attended(people["erik"]) == [(at(8), AttendanceSource.WEBEX)]


def test_an_altered_preview_is_refused(client, sign_in, setup):
    session, people = setup
    sign_in(events=[session.event])
    token = preview_token(upload(client, session, (DATA / "webex_attendees.csv").read_bytes()).text)

    response = client.post(
        f"/organiser/sessions/{session.id}/attendance/confirm", data={"preview": token[:-4] + "abcd"}
    )

    assert response.status_code == 302 and response.location == f"/organiser/sessions/{session.id}/attendance"
    assert "This preview could not be read: upload the file again." in client.get(response.location).text
    assert attended(*people.values()) == [(None, None)] * 4


def test_another_organisers_session_answers_404_and_its_preview_does_not_carry_over(client, sign_in, setup):
    session, people = setup
    mine = make_online_session(make_event(), title="Mine")
    make_registration(mine, email="ana.diaz@example.com")
    sign_in(events=[mine.event])
    token = preview_token(upload(client, mine, (DATA / "webex_attendees.csv").read_bytes()).text)

    assert upload(client, session, (DATA / "webex_attendees.csv").read_bytes()).status_code == 404
    response = client.post(f"/organiser/sessions/{session.id}/attendance/confirm", data={"preview": token})

    assert response.status_code == 404
    assert attended(*people.values()) == [(None, None)] * 4


# --- the check-in list ---------------------------------------------------------------------------


def test_the_check_in_list_searches_and_ticks_one_registrant_per_request(client, sign_in, setup):
    session, people = setup
    anonymised = make_registration(session, full_name="", email="", organisation="", anonymised_at=at(1))
    sign_in(events=[session.event])
    url = f"/organiser/sessions/{session.id}/check-in"

    page = client.get(url).text
    names = re.findall(r"<strong>([^<]+)</strong>", page.split('id="check-in-list"')[1])
    assert names == ["Ana Díaz", "Erik Berg", "Omar Haddad", f"Registration {anonymised.id}"]
    assert "Anonymised" in page and "Lena Novak" not in page
    assert "4 confirmed registrants · 0 marked as attended" in page

    found = client.get(url, query_string={"q": "HADDAD"}).text
    assert re.findall(r"<strong>([^<]+)</strong>", found.split('id="check-in-list"')[1]) == ["Omar Haddad"]

    response = client.post(
        f"/organiser/registrations/{people['omar'].id}/attendance", data={"attended": "1", "q": "haddad"}
    )
    assert response.location == f"{url}?q=haddad#r{people['omar'].id}"
    assert attended(people["omar"], people["ana"]) == [(attended(people["omar"])[0][0], AttendanceSource.HAND)] + [
        (None, None)
    ]
    page = client.get(response.location).text
    assert "Omar Haddad is marked as attended." in page
    assert 'Undo<span class="visually-hidden">: Omar Haddad did not attend</span>' in page

    client.post(f"/organiser/registrations/{people['omar'].id}/attendance", data={"attended": "0"})
    assert attended(people["omar"]) == [(None, None)]


def test_a_waitlisted_registrant_cannot_be_ticked(client, sign_in, setup):
    session, people = setup
    sign_in(events=[session.event])

    response = client.post(f"/organiser/registrations/{people['lena'].id}/attendance", data={"attended": "1"})

    assert "Only a confirmed registrant can be marked as attended." in client.get(response.location).text
    assert attended(people["lena"]) == [(None, None)]


@pytest.mark.parametrize("value", ["", "2", "yes"])
def test_a_tick_that_is_neither_mark_nor_unmark_changes_nothing(client, sign_in, setup, value):
    session, people = setup
    sign_in(events=[session.event])

    response = client.post(f"/organiser/registrations/{people['ana'].id}/attendance", data={"attended": value})

    assert response.status_code == 302
    assert attended(people["ana"]) == [(None, None)]


def test_check_in_and_dashboard_queries_do_not_grow_with_the_registrants(client, sign_in, app_context, count_queries):
    small, large = make_online_session(title="Small"), make_online_session(title="Large")
    for session, count in ((small, 3), (large, 40)):
        for n in range(count):
            make_registration(session, attended_at=at(8) if n % 2 else None)
    sign_in(events=[small.event, large.event])
    client.get(f"/organiser/sessions/{small.id}/check-in")

    counted = {}
    for title, session_id, event_id in (("Small", small.id, small.event_id), ("Large", large.id, large.event_id)):
        db.session.remove()
        with count_queries() as check_in:
            listed = client.get(f"/organiser/sessions/{session_id}/check-in").text
        with count_queries() as dashboard:
            client.get(f"/organiser/events/{event_id}/dashboard")
        counted[title] = (len(check_in), len(dashboard), listed.count('class="list-group-item '))

    assert counted == {"Small": (*counted["Small"][:2], 3), "Large": (*counted["Small"][:2], 40)}


# --- the dashboard -------------------------------------------------------------------------------


def test_the_dashboard_counts_no_shows_only_once_the_session_has_ended(client, sign_in, app_context):
    ended = make_online_session(
        title="Ended",
        starts_at=at(8, day=DAY - timedelta(days=4000)),
        ends_at=at(9, day=DAY - timedelta(days=4000)),
        registration_opens_at=None,
        registration_closes_at=None,
    )
    coming = make_online_session(ended.event, title="Coming")
    for session in (ended, coming):
        make_registration(session, attended_at=at(8), attendance_source="hand")
        make_registration(session)
        make_registration(session, status="waitlisted")
    sign_in(events=[ended.event])

    page = client.get(f"/organiser/events/{ended.event_id}/dashboard").text

    def figures(session):
        row = re.search(rf'<tr data-session="{session.id}">(.*?)</tr>', page, re.S).group(1)
        return dict(re.findall(r'data-figure="([a-z-]+)">(.*?)</td>', row, re.S))

    assert figures(ended) == {"registered": "3", "confirmed": "2", "attended": "1", "no-show": "1"}
    assert figures(coming)["no-show"].endswith(
        '<span class="visually-hidden">not yet: the session has not ended</span>'
    )


# --- recordings ----------------------------------------------------------------------------------


def test_the_recording_is_set_in_the_events_zone_and_shown_to_confirmed_registrants_from_then(
    client, sign_in, setup, app
):
    session, people = setup
    panel = make_item(session, title="Looking Ahead panel")
    sign_in(events=[session.event])

    response = client.post(
        f"/organiser/sessions/{session.id}/recording",
        data={"recording_url": "https://video.example.org/all", "recording_available_at": "2030-10-30T14:00"},
    )
    assert response.status_code == 302
    client.post(f"/organiser/items/{panel.id}/recording", data={"recording_url": "https://video.example.org/panel"})
    db.session.expire_all()
    assert (session.recording_url, session.recording_available_at) == ("https://video.example.org/all", at(13))
    assert (panel.recording_url, panel.recording_available_at) == ("https://video.example.org/panel", None)
    form = client.get(f"/organiser/sessions/{session.id}/recording").text
    assert 'value="2030-10-30T14:00"' in form and "own recording, shown at once" in form

    manage = client.get("/registrations/ana-token/").text
    assert 'href="https://video.example.org/panel"' in manage
    assert "video.example.org/all" not in manage  # not yet: from 14:00 in Brussels
    session.recording_available_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    manage = client.get("/registrations/ana-token/").text
    assert 'href="https://video.example.org/all"' in manage
    assert "<strong>Looking Ahead panel</strong>: " in manage
    assert "video.example.org" not in client.get("/registrations/lena-token/").text  # waitlisted


def test_another_events_registrant_does_not_see_the_recording(client, setup):
    session, _ = setup
    session.recording_url = "https://video.example.org/all"
    other = make_online_session(make_event(), title="Other event's session")
    make_registration(other, "other-token")
    db.session.commit()

    assert "video.example.org" not in client.get("/registrations/other-token/").text
    assert 'href="https://video.example.org/all"' in client.get("/registrations/ana-token/").text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"recording_url": "javascript:alert(1)"}, "recording_url", "Enter a web address starting with https://"),
        ({"recording_url": "https://video.example.org/x", "recording_available_at": "soon"}, "recording_available_at",
         "Enter a date and a time."),
    ],
)  # fmt: skip
def test_a_bad_recording_is_refused_next_to_its_field_with_the_input_kept(client, sign_in, setup, form, field, message):
    session, _ = setup
    sign_in(events=[session.event])

    response = client.post(f"/organiser/sessions/{session.id}/recording", data=form)

    assert response.status_code == 422
    assert "<title>Error: Recording · " in response.text
    assert re.search(rf'id="{field}-error" class="invalid-feedback">[^<]*{re.escape(message)}', response.text)
    assert f'value="{form["recording_url"]}"' in response.text
    db.session.expire_all()
    assert session.recording_url is None


def test_an_organiser_of_another_event_gets_404_for_the_recording_pages(client, sign_in, setup):
    session, _ = setup
    panel = make_item(session)
    sign_in(make_organiser("other@example.org", events=[make_event()]))

    assert client.get(f"/organiser/sessions/{session.id}/recording").status_code == 404
    assert (
        client.post(f"/organiser/items/{panel.id}/recording", data={"recording_url": "https://x.org"}).status_code
        == 404
    )
