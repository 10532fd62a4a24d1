"""Who attended (app.attendance.services): the import's preview and its all-or-nothing save, matching by email,
merged rows, ticks by hand; which recordings a registration may see (app.attendance.recordings); the dashboard's
attendance figures."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.attendance import recordings
from app.attendance import services as attendance
from app.errors import DomainError
from app.extensions import db
from app.models import ActivityEntry, AttendanceSource, EventSession, Organiser, Registration, RegistrationStatus
from app.organiser import reports
from app.transaction import use_case
from tests.factories import at, make_item, make_online_session, make_registration
from tests.http.conftest import make_organiser

DATA = Path(__file__).resolve().parent.parent / "data" / "attendance"
#: After the test session (09:00-10:30 Brussels on the test day).
AFTER = at(12)


@pytest.fixture
def organiser(app_context):
    return make_organiser()


@pytest.fixture
def session(app_context):
    return make_online_session()


@pytest.fixture
def people(session):
    """The sample files' people as registrants: Ana and Erik confirmed, Lena waitlisted, Omar confirmed but absent."""
    return {
        "ana": make_registration(session, full_name="Ana Díaz", email="ana.diaz@example.com"),
        "erik": make_registration(session, full_name="Erik Berg", email="Erik.Berg@example.com"),
        "lena": make_registration(
            session, full_name="Lena Novak", email="lena.novak@example.com", status=RegistrationStatus.WAITLISTED
        ),
        "omar": make_registration(session, full_name="Omar Haddad", email="omar.haddad@example.com"),
    }


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def marks(*registrations: Registration) -> list[tuple]:
    for r in registrations:
        db.session.refresh(r)
    return [(r.attended_at, r.attendance_source, r.attendance_marked_at) for r in registrations]


# --- the preview ---------------------------------------------------------------------------------


def test_zoom_preview_matches_by_email_in_any_case_and_saves_nothing(session, people):
    preview = attendance.preview_import(session, sample("zoom_participants.csv"))

    assert preview.platform_name == "Zoom"
    assert [(r.full_name, s.joined_at) for r, s in preview.newly_attended] == [
        ("Ana Díaz", at(7, 58) + timedelta(seconds=44)),  # two rows, one "Ana.Diaz@Example.com": the earliest
        ("Erik Berg", at(8, 1) + timedelta(seconds=12)),
    ]
    assert [(r.full_name, r.status) for r, _ in preview.not_confirmed] == [
        ("Lena Novak", RegistrationStatus.WAITLISTED)
    ]
    assert [(s.line, s.name, s.email) for s in preview.unmatched] == [
        (5, "MPF Team (Host)", "host@example.org"),
        (9, "Call-in user 1", ""),
        (10, "Sam Stranger", "stranger@example.org"),
    ]
    assert [(s.email, s.rows) for s in preview.repeated] == [("ana.diaz@example.com", 2)]
    assert preview.already_attended == []
    assert marks(*people.values()) == [(None, None, None)] * 4


def test_a_registrant_already_marked_is_left_as_they_are(session, people, organiser):
    with use_case():
        attendance.mark_attendance(people["erik"], True, by=organiser, now=at(8, 30))

    preview = attendance.preview_import(session, sample("webex_attendees.csv"))

    assert [r.full_name for r, _ in preview.newly_attended] == ["Ana Díaz"]
    assert [r.full_name for r, _ in preview.already_attended] == ["Erik Berg"]


def test_a_cancelled_registration_shows_as_not_confirmed_unless_the_address_registered_again(session, organiser):
    gone = make_registration(session, full_name="Ana Gone", email="ana.diaz@example.com", status="cancelled")
    preview = attendance.preview_import(session, sample("webex_attendees.csv"))
    assert [(r.id, r.status) for r, _ in preview.not_confirmed] == [(gone.id, RegistrationStatus.CANCELLED)]

    again = make_registration(session, full_name="Ana Again", email="ana.diaz@example.com")
    preview = attendance.preview_import(session, sample("webex_attendees.csv"))
    assert [r.id for r, _ in preview.newly_attended] == [again.id]
    assert preview.not_confirmed == []


def test_another_sessions_registrants_never_match(session, people):
    other = make_online_session(session.event, title="Another session")
    stranger = make_registration(other, email="stranger@example.org")

    preview = attendance.preview_import(session, sample("zoom_participants.csv"))

    assert stranger.id not in {r.id for r, _ in preview.newly_attended + preview.not_confirmed}
    assert "stranger@example.org" in {s.email for s in preview.unmatched}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "not text in a known encoding"),
        (b"Vorname,Nachname\nAna,Diaz\n", "not an attendance report we know"),
        (b"Name (Original Name),Join Time\nAna,10/30/2030 9:00 AM\n", "Zoom report, but it has no column “User Email”"),
        (
            b"Name;Last Leave;In-Meeting Duration\nAna;x;y\n",
            "Microsoft Teams report, but it has no columns “Email”, “First Join”",
        ),
        (b"Name,Attendee Email,Join Time\nAna,ana@example.com,later\n", "Line 2: the join time “later”"),
    ],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_changes(session, people, data, words):
    with pytest.raises(attendance.AttendanceFileRefused) as caught:
        attendance.preview_import(session, data)

    assert words in caught.value.message
    assert marks(*people.values()) == [(None, None, None)] * 4


def test_a_file_over_the_setting_is_refused_with_the_limit(app, session):
    app.config["ATTENDANCE_MAX_BYTES"] = 1024
    try:
        with pytest.raises(attendance.AttendanceFileRefused) as caught:
            attendance.preview_import(session, b"Name,Attendee Email,Join Time\n" + b"x" * 2000)
    finally:
        app.config["ATTENDANCE_MAX_BYTES"] = 512 * 1024

    assert caught.value.message == ("The file is too large (2 KB): an attendance report of up to 1 KB is accepted.")


# --- saving --------------------------------------------------------------------------------------


def test_confirming_marks_the_newly_attended_at_their_join_time_and_nothing_else(session, people, organiser):
    preview = attendance.preview_import(session, sample("teams_attendance_report.csv"))

    with use_case():
        done = attendance.import_attendance(session, preview.token, by=organiser, now=AFTER)

    assert [r.full_name for r, _ in done.newly_attended] == ["Ana Díaz", "Erik Berg"]
    assert marks(*people.values()) == [
        (at(8, 2) + timedelta(seconds=3), AttendanceSource.TEAMS, AFTER),
        (at(12, 5), AttendanceSource.TEAMS, AFTER),
        (None, None, None),  # waitlisted: not marked
        (None, None, None),  # not in the report
    ]
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.action == "attendance.imported"))
    assert entry.summary == (
        f"Imported a Microsoft Teams attendance report (sha256 {preview.digest[:12]}): 2 marked attended, "
        "0 already marked, 0 not confirmed, 2 unmatched."
    )


def test_a_registration_cancelled_after_the_preview_saves_nothing_and_gives_a_new_preview(session, people, organiser):
    preview = attendance.preview_import(session, sample("zoom_participants.csv"))
    people["erik"].status = RegistrationStatus.CANCELLED
    db.session.commit()

    with pytest.raises(attendance.PreviewOutdated) as caught, use_case():
        attendance.import_attendance(session, preview.token, by=organiser, now=AFTER)

    assert marks(*people.values()) == [(None, None, None)] * 4  # not even Ana, who is still confirmed
    fresh = caught.value.preview
    assert [r.full_name for r, _ in fresh.newly_attended] == ["Ana Díaz"]
    assert [r.full_name for r, _ in fresh.not_confirmed] == ["Erik Berg", "Lena Novak"]
    with use_case():
        attendance.import_attendance(session, fresh.token, by=organiser, now=AFTER)
    assert marks(people["ana"])[0][1] == AttendanceSource.ZOOM


def test_a_hand_tick_between_preview_and_confirm_asks_again(session, people, organiser):
    preview = attendance.preview_import(session, sample("webex_attendees.csv"))
    with use_case():
        attendance.mark_attendance(people["ana"], True, by=organiser, now=at(8, 30))

    with pytest.raises(attendance.PreviewOutdated), use_case():
        attendance.import_attendance(session, preview.token, by=organiser, now=AFTER)

    assert marks(people["ana"], people["erik"]) == [(at(8, 30), AttendanceSource.HAND, at(8, 30)), (None, None, None)]


@pytest.mark.parametrize("change", ["tampered", "other session", "garbage"])
def test_a_token_that_is_not_this_sessions_signed_preview_is_refused(session, people, organiser, change):
    token = attendance.preview_import(session, sample("webex_attendees.csv")).token
    if change == "tampered":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif change == "other session":
        other = make_online_session(session.event, title="Another")
        make_registration(other, email="ana.diaz@example.com")
        token = attendance.preview_import(other, sample("webex_attendees.csv")).token
    else:
        token = "not a preview"

    with pytest.raises(attendance.AttendanceFileRefused), use_case():
        attendance.import_attendance(session, token, by=organiser, now=AFTER)

    assert marks(*people.values()) == [(None, None, None)] * 4


def test_an_expired_preview_is_refused(app, session, people, organiser):
    token = attendance.preview_import(session, sample("webex_attendees.csv")).token
    app.config["ATTENDANCE_PREVIEW_MINUTES"] = -1
    try:
        with pytest.raises(attendance.AttendanceFileRefused) as caught, use_case():
            attendance.import_attendance(session, token, by=organiser, now=AFTER)
    finally:
        app.config["ATTENDANCE_PREVIEW_MINUTES"] = 60

    assert "too old" in caught.value.message
    assert marks(people["ana"]) == [(None, None, None)]


def test_a_failure_while_saving_leaves_no_mark_at_all(session, people, organiser):
    """All or nothing: the marks made before a failure in the same use case are rolled back with it."""
    preview = attendance.preview_import(session, sample("webex_attendees.csv"))

    with pytest.raises(DomainError), use_case():
        attendance.import_attendance(session, preview.token, by=organiser, now=AFTER)
        attendance.mark_attendance(people["lena"], True, by=organiser, now=AFTER)  # waitlisted: refused

    assert marks(*people.values()) == [(None, None, None)] * 4
    assert db.session.scalar(select(ActivityEntry).where(ActivityEntry.action.like("attendance.%"))) is None


# --- by hand -------------------------------------------------------------------------------------


def test_ticking_and_unticking_by_hand(session, people, organiser):
    with use_case():
        assert attendance.mark_attendance(people["omar"], True, by=organiser, now=at(8, 10)) is True
    with use_case():
        assert attendance.mark_attendance(people["omar"], True, by=organiser, now=at(8, 20)) is False
    assert marks(people["omar"]) == [(at(8, 10), AttendanceSource.HAND, at(8, 10))]

    with use_case():
        attendance.mark_attendance(people["omar"], False, by=organiser, now=at(8, 40))
    assert marks(people["omar"]) == [(None, None, at(8, 40))]
    actions = db.session.scalars(select(ActivityEntry.summary).order_by(ActivityEntry.id)).all()
    assert actions == [
        f"Marked registration {people['omar'].id} of “{session.title}” as attended, by hand.",
        f"Unmarked registration {people['omar'].id} of “{session.title}” as attended, by hand.",
    ]


def test_only_a_confirmed_registrant_can_be_ticked(session, people, organiser):
    with pytest.raises(DomainError) as caught, use_case():
        attendance.mark_attendance(people["lena"], True, by=organiser, now=at(8, 10))

    assert caught.value.message == "Only a confirmed registrant can be marked as attended."
    assert marks(people["lena"]) == [(None, None, None)]


def test_the_check_in_list_is_the_confirmed_by_name_searchable(session, people):
    anonymised = make_registration(session, full_name="", email="", organisation="", anonymised_at=at(1))

    assert [r.full_name for r in attendance.check_in_list(session)] == ["Ana Díaz", "Erik Berg", "Omar Haddad", ""]
    assert [r.id for r in attendance.check_in_list(session)][-1] == anonymised.id
    assert [r.full_name for r in attendance.check_in_list(session, search="BERG")] == ["Erik Berg"]
    assert [r.full_name for r in attendance.check_in_list(session, search="interior")] == [
        "Ana Díaz",
        "Erik Berg",
        "Omar Haddad",
    ]
    assert attendance.check_in_list(session, search="lena") == []  # waitlisted


# --- the dashboard -------------------------------------------------------------------------------


def test_dashboard_counts_registered_confirmed_attended_and_no_shows_once_ended(session, people, organiser):
    make_registration(session, status=RegistrationStatus.CANCELLED)
    with use_case():
        attendance.mark_attendance(people["ana"], True, by=organiser, now=at(8, 10))

    during = reports.event_dashboard(session.event, now=at(9)).sessions[0]
    after = reports.event_dashboard(session.event, now=session.ends_at).sessions[0]

    assert (during.registered, during.confirmed, during.attended, during.no_show) == (5, 3, 1, None)
    assert (after.registered, after.confirmed, after.attended, after.no_show) == (5, 3, 1, 2)


# --- recordings ----------------------------------------------------------------------------------


def test_recordings_show_to_confirmed_registrants_from_their_time_on(session, people, organiser):
    panel = make_item(session, title="Looking Ahead panel")
    later = session.starts_at + timedelta(minutes=30)
    make_item(session, title="Questions", starts_at=later, ends_at=later + timedelta(minutes=30))
    with use_case():
        recordings.set_recording(session, " https://video.example.org/all ", at(12), by=organiser, now=AFTER)
        recordings.set_recording(panel, "https://video.example.org/panel", None, by=organiser, now=AFTER)

    assert [(r.title, r.url) for r in recordings.recordings_for(people["ana"], at(11))] == [
        ("Looking Ahead panel", "https://video.example.org/panel")
    ]
    assert [(r.title, r.url, r.item) for r in recordings.recordings_for(people["ana"], at(12))] == [
        (session.title, "https://video.example.org/all", None),
        ("Looking Ahead panel", "https://video.example.org/panel", panel),
    ]
    assert recordings.recordings_for(people["lena"], at(12)) == []
    cancelled = make_registration(session, status=RegistrationStatus.CANCELLED)
    assert recordings.recordings_for(cancelled, at(12)) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "Enter a web address starting with https:// or http://."),
        ("ftp://video.example.org/x", "Enter a web address starting with https:// or http://."),
        ("https://", "Enter a web address starting with https:// or http://."),
        ("https://video.example.org/a b", "Enter a web address starting with https:// or http://."),
        ("https://example.org/" + "x" * 490, "Use a link of 500 characters or fewer."),
    ],
)
def test_a_recording_link_must_be_a_web_address(session, organiser, url, message):
    with pytest.raises(recordings.InvalidRecordingLink) as caught, use_case():
        recordings.set_recording(session, url, None, by=organiser, now=AFTER)

    assert caught.value.message == message
    db.session.refresh(session)
    assert session.recording_url is None


def test_an_empty_link_removes_the_recording_and_its_time(session, organiser):
    with use_case():
        recordings.set_recording(session, "https://video.example.org/all", at(12), by=organiser, now=AFTER)
    with use_case():
        recordings.set_recording(session, "  ", at(12), by=organiser, now=AFTER)

    db.session.refresh(session)
    assert (session.recording_url, session.recording_available_at) == (None, None)


def test_five_confirms_of_one_preview_at_once_import_it_exactly_once(app, session, people, organiser):
    """Two tabs (here five threads) confirming the same preview take turns on the session's row: the first saves,
    the others find the marks made, save nothing and get the new preview."""
    token = attendance.preview_import(session, sample("webex_attendees.csv")).token
    session_id, organiser_id = session.id, organiser.id
    ana_id, erik_id = people["ana"].id, people["erik"].id
    db.session.remove()
    barrier = threading.Barrier(5)
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm():
        with app.app_context():
            barrier.wait()
            try:
                with use_case():
                    attendance.import_attendance(
                        db.session.get(EventSession, session_id), token, by=db.session.get(Organiser, organiser_id),
                        now=AFTER,
                    )  # fmt: skip
                outcome = "imported"
            except attendance.PreviewOutdated as error:
                outcome = f"outdated: {len(error.preview.already_attended)} already"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=confirm) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["imported"] + ["outdated: 2 already"] * 4
    assert marks(db.session.get(Registration, ana_id), db.session.get(Registration, erik_id)) == [
        (at(8, 3), AttendanceSource.WEBEX, AFTER),
        (at(8, 0), AttendanceSource.WEBEX, AFTER),
    ]
    imports = select(ActivityEntry).where(ActivityEntry.action == "attendance.imported")
    assert len(db.session.scalars(imports).all()) == 1


def test_attendance_marks_raise_the_kept_registration_lists_version(session, people, organiser):
    """The triggers of the registrations count attendance (migration d0a1f2e3c4b5), so a list that shows who
    attended is never stale; a cancellation still raises the version too."""
    version = db.session.get(EventSession, session.id).registrations_version
    with use_case():
        attendance.mark_attendance(people["ana"], True, by=organiser, now=at(8, 10))
    db.session.expire_all()
    marked = db.session.get(EventSession, session.id).registrations_version
    assert marked > version

    people["erik"].status = RegistrationStatus.CANCELLED
    db.session.commit()
    db.session.expire_all()
    version = marked
    assert db.session.get(EventSession, session.id).registrations_version > version
