"""The time zones people choose from: canonical IANA zones, named by city, country and current UTC offset.

The list is tzdata's own zone1970.tab (one row per canonical zone: no alias such as "GB" or "Turkey", no link,
no "Factory") with the country names of its iso3166.tab, both read from the pinned `tzdata` package so that the
list is the same on every machine. The picker shows a few common zones; any other is found by city or country.
Any name zoneinfo knows is still accepted (links bookmarked or stored before), only never offered.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_timezone_location
from flask import current_app, has_app_context
from flask_babel import gettext as _
from markupsafe import Markup

from app import timeutil
from app.i18n import DEFAULT_LANGUAGE, current_language

#: The cookie that remembers the zone a visitor chose on the public pages (the register form starts there).
COOKIE = "tz"
#: iso3166.tab's short names where people search for another one (the table says "Britain (UK)").
COUNTRY_NAMES = {"GB": "United Kingdom"}
#: How many matches a search lists at most; more means the words are too vague to be useful.
MAX_MATCHES = 12


@dataclass(frozen=True)
class Zone:
    name: str
    city: str
    #: The countries that keep this zone's time, the most populous first (tzdata's order).
    countries: tuple[str, ...]
    #: Other cities found here: those of zone.tab names that are links to this zone ("Amsterdam" for
    #: Europe/Brussels, the Netherlands' zone until tzdata merged them).
    cities: tuple[str, ...] = ()
    #: Other words that find it: tzdata's note for countries with several zones ("Eastern (most areas)"),
    #: iso3166.tab's own country name where COUNTRY_NAMES gives another.
    note: str = ""
    #: The ISO 3166 codes of `countries`, for their names in other languages.
    codes: tuple[str, ...] = ()

    def label(self, now: datetime | None = None) -> str:
        """'Tbilisi, Georgia (UTC+4)'; 'Cape Verde (UTC-1)' where the city is the country. In the page's
        language: 'Tbilissi, Géorgie (UTC+4)' in French (CLDR's city and country names, through Babel)."""
        if self.name == "UTC":
            return _("UTC (Coordinated Universal Time)")
        return f"{place(self, current_language())} ({utc_offset(self.name, now)})"

    @property
    def words(self) -> tuple[str, ...]:
        """What finds it: its names in English and in every language the app offers."""
        return _zone_words(self, _other_languages())


@lru_cache(maxsize=4096)
def _zone_words(zone: Zone, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a zone, worked out once per zone and set of languages (a search reads them for every zone)."""
    english = _words(" ".join((zone.name, zone.city, *zone.cities, *zone.countries, zone.note)))
    return english + tuple(word for language in languages for word in _words(place(zone, language)))


def _other_languages() -> tuple[str, ...]:
    if not has_app_context():
        return ()
    return tuple(language for language in current_app.extensions["languages"] if language != DEFAULT_LANGUAGE)


@lru_cache(maxsize=4096)
def names_in(zone: Zone, language: str) -> tuple[str, str]:
    """The zone's city and (first) country in `language`: tzdata's names in English, CLDR's (through Babel)
    in the others, tzdata's where CLDR has none."""
    city, country = zone.city, zone.countries[0] if zone.countries else ""
    if language != DEFAULT_LANGUAGE:
        city = get_timezone_location(zone.name, locale=language, return_city=True) or city
        if zone.codes:
            country = Locale.parse(language).territories.get(zone.codes[0], country)
    return city, country


def place(zone: Zone, language: str) -> str:
    """'Tbilisi, Georgia', or the city alone where it is the country ('Cape Verde'), in `language`."""
    city, country = names_in(zone, language)
    return city if city == country or not country else f"{city}, {country}"


@dataclass(frozen=True)
class Search:
    """What a search for a zone found: the one zone, several to choose from, or nothing."""

    text: str
    matches: tuple[Zone, ...] = ()

    @property
    def zone(self) -> str | None:
        return self.matches[0].name if len(self.matches) == 1 else None

    def problem(self) -> str | None:
        """What to tell the person when the search did not find exactly one zone."""
        if not self.text or self.zone:
            return None
        if not self.matches:
            return _("No time zone matches “%(text)s”: type a city, such as Lisbon, or a country.", text=self.text[:64])
        return _("Several time zones match “%(text)s”: choose one, or type its city.", text=self.text[:64])


def utc_offset(name: str, now: datetime | None = None) -> str:
    """'UTC+4', 'UTC+5:30', 'UTC-3', 'UTC+0': the zone's offset now."""
    offset = (now or datetime.now(UTC)).astimezone(ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def _data(filename: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", filename).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _city(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("_", " ")


@lru_cache(maxsize=1)
def canonical_zones() -> tuple[Zone, ...]:
    """Every zone of zone1970.tab and UTC, sorted by city."""
    iso_names = {row[0]: row[1] for row in _data("iso3166.tab")}
    countries = iso_names | COUNTRY_NAMES
    aliases: dict[str, list[str]] = {}
    for row in _data("zone.tab"):
        if row[2] in _links():
            aliases.setdefault(_links()[row[2]], []).append(_city(row[2]))
    zones = []
    for codes, _coordinates, name, *note in _data("zone1970.tab"):
        codes = codes.split(",")
        renamed = [iso_names[code] for code in codes if code in COUNTRY_NAMES]
        zones.append(
            Zone(
                name=name,
                city=_city(name),
                countries=tuple(countries[code] for code in codes),
                cities=tuple(aliases.get(name, ())),
                note=" ".join([*note, *renamed]),
                codes=tuple(codes),
            )
        )
    zones.append(Zone(name="UTC", city="UTC", countries=(), note="Coordinated Universal Time GMT Greenwich"))
    return tuple(sorted(zones, key=lambda z: _fold(z.city)))


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    """Each link's target (tzdata.zi's 'L target link' lines): 'GB' is Europe/London."""
    text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    return {link: target for _, target, link in (line.split() for line in text.splitlines() if line[:2] == "L ")}


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Zone]:
    return {zone.name: zone for zone in canonical_zones()}


def label(name: str, now: datetime | None = None) -> str:
    """The label of any zone. A link (stored before, or a browser's older name such as America/Buenos_Aires)
    gets its own city and country where zone.tab gives one ("Amsterdam, Netherlands"), else its target's."""
    if zone := _by_name().get(name):
        return zone.label(now)
    if code := _countries_of_links().get(name):
        countries = {row[0]: row[1] for row in _data("iso3166.tab")} | COUNTRY_NAMES
        link = Zone(name=name, city=_city(name), countries=(countries[code],), codes=(code,))
        return f"{place(link, current_language())} ({utc_offset(name, now)})"
    if target := _by_name().get(_links().get(name, "")):
        return target.label(now)
    return f"{name.replace('_', ' ')} ({utc_offset(name, now)})"


@lru_cache(maxsize=1)
def _countries_of_links() -> dict[str, str]:
    """The country code of each link zone.tab lists ('Europe/Amsterdam': 'NL')."""
    return {row[2]: row[0] for row in _data("zone.tab") if row[2] in _links()}


def choices(*first: str | None, now: datetime | None = None) -> list[tuple[str, str]]:
    """(name, label) pairs for a short select: the given zones (the one chosen, the event's), then the common
    ones; any other zone is found with `find`."""
    names = dict.fromkeys(n for n in (*first, *timeutil.COMMON_ZONES) if timeutil.is_valid_zone(n))
    return [(name, label(name, now)) for name in names]


def options(selected: str, *first: str | None, now: datetime | None = None) -> Markup:
    """The <option>s of a short zone picker: `first`, the selected zone (marked), then the common ones."""
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(name, Markup(" selected") if name == selected else "", text)
        for name, text in choices(*first, selected, now=now)
    )


def _fold(text: str) -> str:
    """Lower case without accents, so that 'sao paulo' finds São Paulo and 'curacao' Curaçao."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9]+", _fold(text)))


def find(text: str | None) -> Search:
    """The zones a person's words name: a zone's name, its label, a city or a country.

    Every word must begin a word of the zone (its city, countries, name or note). An exact zone name, city
    or country name wins over a partial match, so "Georgia" finds Tbilisi, not South Georgia."""
    text = " ".join((text or "").split())[:200]
    if not text:
        return Search("")
    name = text.replace(" ", "_")
    if timeutil.is_valid_zone(name):
        canonical = _by_name().get(name) or _by_name().get(_links().get(name, ""))
        return Search(text, (canonical or Zone(name, _city(name), (name,)),))
    query = _words(re.sub(r"\((UTC|GMT)[^)]*\)\s*$", "", text))  # a label typed or pasted back
    if not query:
        return Search(text)
    phrase = " ".join(query)
    found = [z for z in canonical_zones() if all(any(w.startswith(q) for w in z.words) for q in query)]

    def said(*names: str) -> bool:
        return any(" ".join(_words(n)) == phrase for n in names)

    languages = _other_languages()

    def local(z: Zone, part: int) -> list[str]:
        return [names_in(z, language)[part] for language in languages]

    for exact in (
        [z for z in found if said(f"{z.city} {' '.join(z.countries[:1])}", *(place(z, lang) for lang in languages))],
        [z for z in found if said(z.city, *z.cities, *local(z, 0))],
        [z for z in found if said(*z.countries, *local(z, 1))],
        [z for z in found if all(q in z.words for q in query)],
    ):
        if exact:
            return Search(text, tuple(exact[:MAX_MATCHES]))
    return Search(text, tuple(found[:MAX_MATCHES]))
