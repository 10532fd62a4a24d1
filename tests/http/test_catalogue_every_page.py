"""No visible text escapes the catalogue, on every page: each GET page of the access matrix's world is rendered in
the pseudo-locale (tests/pseudo.py), as the visitor the matrix names, and whatever words show outside ⟦…⟧ are
neither the page's data (any text stored in the database), dates in that language, nor the time zones' names.

`NOT_YET_WRAPPED` lists the pages whose strings are not all in the catalogue yet, each with what escapes; it may
only shrink: a page listed there that escapes nothing fails the test until it is taken out.
"""

import re

import pytest
from babel import dates as babel_dates

from app import create_app, zones
from tests import pseudo
from tests.conftest import make_config
from tests.http.route_world import build_world, dump_tables, organiser_client, speaker_client, url_for_rule
from tests.http.test_access_matrix import (
    ORGANISER,
    ORGANISER_SELF,
    PUBLIC,
    RULES,
    SPEAKER,
    SPEAKER_SELF,
    TOKEN,
    values_for,
)

#: Pages not yet wholly wrapped (endpoint -> the area that will wrap them). Only shrinks.
NOT_YET_WRAPPED: dict[str, str] = {}


@pytest.fixture(scope="module")
def pseudo_app(app, tmp_path_factory):
    """The app with the pseudo-locale as its only translation."""
    directory = pseudo.build_catalogue(str(tmp_path_factory.mktemp("pseudo")))
    return create_app(make_config(BABEL_TRANSLATION_DIRECTORIES=directory, WTF_CSRF_ENABLED=True))


def _stored_text() -> tuple[tuple[str, ...], set[str]]:
    """Every string stored in the database: the pages' own data, not words of the app. The short ones ("en", a
    language; "Ms", a title) are only told apart as whole fragments, not taken out of the middle of words."""
    values = set()
    for rows in dump_tables().values():
        for row in rows:
            values.update(v.strip() for v in row if isinstance(v, str) and v.strip())
    return (*(v for v in values if len(v) >= 5), *LANGUAGE_NAMES, *_zone_labels()), {v for v in values if len(v) < 5}


def _zone_labels() -> tuple[str, ...]:
    """The time zones' labels, in English and in the pseudo-locale ("Tbilisi, Georgia (UTC+4)", "Tbiliso,
    Kartvelujo (UTC+4)"): names of places from tzdata and CLDR, not words of the app."""
    english = tuple(zones.label(z.name) for z in zones.canonical_zones())
    return english + tuple(f"{zones.place(z, pseudo.PSEUDO)} (" for z in zones.canonical_zones())


#: Each language's name in itself, on the switch.
LANGUAGE_NAMES = ("English", "Français", "Esperanto")
#: Besides the names of months and days, what the pseudo-locale's dates and times are made of.
_DATE_PARTS = re.compile(r"^(\d+(-a)?|a|la|de|[A-Z]{3,4}|UTC[+−-]?\d*)$")


def _calendar_words() -> tuple[str, ...]:
    """The pseudo-locale's own month and day names (dates come from Babel's data, not the catalogue)."""
    words = set()
    for width in ("wide", "abbreviated", "narrow"):
        for context in ("format", "stand-alone"):
            words.update(babel_dates.get_month_names(width, context, locale=pseudo.PSEUDO).values())
            words.update(babel_dates.get_day_names(width, context, locale=pseudo.PSEUDO).values())
    return tuple(w.lower() for w in words if len(w) > 1)


def _a_date(fragment: str, calendar: set[str]) -> bool:
    """Whether a fragment of text is only a date or time in the pseudo-locale ("vendredo, la 30-a de oktobro")."""
    words = [w for w in re.split(r"[\s,.:–/()·]+|-(?!a\b)", fragment) if w]
    return all(w.lower() in calendar or _DATE_PARTS.match(w) for w in words)


def _short_data(fragment: str, short: set[str]) -> bool:
    """Whether a fragment is only short stored values and punctuation (": Ms", what is left of "Ms Ana Díaz")."""
    words = re.findall(r"\w+", fragment)
    return bool(words) and all(w in short for w in words)


def _an_address(fragment: str) -> bool:
    """Whether a fragment is an absolute address written out (the report prints its registration address), whose
    stored parts (the slug) the data check already took out."""
    return re.match(r"^https?://[^\s/]+/\S*( \S*)*$", fragment.strip()) is not None


def _pages(app) -> list[tuple[str, str]]:
    pages = []
    for endpoint, rule in RULES.items():
        if rule.kind not in (ORGANISER, ORGANISER_SELF, SPEAKER, SPEAKER_SELF, TOKEN, PUBLIC):
            continue
        for url_rule in app.url_map.iter_rules(endpoint):
            if "GET" in url_rule.methods:
                pages.append((endpoint, url_rule))
    return pages


def test_no_visible_text_of_any_page_escapes_the_catalogue(pseudo_app):
    # The rows are made in an app context of their own; each request then has its own (a request inside an
    # outer context of the same app would share its `g`, and with it the signed-in user).
    with pseudo_app.app_context():
        world = build_world()
        (data, short), calendar = _stored_text(), set(_calendar_words())
        pages = _pages(pseudo_app)
    clients = {
        ORGANISER: organiser_client(pseudo_app, world.alpha.organiser_email),
        SPEAKER: speaker_client(pseudo_app, world.alpha.speaker_sign_in_token),
        PUBLIC: pseudo_app.test_client(),
    }
    clients[ORGANISER_SELF], clients[SPEAKER_SELF], clients[TOKEN] = (
        clients[ORGANISER],
        clients[SPEAKER],
        clients[PUBLIC],
    )
    for client in clients.values():
        client.set_cookie("lang", pseudo.PSEUDO)

    escaped, unchecked = {}, []
    for endpoint, url_rule in pages:
        rule = RULES[endpoint]
        if "token" in url_rule.arguments and not rule.real_token:
            continue  # no real private link of this kind in the world (the sweep opens them in the browser)
        extra = {"token": getattr(world.alpha, rule.real_token)} if rule.real_token else {}
        path = url_for_rule(url_rule, values_for(rule, url_rule, world.alpha, extra))
        response = clients[rule.kind].get(path)
        if response.status_code >= 400:
            unchecked.append(f"{endpoint} {path}: {response.status_code}")
        if response.status_code != 200 or response.mimetype != "text/html":
            continue  # redirects, feeds, CSV and JSON (their words are checked with the emails and invites)
        words = [
            w
            for w in pseudo.escaped_text(response.get_data(as_text=True), data=data)
            if not _short_data(w, short) and not _a_date(w, calendar) and not _an_address(w)
        ]
        if words or endpoint in NOT_YET_WRAPPED:
            escaped[endpoint] = words[:6]

    not_listed = {e: w for e, w in escaped.items() if e not in NOT_YET_WRAPPED}
    done = sorted(e for e in NOT_YET_WRAPPED if e in escaped and not escaped[e])
    assert not_listed == {}, "pages showing words that are not from the catalogue: " + " ".join(sorted(not_listed))
    assert done == [], f"these pages are wholly wrapped now: take them out of NOT_YET_WRAPPED: {done}"
    assert unchecked == [], "pages the test could not open as their visitor"
