"""Languages: which one a page is in, the switch between them, the recipient's language for mail, and name
sorting that follows the language's alphabet rather than character codes.

The catalogues live in `app/translations/<language>/LC_MESSAGES/messages.po` (domain "messages"), compiled to
`messages.mo` beside them. The languages offered are English (the source language of every message) plus every
folder there holding a compiled catalogue, found when the app starts: adding Portuguese is `pybabel init -l pt`,
translating, `make i18n-compile`, and no code change.

A page's language is, in order: the `lang` cookie the switch sets (when it names an offered language), the best
match of the browser's Accept-Language among the offered languages, else English. Mail is written in the
recipient's stored language (`in_recipient_language`), never in the language of whoever caused it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import contextmanager
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from flask import Blueprint, Flask, current_app, has_app_context, has_request_context, redirect, request, url_for
from flask_babel import Babel, force_locale, get_locale, refresh

#: The source language: every msgid is English, so it needs no catalogue.
DEFAULT_LANGUAGE = "en"
#: The cookie the language switch sets (HttpOnly and SameSite=Lax like every cookie here: no script needs it).
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Each language's own name, as the switch shows it (a language missing here shows its name from CLDR).
NATIVE_NAMES = {"en": "English", "fr": "Français"}
#: The blueprints of calendar feeds, whose `?lang=` chooses their language (calendar apps send no cookie).
FEED_BLUEPRINTS = {"calendar"}

bp = Blueprint("i18n", __name__)


def languages_in(directory: str) -> tuple[str, ...]:
    """English, then every language with a compiled catalogue in `directory`, sorted."""
    found = set()
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            if os.path.isfile(os.path.join(directory, name, "LC_MESSAGES", "messages.mo")) and _is_locale(name):
                found.add(name)
    found.discard(DEFAULT_LANGUAGE)
    return (DEFAULT_LANGUAGE, *sorted(found))


def _is_locale(name: str) -> bool:
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def available_languages() -> tuple[str, ...]:
    """The languages this app offers (found at start-up)."""
    return current_app.extensions["languages"]


def is_available(language: str | None) -> bool:
    return bool(language) and language in available_languages()


def select_language() -> str:
    """The page's language: the switch's cookie, else the browser's best match, else English."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    offered = available_languages()
    if request.blueprint in FEED_BLUEPRINTS and request.args.get("lang") in offered:
        return request.args["lang"]  # a subscribed feed's link says its language (calendar.links.webcal_url)
    chosen = request.cookies.get(COOKIE)
    if chosen in offered:
        return chosen
    return request.accept_languages.best_match(offered) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language being rendered now (the page's, or the recipient's inside `in_language`)."""
    locale = get_locale() if has_app_context() else None
    return str(locale) if locale is not None else DEFAULT_LANGUAGE


def language_or_default(language: str | None) -> str:
    """A stored language as it can be used: one the app offers, else English (a catalogue may have been removed)."""
    return language if is_available(language) else DEFAULT_LANGUAGE


@contextmanager
def in_language(language: str | None):
    """Everything inside (gettext, dates, templates) is in `language`, or English if it is not offered."""
    with force_locale(language_or_default(language)):
        yield


def in_recipient_language(language_of: Callable[..., str | None]):
    """Decorates a mail builder so that all of it (subject, bodies, invite text, dates) is written in the recipient's
    language: `language_of` gets the builder's arguments and returns the stored language, e.g.
    `@in_recipient_language(lambda registration, *_, **__: registration.language)`."""

    def decorate(builder):
        @wraps(builder)
        def in_their_language(*args, **kwargs):
            with in_language(language_of(*args, **kwargs)):
                return builder(*args, **kwargs)

        return in_their_language

    return decorate


def language_name(language: str) -> str:
    """'Français' for fr: a language's name in that language."""
    return NATIVE_NAMES.get(language) or Locale.parse(language).get_display_name(language).capitalize()


def switch_links(back: Any = None) -> list[dict[str, Any]]:
    """The switch's entries for this page: each offered language, its own name, and whether it is the current one.
    The way back is the page's path without its query string (the render cache keeps a page per path), or `back`
    when given (error pages go back to the home page, so that every 404 is the same page whatever its path)."""
    if not isinstance(back, str):
        back = request.path if has_request_context() else "/"
    current = current_language()
    return [
        {
            "code": code,
            "name": language_name(code),
            "current": code == current,
            "href": url_for("i18n.choose", code=code, next=back),
        }
        for code in available_languages()
    ]


def safe_next(target: str | None) -> str:
    """A path on this site to go back to, or "/": never another host (no scheme, no `//host`, no backslash
    tricks, no control characters)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in target) or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@bp.get("/language/<code>")
def choose(code: str):
    """The switch: remember the language in a cookie and go back to the page it was chosen on. An unknown
    language changes nothing."""
    response = redirect(safe_next(request.args.get("next")), code=303)
    if is_available(code):
        # The signed-in speaker's or organiser's stored language follows (their later emails are in it).
        for remember in current_app.extensions.get(CHOSEN_HOOKS, ()):
            remember(code)
        response.set_cookie(
            COOKIE,
            code,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


#: app.extensions key of the functions the switch calls with the language chosen (see `on_language_chosen`).
CHOSEN_HOOKS = "language_chosen"


def on_language_chosen(blueprint: Blueprint, remember: Callable[[str], None]) -> None:
    """Registers `remember(code)` to run when a visitor chooses a language with the switch: the speaker pages
    and the back office store it for the person signed in, so that the switch, not only a sign-in, decides
    the language of their later emails."""
    blueprint.record_once(lambda state: state.app.extensions.setdefault(CHOSEN_HOOKS, []).append(remember))


def add_language_headers(response):
    """Pages say their language, and that it depends on Accept-Language and the cookie (shared caches keep a copy
    per language)."""
    if response.mimetype == "text/html":
        response.headers["Content-Language"] = current_language()
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def localised(thing: Any, field: str, language: str | None = None) -> Any:
    """The organiser's wording of `thing`'s `field` in the current language (or `language`): the attribute
    `<field>_<language>` (an event's `title_fr`) where `thing` has one and it is given, else `field` itself, the
    English. In templates: `{{ event|localised('title') }}`."""
    language = str(language or current_language()).split("_")[0]
    if language != DEFAULT_LANGUAGE:
        translated = getattr(thing, f"{field}_{language}", None)
        if translated:
            return translated
    return getattr(thing, field)


@lru_cache(maxsize=1)
def _collator():
    import pyuca  # loads the Unicode collation table (a few hundred ms) once, on first use

    return pyuca.Collator()


def sort_key(name: str, locale: str | None = None) -> tuple:
    """A key that sorts names as people expect (Unicode Collation Algorithm): "Škarnulis" before "Tangney",
    "Émile" with "Emile", case ignored first. `locale` is taken for the day a tailored collation is needed (pyuca
    offers the root order, which suits English and French); it does not change the order yet."""
    return _collator().sort_key(name)


def surname_key(name: str, locale: str | None = None) -> tuple:
    """Sort by surname (the last word), then the whole name."""
    words = name.split()
    return (sort_key(words[-1] if words else "", locale), sort_key(name, locale))


def register(app: Flask) -> None:
    """Flask-Babel with our selector; the languages found now; the switch, the headers and template helpers.

    Babel's own time zone selector is left alone: times are always converted to an explicit zone (the event's or
    the viewer's, app.timeutil), never to Babel's."""
    directory = app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", os.path.join(app.root_path, "translations"))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.extensions["languages"] = languages_in(directory.split(";")[0])
    # One Babel per app: its domain keeps the loaded catalogues, which must not be shared by apps reading other
    # translation directories (the tests make some).
    Babel().init_app(app, locale_selector=select_language)
    # {% trans %} blocks are extracted trimmed (babel.cfg), so they are rendered trimmed too.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # Flask-Babel keeps the chosen locale in `g`; a request always chooses afresh (an app context that outlives
    # one request, as in a worker or a test, would otherwise keep the first request's language).
    app.before_request(refresh)
    app.register_blueprint(bp)
    app.after_request(add_language_headers)
    app.add_template_global(current_language, "current_language")
    app.add_template_global(switch_links, "language_switch")
    app.add_template_filter(localised, "localised")
