"""Calendar feeds and .ics downloads of the public agenda: the whole agenda, a session, an item.

Part of the public read side (the blueprint keeps its name, `calendar`, and its endpoints). The calendar
objects themselves are built by app/calendar (ical.py pure, identity.py for UIDs and SEQUENCE).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, current_app, request

from app.calendar import identity
from app.calendar.ical import Slot, feed_calendar, to_bytes
from app.calendar.links import slot_for_item, slot_for_session
from app.i18n import current_language, localised
from app.public import queries
from app.render_cache import render_cache

bp = Blueprint("calendar", __name__)


@dataclass(frozen=True)
class _Feed:
    body: bytes
    etag: str
    stamp: datetime
    filename: str


@bp.get("/events/<slug>/agenda.ics")
def agenda_ics(slug: str):
    def build(event):
        slots = []
        for session in event.sessions:
            # A session without items (yet) still shows up in the calendar as itself.
            slots.extend([slot_for_item(event, i) for i in session.items] or [slot_for_session(event, session)])
        return f"{event.slug}-agenda", localised(event, "title"), slots, f"{event.slug}.ics"

    return _feed(slug, build)


@bp.get("/events/<slug>/sessions/<int:session_id>.ics")
def session_ics(slug: str, session_id: int):
    def build(event):
        session = queries.find_session(event, session_id) or abort(404)
        name = f"{event.slug}-session-{session.id}"
        title = f"{localised(session, 'title')} – {localised(event, 'title')}"
        return name, title, [slot_for_session(event, session)], f"{name}.ics"

    return _feed(slug, build)


@bp.get("/events/<slug>/items/<int:item_id>.ics")
def item_ics(slug: str, item_id: int):
    def build(event):
        item = queries.find_item(event, item_id) or abort(404)
        name = f"{event.slug}-item-{item.id}"
        title = f"{localised(item, 'title')} – {localised(event, 'title')}"
        return name, title, [slot_for_item(event, item)], f"{name}.ics"

    return _feed(slug, build)


def _feed(slug: str, build: Callable[[object], tuple[str, str, list[Slot], str]]) -> Response:
    """The feed's bytes (cached per data version) with a strong ETag, Last-Modified and Cache-Control.

    If-None-Match and If-Modified-Since answer 304; malformed ones are ignored by Werkzeug's parsers.
    """
    version = render_cache().version(slug, queries.agenda_version) or abort(404)
    key = (request.endpoint, tuple(sorted(request.view_args.items())), version, current_language())
    feed = render_cache().get(key)
    if feed is None:
        event = queries.public_event(slug) or abort(404)
        name, title, slots, filename = build(event)
        config = current_app.config
        stamp = queries.last_change(event)
        calendar = feed_calendar(
            identity.feed_uid(name),
            title,
            slots,
            stamp=stamp,
            refresh=timedelta(minutes=config["FEED_REFRESH_MINUTES"]),
        )
        body = to_bytes(calendar)
        feed = _Feed(body, hashlib.sha256(body).hexdigest()[:40], stamp, filename)
        render_cache().put(key, feed)
    response = Response(feed.body, mimetype="text/calendar")
    response.set_etag(feed.etag)
    response.last_modified = feed.stamp
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.headers["Content-Disposition"] = f'attachment; filename="{feed.filename}"'
    return response.make_conditional(request)
