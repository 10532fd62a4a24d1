"""Time zones: validating names, converting UTC to a zone, formatting for pages."""

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask

#: Zones offered first in the picker: the event's own and where the report's attendees join from.
COMMON_ZONES = [
    "Europe/Brussels",
    "UTC",
    "Europe/Lisbon",
    "Atlantic/Cape_Verde",
    "Africa/Lagos",
    "Asia/Tbilisi",
    "Asia/Karachi",
    "Europe/Vilnius",
    "Europe/Riga",
    "Europe/Rome",
    "Europe/Vienna",
    "Europe/Prague",
    "Europe/Warsaw",
    "Europe/Paris",
    "Africa/Casablanca",
]


#: The days an event may have. Far from datetime's own limits (years 1 and 9999), so that a time on any of
#: them can be shown in every zone (UTC-12 to UTC+14) without overflowing.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def is_plausible_day(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


@lru_cache(maxsize=1)
def all_zones() -> list[str]:
    """Every name zoneinfo knows, aliases and links included: accepted, never offered (app.zones offers)."""
    return sorted(available_timezones())


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(all_zones()) | {"UTC"}


def is_valid_zone(name: str | None) -> bool:
    """A real IANA name (looked up in the known names, never opened as a file path)."""
    return bool(name) and len(name) <= 64 and name in _zone_names()


def zone_or(name: str | None, fallback: str) -> str:
    """The zone name if it is a real IANA name, else the fallback."""
    return name if is_valid_zone(name) else fallback


def local_datetime(day: date, clock: time, zone_name: str) -> datetime:
    """A wall-clock time in a zone, as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def to_zone(value: datetime, zone_name: str) -> datetime:
    return value.astimezone(ZoneInfo(zone_name))


def format_time(value: datetime, zone_name: str) -> str:
    return to_zone(value, zone_name).strftime("%H:%M")


def format_date(value: datetime, zone_name: str) -> str:
    return to_zone(value, zone_name).strftime("%A %-d %B %Y")


def format_datetime(value: datetime, zone_name: str) -> str:
    """'Friday 30 October 2026, 10:00 CET'"""
    local = to_zone(value, zone_name)
    return f"{local.strftime('%A %-d %B %Y, %H:%M')} {local.tzname()}"


def format_range(start: datetime, end: datetime, zone_name: str) -> str:
    """'10:00–11:30 CET', with the day of the end when it differs."""
    s, e = to_zone(start, zone_name), to_zone(end, zone_name)
    end_text = e.strftime("%H:%M") if s.date() == e.date() else e.strftime("%-d %b %H:%M")
    return f"{s.strftime('%H:%M')}–{end_text} {e.tzname()}"


def format_when(start: datetime, end: datetime, zone_name: str) -> str:
    """'Friday 30 October 2026, 10:00–11:30 CET': the day and the range, as activity entries and updates say it."""
    return f"{format_date(start, zone_name)}, {format_range(start, end, zone_name)}"


def register(app: Flask) -> None:
    from app import zones  # zones builds on this module's names and checks

    app.add_template_filter(format_time, "time_in")
    app.add_template_filter(format_date, "date_in")
    app.add_template_filter(format_datetime, "datetime_in")
    app.add_template_filter(format_range, "range_in")
    app.add_template_filter(zones.label, "zone_label")
    app.add_template_global(zones.canonical_zones, "canonical_zones")
