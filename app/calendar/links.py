"""Calendar entries of the public agenda with their absolute URLs (shared by the pages and the feeds)."""

from app.calendar import identity
from app.calendar.ical import Slot, google_calendar_url, item_slot, session_slot
from app.i18n import DEFAULT_LANGUAGE, current_language, localised
from app.urls import external_url


def slot_for_item(event, item) -> Slot:
    url = external_url("agenda.session_page", slug=event.slug, session_id=item.session_id, _anchor=f"item-{item.id}")
    return item_slot(
        item,
        uid=identity.item_uid(item),
        sequence=identity.item_sequence(item),
        location=identity.location(item.session, item=item, join_link=False),
        cancelled=identity.is_called_off(item.session),
        url=url,
        wording=localised,
    )


def slot_for_session(event, session) -> Slot:
    return session_slot(
        session,
        uid=identity.session_uid(session),
        sequence=identity.session_sequence(session),
        location=identity.location(session, join_link=False),
        cancelled=identity.is_called_off(session),
        url=external_url("agenda.session_page", slug=event.slug, session_id=session.id),
        wording=localised,
    )


def google_link(event, thing) -> str:
    """The Google Calendar link of an agenda item or a session."""
    slot = slot_for_session(event, thing) if hasattr(thing, "items") else slot_for_item(event, thing)
    return google_calendar_url(slot)


def webcal(url: str) -> str:
    """The same address as webcal:// (RFC-less but universal): Apple Calendar and Outlook then subscribe and
    refresh it, where an https link only downloads a copy that never changes."""
    return "webcal://" + url.partition("://")[2]


def webcal_url(endpoint: str, /, **values) -> str:
    """The "Subscribe" link of a feed route, on SERVER_BASE_URL like every absolute link. Calendar apps send
    neither the language cookie nor the browser's Accept-Language: a link given in another language than
    English carries it (`?lang=fr`), and the feed is written in it (app.i18n.select_language)."""
    language = current_language()
    if language != DEFAULT_LANGUAGE:
        values.setdefault("lang", language)
    return webcal(external_url(endpoint, **values))


def register(app) -> None:
    """The template helpers of calendar links (registered by the factory)."""
    app.add_template_global(webcal_url, "webcal_url")
    app.add_template_global(identity.is_called_off, "is_called_off")
