"""Message builders of the organisers' side: the password-reset link an organiser asks for, the message
organisers write to a session's registrants (and its test copy to themselves), and a speaker's answer to a slot
(declined, or accepted after all) told to the event's organisers. Each adds outbox rows to the caller's
transaction (never commits).

The reset link is a private link: the stored body holds its placeholder and the message keeps the link only
until it is delivered (app/mail/outbox.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from app import timeutil
from app.i18n import in_recipient_language
from app.mail.outbox import enqueue_message, link_placeholder
from app.models import Appearance, AppearanceResponse, EventSession, Organiser, OutboxMessage, Registration
from app.urls import external_url

PASSWORD_RESET_KIND = "organiser_password_reset"
REGISTRANTS_MESSAGE_KIND = "organiser_message"
SPEAKER_ANSWER_KIND = "organiser_speaker_answer"

#: An organiser's emails are in the language they last signed in with (English before that), never in the language
#: of the speaker or attendee whose action caused them.
to_organiser = in_recipient_language(lambda organiser, *_args, **_kwargs: organiser.language)


@to_organiser
def queue_password_reset(organiser: Organiser, link: str, *, now: datetime) -> OutboxMessage:
    """The single-use link to choose a new password, with what to do if someone else asked for it."""
    return enqueue_message(
        kind=PASSWORD_RESET_KIND,
        to_address=organiser.email,
        to_name=organiser.name,
        subject=_("Reset your organiser password"),
        body_text=(
            _("Someone (we hope you) asked to reset the password of your organiser account.")
            + "\n\n"
            + _("Choose a new password here within the hour:")
            + f"\n{link_placeholder(1)}\n\n"
            + _("The link works once. If you did not ask for this, ignore this message: your password stays as it is.")
            + "\n"
        ),
        private_links=[link],
        not_before=now,
    )


def queue_speaker_answer(appearance: Appearance, *, now: datetime) -> list[OutboxMessage]:
    """Tell each active organiser of the slot's event that its speaker declined it (or accepted it after
    declining): who, which slot and when, their note, and the link to the item in the organisers' editor; each
    in their own language."""
    organisers = appearance.item.session.event.organisers
    return [
        _tell_speaker_answer(organiser, appearance, now=now)
        for organiser in sorted(organisers, key=lambda o: o.id)
        if organiser.is_active
    ]


@to_organiser
def _tell_speaker_answer(organiser: Organiser, appearance: Appearance, *, now: datetime) -> OutboxMessage:
    item, session = appearance.item, appearance.item.session
    event = session.event
    person = appearance.person
    declined = appearance.response == AppearanceResponse.DECLINED
    when = timeutil.format_range(item.starts_at, item.ends_at, event.timezone)
    note = appearance.response_note
    link = external_url("organiser.item_edit", item_id=item.id, _anchor="people")
    who = dict(name=person.display_name, role=appearance.role.label.lower(), title=item.title)
    if declined:
        answer = _("%(name)s declined their slot as %(role)s in “%(title)s”.", **who)
        subject = _("%(name)s declined “%(title)s”", name=person.display_name, title=item.title)
    else:
        answer = _("%(name)s accepted their slot as %(role)s in “%(title)s” after declining it.", **who)
        subject = _("%(name)s accepted “%(title)s”", name=person.display_name, title=item.title)
    lines = [
        _("Slot: %(title)s", title=item.title),
        _("Session: %(title)s", title=session.title),
        _("Event: %(title)s", title=event.title),
        _("When: %(when)s (%(zone)s)", when=when, zone=event.timezone),
    ]
    said = _("Their note:") + f"\n{note}" if note else _("They left no note.")
    body = f"{answer}\n\n" + "\n".join(lines) + f"\n\n{said}\n\n" + _("The item in the agenda editor:") + f"\n{link}\n"
    return enqueue_message(
        kind=SPEAKER_ANSWER_KIND,
        to_address=organiser.email,
        to_name=organiser.name,
        subject=subject,
        body_text=body,
        not_before=now,
        event=event,
        session=session,
    )


#: What `{name}` in the organisers' message becomes: the registrant's name.
NAME_PLACEHOLDER = "{name}"
#: The greeting the message form starts with: part of the text the organiser sees and edits.
GREETING = f"Dear {NAME_PLACEHOLDER},\n\n"


def greeting() -> str:
    """The greeting in the language of the page the organiser writes on ("Dear {name},")."""
    return _("Dear %(name)s,", name=NAME_PLACEHOLDER) + "\n\n"


TEST_SUBJECT_PREFIX = "[Test] "
REGISTRANTS_TEST_KIND = "organiser_message_test"

_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_URL = re.compile(r"https?://[^\s<>\"']+")
_URL_TRAILING = ".,;:!?"
_BREAK = Markup("<br>")


@dataclass(frozen=True)
class Composed:
    """One registrant's copy of the organisers' message: what the outbox sends."""

    subject: str
    text: str
    html: str


def compose_message_to_registrant(name: str, session: EventSession, *, subject: str, body: str) -> Composed:
    """The organisers' message as one registrant gets it: `{name}` in it (the greeting the form starts with)
    becomes their name, the event's contact and the session follow it; the HTML part is the same text,
    escaped, one paragraph per blank-line-separated block, line breaks kept, http(s) addresses as links."""
    signature = f"\n\n-- \n{session.event.contact_name or session.event.title}\n{session.title}\n"
    text = body.replace(NAME_PLACEHOLDER, name) + signature
    return Composed(subject=subject, text=text, html=text_to_html(text))


def text_to_html(text: str) -> Markup:
    """Plain text as HTML: everything escaped, blank lines make paragraphs, single line breaks <br>, bare
    http(s) addresses links (a full stop or comma right after an address is not part of it)."""
    paragraphs = [p.strip("\n") for p in _BLANK_LINES.split(text.strip()) if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(_BREAK.join(_linked(line) for line in p.splitlines())) for p in paragraphs
    )


def _linked(line: str) -> Markup:
    parts, start = [], 0
    for found in _URL.finditer(line):
        url = found.group().rstrip(_URL_TRAILING)
        if url.endswith(")") and "(" not in url:
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        parts.append(escape(line[start : found.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        start = found.start() + len(url)
    parts.append(escape(line[start:]))
    return Markup("").join(parts)


@in_recipient_language(lambda registration, *_args, **_kwargs: registration.language)
def queue_message_to_registrant(
    registration: Registration, session: EventSession, *, subject: str, body: str, now: datetime
) -> OutboxMessage:
    """The organisers' message (subject and body as they wrote it, `{name}` filled) to one registrant."""
    composed = compose_message_to_registrant(registration.full_name, session, subject=subject, body=body)
    message = enqueue_message(
        kind=REGISTRANTS_MESSAGE_KIND,
        to_address=registration.email,
        to_name=registration.full_name,
        subject=composed.subject,
        body_text=composed.text,
        body_html=composed.html,
        not_before=now,
        event=session.event,
        session=session,
        registration=registration,
    )
    message.created_at = now
    return message


@to_organiser
def queue_test_message(
    organiser: Organiser, session: EventSession, *, sample_name: str, recipients: int, subject: str, body: str,
    now: datetime,
) -> OutboxMessage:  # fmt: skip
    """The organisers' message as `sample_name` would get it, to the organiser alone: the subject starts with
    "[Test]" and a line above says so; no registration is attached, so nobody counts it as sent to them."""
    composed = compose_message_to_registrant(sample_name, session, subject=subject, body=body)
    note = ngettext(
        "This is a test of your message to the registrants of “%(title)s”, as %(name)s would get it. "
        "Nobody else got it. Sending it for real would email %(num)d registrant.",
        "This is a test of your message to the registrants of “%(title)s”, as %(name)s would get it. "
        "Nobody else got it. Sending it for real would email %(num)d registrants.",
        recipients,
        title=session.title,
        name=sample_name,
    )
    message = enqueue_message(
        kind=REGISTRANTS_TEST_KIND,
        to_address=organiser.email,
        to_name=organiser.name,
        subject=_("[Test] %(subject)s", subject=composed.subject),
        body_text=f"{note}\n\n{composed.text}",
        body_html=Markup("<p><strong>{}</strong></p>").format(note) + composed.html,
        not_before=now,
        event=session.event,
        session=session,
    )
    message.created_at = now
    return message
