"""Reading the video platforms' attendance reports (app.attendance.reports): each platform's sample file, written
from its documented columns (tests/data/attendance/), and every way a file can be wrong."""

import codecs
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.attendance.reports import TEAMS, WEBEX, ZOOM, ReportProblem, parse_time, read_report

DATA = Path(__file__).resolve().parent.parent / "data" / "attendance"
ZONE = "Europe/Brussels"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def rows(report) -> list[tuple]:
    return [(p.line, p.name, p.email, p.joined_at) for p in report.participants]


def utc(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2030, 10, 30, hour, minute, second, tzinfo=UTC)


# --- each platform -------------------------------------------------------------------------------


def test_zoom_participants_report_after_its_meeting_block_is_read_in_the_event_zone():
    report = read_report(sample("zoom_participants.csv"), zone=ZONE)

    assert (report.platform, report.encoding, report.separator) == (ZOOM, "UTF-8", ",")
    # 09:05:31 AM in Brussels on 30 October 2030 (CET, UTC+1) is 08:05:31 UTC; rows stay as the file has them.
    assert rows(report) == [
        (5, "MPF Team (Host)", "host@example.org", utc(7, 55, 2)),
        (6, "Ana Díaz", "Ana.Diaz@Example.com", utc(8, 5, 31)),
        (7, "Erik Berg (Erik)", "erik.berg@example.com", utc(8, 1, 12)),
        (8, "Ana Díaz", "ana.diaz@example.com", utc(7, 58, 44)),
        (9, "Call-in user 1", "", utc(8, 10)),
        (10, "Sam Stranger", "stranger@example.org", utc(8, 12)),
        (11, "Lena Novak", "lena.novak@example.com", utc(8, 15)),
    ]


def test_zoom_flat_layout_takes_the_participants_email_not_the_hosts():
    report = read_report(sample("zoom_flat_with_meeting_data.csv"), zone=ZONE)

    assert report.platform == ZOOM
    assert [(p.email, p.joined_at) for p in report.participants] == [
        ("ana.diaz@example.com", utc(8, 5, 31)),
        ("erik.berg@example.com", utc(8, 1, 12)),
    ]


def test_teams_attendance_report_in_utf16_with_sections_reads_the_participants_section_only():
    report = read_report(sample("teams_attendance_report.csv"), zone=ZONE)

    assert (report.platform, report.encoding, report.separator) == (TEAMS, "UTF-16", "\t")
    # Day first (30/10/2030) and a 24-hour clock; "3. In-Meeting Activities" after the blank line is not read.
    assert rows(report) == [
        (11, "MPF Team", "host@example.org", utc(7, 56, 10)),
        (12, "Ana Díaz", "ANA.DIAZ@example.com", utc(8, 2, 3)),
        (13, "Erik Berg (Guest)", "erik.berg@example.com", utc(12, 5)),
        (14, "Sam Stranger", "stranger@example.org", utc(8, 12)),
    ]


def test_teams_flat_participants_list_with_two_digit_years_and_am_pm():
    report = read_report(sample("teams_participants_flat.csv"), zone=ZONE)

    assert report.platform == TEAMS
    assert [(p.email, p.joined_at) for p in report.participants] == [
        ("ana.diaz@example.com", utc(8, 2, 3)),
        ("erik.berg@example.com", utc(8, 4)),
    ]


def test_teams_oldest_list_without_emails_says_the_email_column_is_missing():
    with pytest.raises(ReportProblem) as caught:
        read_report(sample("teams_old_actions.csv"), zone=ZONE)

    assert (caught.value.kind, caught.value.details) == (
        ReportProblem.MISSING_COLUMNS,
        {"platform": TEAMS, "columns": ["Email"]},
    )


def test_webex_attendee_report_in_utf16_with_tabs():
    report = read_report(sample("webex_attendees.csv"), zone=ZONE)

    assert (report.platform, report.encoding, report.separator) == (WEBEX, "UTF-16", "\t")
    assert [(p.name, p.email, p.joined_at) for p in report.participants] == [
        ("Ana Díaz", "ana.diaz@example.com", utc(8, 3)),
        ("Erik Berg", "Erik.Berg@example.com", utc(8, 0)),
        ("Lena Novak", "lena.novak@example.com", utc(8, 20)),
    ]


def test_webex_saved_with_semicolons_in_windows_1252_keeps_its_accents():
    report = read_report(sample("webex_semicolons_cp1252.csv"), zone=ZONE)

    assert (report.platform, report.encoding, report.separator) == (WEBEX, "Windows-1252", ";")
    assert [(p.name, p.joined_at) for p in report.participants] == [("Ana Díaz", utc(8, 3)), ("Erik Berg", utc(8, 0))]


def test_the_format_comes_from_the_headers_not_the_separator_or_bom():
    zoom = "Name (Original Name);User Email;Join Time\nAna;ana@example.com;2030-10-30 09:00:00\n"

    semicolons = read_report(zoom.encode("utf-8"), zone=ZONE)
    with_bom = read_report(codecs.BOM_UTF8 + zoom.replace(";", "\t").encode("utf-8"), zone=ZONE)
    utf16_without_bom = read_report(zoom.encode("utf-16-le"), zone=ZONE)

    assert [(r.platform, r.separator, r.encoding) for r in (semicolons, with_bom, utf16_without_bom)] == [
        (ZOOM, ";", "UTF-8"),
        (ZOOM, "\t", "UTF-8"),
        (ZOOM, ";", "UTF-16"),
    ]
    assert {r.participants[0].joined_at for r in (semicolons, with_bom, utf16_without_bom)} == {utc(8, 0)}


def test_times_with_a_zone_are_taken_as_written():
    zone = ZoneInfo(ZONE)

    assert parse_time("2030-10-30T08:00:00Z", zone, day_first=True) == utc(8, 0)
    assert parse_time("2030-10-30 10:00:00+02:00", zone, day_first=True) == utc(8, 0)
    assert parse_time("10/30/2030 12:15 PM", zone, day_first=False) == utc(11, 15)
    assert parse_time("10/30/2030 12:15 AM", zone, day_first=False) == datetime(2030, 10, 29, 23, 15, tzinfo=UTC)


# --- bad input -----------------------------------------------------------------------------------


def problem(data: bytes, **options) -> tuple[str, dict]:
    with pytest.raises(ReportProblem) as caught:
        read_report(data, zone=ZONE, **options)
    return caught.value.kind, caught.value.details


EMPTY_FILES = [b"", b"   \r\n\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + "\r\n".encode("utf-16-le")]


@pytest.mark.parametrize("data", EMPTY_FILES)
def test_an_empty_file_is_refused(data):
    assert problem(data) == (ReportProblem.EMPTY, {})


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    assert problem(b"x" * 2049, max_bytes=2048) == (ReportProblem.TOO_LARGE, {"size": 2049, "limit": 2048})


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4,  # a picture
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x81\x8d\x8f\x90\x9d" * 50,  # a spreadsheet
        codecs.BOM_UTF16_LE + b"N\x00a\x00\x00\xd8",  # UTF-16 with half a character
    ],
)
def test_a_file_that_is_not_text_in_a_known_encoding_is_refused(data):
    assert problem(data) == (ReportProblem.ENCODING, {})


def test_a_file_of_no_known_format_is_refused():
    assert problem(b"Vorname,Nachname,Telefon\nAna,Diaz,123\n") == (ReportProblem.UNKNOWN_FORMAT, {})
    assert problem(b"just a line of text\n") == (ReportProblem.UNKNOWN_FORMAT, {})


@pytest.mark.parametrize(
    ("header", "platform", "missing"),
    [
        ("Name (Original Name),Join Time,Leave Time,Duration (Minutes)", ZOOM, ["User Email"]),
        ("Name (Original Name),User Email,Leave Time,Guest", ZOOM, ["Join Time"]),
        ("Name,Last Leave,In-Meeting Duration,Role", TEAMS, ["Email", "First Join"]),
        ("Attendee Name,Attendee Email,Leave Time,Attendance Duration", WEBEX, ["Join Time"]),
    ],
)
def test_missing_columns_are_named_for_the_platform_the_headers_show(header, platform, missing):
    data = (header + "\nAna,ana@example.com,x,y\n").encode()

    assert problem(data) == (ReportProblem.MISSING_COLUMNS, {"platform": platform, "columns": missing})


def test_a_report_with_headers_and_no_rows_lists_no_participants():
    assert problem(b"Name,Attendee Email,Join Time\r\n\r\n") == (ReportProblem.NO_PARTICIPANTS, {"platform": WEBEX})


def test_a_join_time_that_is_not_a_time_names_its_line():
    data = b"Name,Attendee Email,Join Time\nAna,ana@example.com,10/30/2030 9:03 AM\nErik,erik@example.com,soon\n"

    assert problem(data) == (ReportProblem.BAD_TIME, {"line": 3, "value": "soon"})


def test_duplicate_rows_are_all_returned_for_the_caller_to_merge():
    data = (
        b"Name (Original Name),User Email,Join Time\n"
        b"Ana,ana@example.com,10/30/2030 09:10:00 AM\n"
        b"Ana,ana@example.com,10/30/2030 09:10:00 AM\n"
        b"Ana,ANA@example.com,10/30/2030 09:01:00 AM\n"
    )

    assert [(p.line, p.email, p.joined_at) for p in read_report(data, zone=ZONE).participants] == [
        (2, "ana@example.com", utc(8, 10)),
        (3, "ana@example.com", utc(8, 10)),
        (4, "ANA@example.com", utc(8, 1)),
    ]
