"""Public pages: upcoming events, an event's agenda, sessions and speakers."""

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, session, url_for

from app import i18n, timeutil, zones
from app.calendar.links import google_link
from app.errors import DomainError
from app.materials import services as materials
from app.materials.uploads import download
from app.models.base import utcnow
from app.public import queries
from app.registration.services import RegistrationState, registration_state
from app.render_cache import render_cache
from app.report import services as report_services

bp = Blueprint("agenda", __name__)

#: The cookie that remembers the zone a visitor chose.
TZ_COOKIE = zones.COOKIE
TZ_COOKIE_MAX_AGE = 365 * 24 * 3600
#: Cookies a kept page may be served with: the zone is part of the key, the language part of every key.
KEPT_WITH_COOKIES = frozenset({TZ_COOKIE, i18n.COOKIE})
#: The render cache's version key of the list of events (slugs never contain a space).
INDEX_KEY = "all events"


@bp.get("/")
def index():
    today = datetime.now(UTC).date()
    cacheable = set(request.cookies) <= KEPT_WITH_COOKIES
    key = ("agenda.index", today, render_cache().version(INDEX_KEY, lambda _key: queries.events_version()))
    html = render_cache().get(key) if cacheable else None
    if html is None:
        html = render_template("agenda/index.html", events=queries.upcoming_events(today=today)).encode()
        if cacheable and not session.modified and not session:
            render_cache().put(key, html)
    return make_response(html)


@bp.get("/events/<slug>/")
def event(slug: str):
    return _agenda_page(
        slug, "agenda/event.html", lambda event: {"open_sessions": _open_sessions(event)}, with_materials=True
    )


def _open_sessions(event) -> list[tuple[object, RegistrationState]]:
    """The sessions a visitor can register for now (or join the waiting list of), with that state."""
    now = utcnow()
    states = ((session, registration_state(session, now=now)) for session in event.sessions)
    return [
        (session, state) for session, state in states if state in (RegistrationState.OPEN, RegistrationState.WAITLIST)
    ]


@bp.get("/events/<slug>/sessions/<int:session_id>/")
def session_page(slug: str, session_id: int):
    return _agenda_page(
        slug,
        "agenda/session.html",
        lambda event: {"session": queries.find_session(event, session_id) or abort(404)},
        with_materials=True,
    )


@bp.get("/events/<slug>/materials/<int:material_id>")
def material(slug: str, material_id: int):
    """A public file, once its session is over; before, and for any other file, 404."""
    try:
        found = materials.public_material(slug, material_id, now=utcnow())
    except DomainError:
        abort(404)
    return download(found)


@bp.get("/events/<slug>/speakers/")
def speakers(slug: str):
    return _agenda_page(slug, "agenda/speakers.html", lambda event: {"speakers": queries.event_speakers(event)})


@bp.get("/events/<slug>/speakers/<int:person_id>/")
def speaker(slug: str, person_id: int):
    return _agenda_page(
        slug, "agenda/speaker.html", lambda event: {"speaker": queries.find_speaker(event, person_id) or abort(404)}
    )


@bp.get("/events/<slug>/typologies")
def typologies(slug: str):
    """The event's typology matrix, once its organisers published it (404 before, and for drafts)."""
    found = report_services.public_matrix(slug) or abort(404)
    event, matrix = found
    return render_template("agenda/typologies.html", event=event, matrix=matrix)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


def _agenda_page(slug: str, template: str, context_for: Callable[[object], dict], *, with_materials: bool = False):
    """Render a page of the event's agenda in the visitor's zone, from the cache when nothing changed.

    The zone comes from ?tz= (then remembered in a cookie), else the cookie, else the event's own.
    ?find_zone= searches by city or country: one match shows the page in that zone (its own ?tz= URL),
    several are listed to choose from.
    Only visitors without a session share cached pages, so nothing personal is ever served to another.
    `with_materials`: the page lists the public files of the sessions that are over (one query, and none for an
    event without files, which the version already says); a kept page lasts until the next session ends.
    """
    version = render_cache().version(slug, queries.agenda_version) or abort(404)
    search = zones.find(request.args.get("find_zone"))
    if search.zone:
        return redirect(url_for(request.endpoint, **request.view_args, tz=search.zone), 303)
    asked = request.args.get("tz", "").strip()
    chosen = asked if timeutil.is_valid_zone(asked) else None
    unknown_zone = asked if asked and chosen is None else None
    remembered = request.cookies.get(TZ_COOKIE)
    chosen = chosen or (remembered if timeutil.is_valid_zone(remembered) else None)
    cacheable = unknown_zone is None and not search.text and set(request.cookies) <= KEPT_WITH_COOKIES
    now = datetime.now(UTC)
    # The day too: the picker's labels give each zone's offset today.
    key = (request.endpoint, tuple(sorted(request.view_args.items())), chosen, version, now.date())
    cached = render_cache().get(key) if cacheable else None
    html = cached[0] if cached is not None and (cached[1] is None or now < cached[1]) else None
    if html is None:
        event = queries.public_event(slug) or abort(404)
        context = context_for(event)
        if with_materials:
            listed = queries.has_materials(version)
            context["materials"] = materials.public_materials(event, now=now) if listed else {}
        zone = chosen or event.timezone
        html = render_template(
            template,
            event=event,
            zone=zone,
            unknown_zone=unknown_zone,
            zone_remembered=chosen is not None,
            zone_options=zones.options(zone, event.timezone, now=now),
            zone_search=search,
            google_link=google_link,
            **context,
        ).encode()  # cached as bytes, so a hit does not encode the page again
        if cacheable and not session.modified and not session:
            # The event page shows every session's registration state; the other pages at most one session's.
            clocked = event.sessions if "open_sessions" in context else [context.get("session")]
            render_cache().put(key, (html, _next_change_of_any(clocked, now)))
    response = make_response(html)
    response.vary.add("Cookie")  # the zone and language cookies change the page
    if asked and unknown_zone is None:
        # Like every cookie of the site: no script reads it, never sent cross-site, HTTPS only in production.
        response.set_cookie(
            TZ_COOKIE,
            asked,
            max_age=TZ_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


def _next_change_of_state(session, now: datetime) -> datetime | None:
    """When a session page changes with the clock alone (registration opens or closes, the session starts)."""
    if session is None:
        return None
    moments = (session.registration_opens_at, session.registration_closes_at, session.starts_at, session.ends_at)
    return min((m for m in moments if m is not None and m > now), default=None)


def _next_change_of_any(sessions, now: datetime) -> datetime | None:
    """The first moment any of `sessions` changes with the clock alone; None when none ever does."""
    moments = (_next_change_of_state(session, now) for session in sessions)
    return min((m for m in moments if m is not None), default=None)
