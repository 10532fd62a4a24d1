"""Calendar entries of the public agenda with their absolute URLs (shared by the pages and the feeds)."""

from flask import current_app

from app.calendar.ical import Slot, google_calendar_url, item_slot, session_slot
from app.urls import external_url


def absolute(endpoint: str, **values) -> str:
    """An absolute URL on SERVER_BASE_URL, so feeds are the same bytes whichever host name was asked."""
    return external_url(endpoint, **values)


def slot_for_item(event, item) -> Slot:
    url = absolute("agenda.session_page", slug=event.slug, session_id=item.session_id) + f"#item-{item.id}"
    return item_slot(item, uid_domain=current_app.config["ICAL_UID_DOMAIN"], url=url)


def slot_for_session(event, session) -> Slot:
    url = absolute("agenda.session_page", slug=event.slug, session_id=session.id)
    return session_slot(session, uid_domain=current_app.config["ICAL_UID_DOMAIN"], url=url)


def google_link(event, thing) -> str:
    """The Google Calendar link of an agenda item or a session."""
    slot = slot_for_session(event, thing) if hasattr(thing, "items") else slot_for_item(event, thing)
    return google_calendar_url(slot)
