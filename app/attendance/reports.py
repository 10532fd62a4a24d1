"""Reading the attendance reports that Zoom, Microsoft Teams and Webex export: pure functions from bytes to rows.

Each platform writes its own columns, and the same platform writes them differently by version and by the
language of the account: Zoom's "Meeting participants" report (optionally after a block of meeting details),
Teams' attendance report (UTF-16 with tabs, in sections "1. Summary", "2. Participants", ..., or the older
flat list), Webex's attendee report (often UTF-16 with tabs too). The format is recognised from the header
row, never from the file's name; the text's encoding from its byte order mark, else UTF-8, else Windows-1252;
the separator (comma, semicolon or tab) from which one gives a known header row.

Times in these files carry no zone: they are read in the zone given (the event's), and returned in UTC.
Nothing here knows the database or Flask; a file that cannot be read raises `ReportProblem`, whose `kind`
and details the caller turns into a message in the reader's language.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ZOOM, TEAMS, WEBEX = "zoom", "teams", "webex"

#: The platforms' names as their users know them.
PLATFORM_NAMES = {ZOOM: "Zoom", TEAMS: "Microsoft Teams", WEBEX: "Webex"}


@dataclass(frozen=True)
class Column:
    """One column a platform writes: the names it goes by (lower case, spaces collapsed), the first as shown."""

    shown: str
    names: tuple[str, ...]

    def matches(self, header: str) -> bool:
        return header in self.names


@dataclass(frozen=True)
class Layout:
    platform: str
    #: Header words only this platform writes: one of them in a row makes it this platform's header row.
    markers: tuple[str, ...]
    name: Column
    email: Column
    joined: Column


LAYOUTS = (
    Layout(
        ZOOM,
        markers=("name (original name)", "user name (original name)", "duration (minutes)", "guest", "user email"),
        name=Column("Name (Original Name)", ("name (original name)", "user name (original name)", "name", "user name")),
        email=Column("User Email", ("user email", "email")),
        joined=Column("Join Time", ("join time",)),
    ),
    Layout(
        TEAMS,
        markers=("first join", "last leave", "in-meeting duration", "participant id (upn)", "user action", "full name"),
        name=Column("Name", ("name", "full name")),
        email=Column("Email", ("email", "participant id (upn)")),
        joined=Column("First Join", ("first join", "join time", "first join time", "timestamp")),
    ),
    Layout(
        WEBEX,
        markers=("attendee email", "attendance duration", "attendee name", "participant email"),
        name=Column("Name", ("name", "attendee name", "participant name", "display name")),
        email=Column("Attendee Email", ("attendee email", "email", "participant email")),
        joined=Column("Join Time", ("join time", "joined", "first join time")),
    ),
)

SEPARATORS = (",", ";", "\t")


class ReportProblem(ValueError):
    """A file that cannot be read as an attendance report; `kind` says why (one of the constants below)."""

    EMPTY = "empty"
    ENCODING = "encoding"
    UNKNOWN_FORMAT = "unknown_format"
    MISSING_COLUMNS = "missing_columns"
    NO_PARTICIPANTS = "no_participants"
    BAD_TIME = "bad_time"
    TOO_LARGE = "too_large"

    def __init__(self, kind: str, **details):
        super().__init__(kind, details)
        self.kind = kind
        self.details = details


@dataclass(frozen=True)
class Participant:
    """One row of the report: who, and when they joined (UTC; None when the row gives no time)."""

    line: int
    name: str
    email: str
    joined_at: datetime | None


@dataclass
class Report:
    platform: str
    encoding: str
    separator: str
    participants: list[Participant] = field(default_factory=list)


# --- text ----------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: by its byte order mark (UTF-8, UTF-16), else UTF-16 recognised by
    its zero bytes, else UTF-8, else Windows-1252. Raises ReportProblem(ENCODING) for what is none of them
    (a spreadsheet, a PDF, a picture)."""
    marks = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, encoding in marks:
        if data.startswith(bom):
            return _decoded(data, encoding, "UTF-16" if encoding == "utf-16" else "UTF-8")
    sample = data[:4000]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        # Mostly ASCII text written as UTF-16 without its mark: the zero bytes sit on one side.
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        return _decoded(data, "utf-16-be" if even_zeros > odd_zeros else "utf-16-le", "UTF-16")
    try:
        return _checked(data.decode("utf-8")), "UTF-8"
    except UnicodeDecodeError:
        return _decoded(data, "cp1252", "Windows-1252")


def _decoded(data: bytes, encoding: str, shown: str) -> tuple[str, str]:
    try:
        return _checked(data.decode(encoding)), shown
    except UnicodeDecodeError as error:
        raise ReportProblem(ReportProblem.ENCODING) from error


def _checked(text: str) -> str:
    """Text, not a binary file that happened to decode: no zero characters, few other control characters."""
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in text or controls > max(4, len(text) // 100):
        raise ReportProblem(ReportProblem.ENCODING)
    return text


# --- rows ----------------------------------------------------------------------------------------


def _header(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').lower().split())


def _rows(text: str, separator: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


@dataclass
class _Found:
    layout: Layout
    separator: str
    rows: list[list[str]]
    header_at: int
    missing: list[str]


def _find_header(rows: list[list[str]], separator: str) -> _Found | None:
    """The first row that carries a platform's marker and all the columns we need; else the first row with a
    marker (its missing columns are what the organiser is told); else None."""
    partial = None
    for index, row in enumerate(rows[:200]):
        headers = [_header(cell) for cell in row]
        if len(headers) < 2:
            continue
        for layout in LAYOUTS:
            if not any(h in layout.markers for h in headers):
                continue
            missing = [c.shown for c in (layout.email, layout.joined) if not any(c.matches(h) for h in headers)]
            found = _Found(layout, separator, rows, index, missing)
            if not missing:
                return found
            partial = partial or found
    return partial


def _column(headers: list[str], column: Column, *, after: int = -1) -> int | None:
    """The index of the column, preferring its first name; `after`: the first one past that index."""
    for name in column.names:
        for index, header in enumerate(headers):
            if index > after and header == name:
                return index
    return None


# --- times ---------------------------------------------------------------------------------------

_CLOCK = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:[.,]\d+)?\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?"
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<a>\d{1,2})-(?P<b>\d{1,2})[T ,]+" + _CLOCK + r"\s*(?P<z>Z|[+-]\d{2}:?\d{2})?$")
_SLASHED = re.compile(r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4}|\d{2}),?\s+" + _CLOCK + r"$")


def _parts(value: str):
    text = " ".join(value.strip().split())
    return _ISO.match(text) or _SLASHED.match(text)


def _day_first(values: list[str]) -> bool:
    """Whether the file's slashed dates put the day first (30/10/2027) rather than the month (10/30/2027): a
    first number above 12 says day first, a second one month first; otherwise a 12-hour clock (AM/PM, the
    American way) says month first, a 24-hour clock day first."""
    twelve_hour = False
    for value in values:
        match = _parts(value)
        if match is None or _ISO.match(" ".join(value.split())):
            continue
        if int(match["a"]) > 12:
            return True
        if int(match["b"]) > 12:
            return False
        twelve_hour = twelve_hour or bool(match["ampm"])
    return not twelve_hour


def parse_time(value: str, zone: ZoneInfo, *, day_first: bool) -> datetime:
    """A time as these reports write it (ISO, or 10/30/2027 10:00:12 AM, or 30/10/2027 10:00:12), in UTC.
    Raises ValueError for anything else."""
    match = _parts(value)
    if match is None:
        raise ValueError(value)
    iso = _ISO.match(" ".join(value.strip().split())) is not None
    year, a, b = int(match["y"]), int(match["a"]), int(match["b"])
    if year < 100:
        year += 2000  # Teams writes 10/30/27
    month, day = (a, b) if iso else ((b, a) if day_first else (a, b))
    hour, minute, second = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(value)
        hour = hour % 12 + (12 if match["ampm"].lower().startswith("p") else 0)
    zone_text = match.groupdict().get("z")
    if zone_text:
        stamp = datetime.fromisoformat(
            f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
            + ("+00:00" if zone_text == "Z" else zone_text)
        )
        return stamp.astimezone(UTC)
    return datetime(year, month, day, hour, minute, second, tzinfo=zone).astimezone(UTC)


# --- the report ----------------------------------------------------------------------------------


def read_report(data: bytes, *, zone: str, max_bytes: int | None = None) -> Report:
    """The participants of an attendance report, in the order of the file (repeated people stay repeated: the
    caller merges them). Raises ReportProblem when the file is too large, empty, not text, of no known format,
    lacks the columns we need, lists nobody, or has a join time that is not a time."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ReportProblem(ReportProblem.TOO_LARGE, size=len(data), limit=max_bytes)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReportProblem(ReportProblem.EMPTY)
    text, encoding = decode(data)
    if not text.strip():
        raise ReportProblem(ReportProblem.EMPTY)
    found = None
    for separator in sorted(SEPARATORS, key=lambda s: -text.count(s)):
        candidate = _find_header(_rows(text, separator), separator)
        if candidate is not None and (found is None or (found.missing and not candidate.missing)):
            found = candidate
        if found is not None and not found.missing:
            break
    if found is None:
        raise ReportProblem(ReportProblem.UNKNOWN_FORMAT)
    if found.missing:
        raise ReportProblem(ReportProblem.MISSING_COLUMNS, platform=found.layout.platform, columns=found.missing)
    report = Report(found.layout.platform, encoding, found.separator)
    report.participants = _participants(found, ZoneInfo(zone))
    if not report.participants:
        raise ReportProblem(ReportProblem.NO_PARTICIPANTS, platform=found.layout.platform)
    return report


def _participants(found: _Found, zone: ZoneInfo) -> list[Participant]:
    layout = found.layout
    headers = [_header(cell) for cell in found.rows[found.header_at]]
    name_at = _column(headers, layout.name)
    # Zoom's flat export with meeting data names the host's "User Email" first, the participant's after the name.
    email_at = _column(headers, layout.email, after=name_at if name_at is not None and layout.platform == ZOOM else -1)
    if email_at is None:
        email_at = _column(headers, layout.email)
    joined_at = _column(headers, layout.joined)
    table = []
    for offset, row in enumerate(found.rows[found.header_at + 1 :], start=found.header_at + 2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            if table:
                break  # a blank line ends the table (Teams' next section follows it)
            continue
        if len(cells) == 1 and re.match(r"^\d+\.\s", cells[0]):
            break  # Teams' next section: "3. In-Meeting Activities"
        if layout.platform == TEAMS and "user action" in headers:
            action = cells[headers.index("user action")].lower() if headers.index("user action") < len(cells) else ""
            if action.startswith("left"):
                continue  # the older flat list: only the rows where someone joined
        table.append((offset, cells))
    day_first = _day_first([cells[joined_at] for _, cells in table if joined_at < len(cells)])
    participants = []
    for line, cells in table:
        when = _cell(cells, joined_at)
        try:
            joined = parse_time(when, zone, day_first=day_first) if when else None
        except ValueError as error:
            raise ReportProblem(ReportProblem.BAD_TIME, line=line, value=when[:60]) from error
        participants.append(Participant(line, _cell(cells, name_at)[:200], _cell(cells, email_at)[:254], joined))
    return participants


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""
