"""Time zones: validating names, converting UTC to a zone, formatting for pages in the current language.

Every date and time a person reads is formatted here with Babel (CLDR) in the language being rendered (the page's,
or a mail's recipient's: app.i18n): "Friday 30 October 2026, 10:00–11:30 CET", "samedi 30 octobre 2027,
10:00–11:30 CEST". Times are 24-hour in every language; the zone is named by its abbreviation as the tz database
gives it (CET, CEST, +04). English takes its day and month forms from CLDR's Irish English (en_IE), the EU's
English, which writes "Friday 30 October 2026" with no comma after the day.
"""

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel import dates as babel_dates
from flask import Flask, has_app_context
from flask_babel import get_locale

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


#: Where a language's date forms come from, when not from the language itself.
_FORMAT_LOCALES = {"en": "en_IE"}


@lru_cache(maxsize=32)
def _formatting_locale(language: str) -> Locale:
    return Locale.parse(_FORMAT_LOCALES.get(language, language))


def formatting_locale() -> Locale:
    """The CLDR locale for the language being rendered now (English outside any request or mail)."""
    locale = get_locale() if has_app_context() else None
    return _formatting_locale(str(locale) if locale is not None else "en")


def format_time(value: datetime, zone_name: str) -> str:
    """'10:00' (24-hour in every language)."""
    return babel_dates.format_time(to_zone(value, zone_name), "HH:mm", locale=formatting_locale())


def format_date(value: datetime | date, zone_name: str | None = None) -> str:
    """'Friday 30 October 2026', 'vendredi 30 octobre 2026': the day in the zone (a plain date as it is)."""
    day = to_zone(value, zone_name).date() if isinstance(value, datetime) else value
    return babel_dates.format_date(day, "full", locale=formatting_locale())


def format_long_date(value: date) -> str:
    """'30 October 2026', '30 octobre 2026': a day without its weekday (event dates on lists)."""
    return babel_dates.format_date(value, "long", locale=formatting_locale())


def format_short_day(value: date) -> str:
    """'31 Oct', '31 oct.'."""
    return babel_dates.format_date(value, "d MMM", locale=formatting_locale())


def format_day_month(value: date) -> str:
    """'31 October', '31 octobre': a day of a month, without the year (the dashboard's days)."""
    return babel_dates.format_date(value, "d MMMM", locale=formatting_locale())


def format_datetime(value: datetime, zone_name: str) -> str:
    """'Friday 30 October 2026, 10:00 CET'"""
    local = to_zone(value, zone_name)
    return f"{format_date(local, zone_name)}, {format_time(local, zone_name)} {local.tzname()}"


def format_range(start: datetime, end: datetime, zone_name: str) -> str:
    """'10:00–11:30 CET', with the day of the end when it differs ('10:00–31 Oct 01:00 CET')."""
    s, e = to_zone(start, zone_name), to_zone(end, zone_name)
    end_text = format_time(e, zone_name)
    if s.date() != e.date():
        end_text = f"{format_short_day(e.date())} {end_text}"
    return f"{format_time(s, zone_name)}–{end_text} {e.tzname()}"


def format_when(start: datetime, end: datetime, zone_name: str) -> str:
    """'Friday 30 October 2026, 10:00–11:30 CET': the day and the range, as activity entries and updates say it."""
    return f"{format_date(start, zone_name)}, {format_range(start, end, zone_name)}"


def register(app: Flask) -> None:
    from app import zones  # zones builds on this module's names and checks

    app.add_template_filter(format_time, "time_in")
    app.add_template_filter(format_date, "date_in")
    app.add_template_filter(format_datetime, "datetime_in")
    app.add_template_filter(format_range, "range_in")
    app.add_template_filter(format_long_date, "long_date")  # {{ event.starts_on|long_date }}: "30 October 2026"
    app.add_template_filter(format_short_day, "short_day")  # "31 Oct"
    app.add_template_filter(format_day_month, "day_month")  # "31 October"
    app.add_template_filter(zones.label, "zone_label")
    app.add_template_global(zones.canonical_zones, "canonical_zones")
