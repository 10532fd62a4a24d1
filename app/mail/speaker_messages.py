"""Message builders for speakers: each renders templates/mail/speaker_<name>.txt and .html and adds one
outbox row to the caller's transaction (never commits).

The sign-in link is a private link: the stored bodies hold its placeholder and the message keeps the link
only until it is delivered (app/mail/outbox.py). A slot's invite comes from the caller, who holds the
slot's calendar identity; the builder only carries it.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from app import timeutil
from app.extensions import db
from app.i18n import in_recipient_language, localised
from app.mail.outbox import enqueue_message, link_placeholder
from app.models import Appearance, Event, OutboxMessage, Person, SlotNotice, Speaker

SIGN_IN_LINK_KIND = "speaker_link"
#: For each change to a slot: the message's kind.
SLOT_CHANGES = {
    "added": "speaker_invite",
    "moved": "speaker_update",
    "changed": "speaker_update",
    "cancelled": "speaker_cancel",
}


def _subject(change: str, title: str) -> str:
    """The subject of a slot's message, in the current language: what happened, then the item's title."""
    if change == "added":
        return _("You are in the programme: %(title)s", title=title)
    if change == "moved":
        return _("Your slot has been moved: %(title)s", title=title)
    if change == "changed":
        return _("Your slot has changed: %(title)s", title=title)
    return _("Your slot has been cancelled: %(title)s", title=title)


def speaker_language(address: str | None) -> str | None:
    """The language the human with this (normalised) address last used their speaker pages in, if any."""
    if not address:
        return None
    return db.session.scalar(select(Speaker.language).where(Speaker.email == address))


@in_recipient_language(lambda to_address, *_args, **_kwargs: speaker_language(to_address))
def queue_sign_in_link(to_address: str, person: Person | None, url: str) -> OutboxMessage:
    """The single-use link to the speaker pages, greeting the speaker by the record their pages start from."""
    name = person.display_name if person is not None else ""
    context = {"name": name, "url": link_placeholder(1), "minutes": current_app.config["SPEAKER_LINK_MINUTES"]}
    return enqueue_message(
        kind=SIGN_IN_LINK_KIND,
        to_address=to_address,
        to_name=name,
        subject=_("Your sign-in link for your speaker pages"),
        body_text=render_template("mail/speaker_link.txt", **context),
        body_html=render_template("mail/speaker_link.html", **context),
        private_links=[url],
        person=person,
    )


def _when(item, zone: str) -> str:
    """'18:00–19:00 JST (Asia/Tokyo); Wednesday 30 October 2030, 10:00–11:00 CET in the event's zone
    (Europe/Brussels)': the zone named, and the event's time too when the speaker's zone is another."""
    event_zone = item.session.event.timezone
    when = _("%(times)s (%(zone)s)", times=timeutil.format_range(item.starts_at, item.ends_at, zone), zone=zone)
    if zone == event_zone:
        return when
    event_when = timeutil.format_when(item.starts_at, item.ends_at, event_zone)
    return _(
        "%(when)s; %(event_when)s in the event's zone (%(zone)s)", when=when, event_when=event_when, zone=event_zone
    )


@in_recipient_language(lambda appearance, *_args, **_kwargs: speaker_language(appearance.person.email))
def queue_slot_changed(appearance: Appearance, *, change: str, zone: str, ics: str, ics_method: str) -> OutboxMessage:
    """The speaker's first invite (change "added"), updated invite ("moved") or cancellation ("cancelled") of
    one slot, its times in `zone`, with the iTIP message `ics`."""
    person, item = appearance.person, appearance.item
    session = item.session
    context = {
        "appearance": appearance,
        "person": person,
        "item": item,
        "session": session,
        "event": session.event,
        "change": change,
        "when": _when(item, zone),
        "day": timeutil.format_date(item.starts_at, zone),
    }
    return enqueue_message(
        kind=SLOT_CHANGES[change],
        to_address=person.email,
        to_name=person.display_name,
        subject=_subject(change, localised(item, "title")),
        body_text=render_template("mail/speaker_slot_changed.txt", **context),
        body_html=render_template("mail/speaker_slot_changed.html", **context),
        ics=ics,
        ics_method=ics_method,
        event=session.event,
        session=session,
        person=person,
    )


@in_recipient_language(lambda notice, *_args, **_kwargs: speaker_language(notice.to_address))
def queue_gone_slot_cancelled(notice: SlotNotice, event: Event, *, role: str, ics: str) -> OutboxMessage:
    """The cancellation of a slot that is gone from the programme (taken out while the event was a draft),
    from what the speaker was last sent of it (`notice`), with the iTIP CANCEL `ics`."""
    context = {"notice": notice, "event": event, "role": role}
    return enqueue_message(
        kind=SLOT_CHANGES["cancelled"],
        to_address=notice.to_address,
        to_name=notice.to_name,
        subject=_subject("cancelled", notice.item_title),
        body_text=render_template("mail/speaker_slot_gone.txt", **context),
        body_html=render_template("mail/speaker_slot_gone.html", **context),
        ics=ics,
        ics_method="CANCEL",
        event=event,
    )
