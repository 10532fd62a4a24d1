"""The outbox: store a message in the caller's transaction; workers deliver it later.

A private link (an attendee's manage link, a speaker's sign-in link, a password-reset link) never enters a
stored body: the builder writes `link_placeholder(n)` where the link goes and passes the links as
`private_links`. Delivery puts them into the copy it sends (`with_links`) and forgets them in the same
statement that marks the message sent, failed or cancelled; organisers' pages show `masked` bodies.
"""

import re
from collections.abc import Sequence
from datetime import datetime

from app.extensions import db
from app.models import Event, EventSession, OutboxMessage, OutboxStatus, Person, Registration

#: What organisers read in place of a private link, by the message's state.
LINK_HIDDEN = "[private link, shown only to the recipient]"
LINK_REMOVED = "[private link removed after sending]"
LINK_WITHDRAWN = "[private link removed: the message was not delivered]"

_PLACEHOLDER = re.compile(r"\[private link (\d+)\]")
#: Any address of a page a token opens, in case a body ever carried one outside the placeholders.
_TOKEN_URL = re.compile(
    r"(?:https?://[^\s\"'<>]*?)?/(?:registrations|speaker/sign-in|speaker/feed|organiser/reset)/[A-Za-z0-9_.\-]{16,}"
    r"[^\s\"'<>]*"
)


def link_placeholder(n: int = 1) -> str:
    """What a stored body holds where its n-th private link goes."""
    return f"[private link {n}]"


def with_links(text: str, links: Sequence[str]) -> str:
    """The body as it is sent: each placeholder replaced by its link."""
    if not links:
        return text
    return _PLACEHOLDER.sub(
        lambda match: links[int(match[1]) - 1] if 0 < int(match[1]) <= len(links) else match[0], text
    )


def links_of(message) -> list[str]:
    """The private links a message (or a claimed row) still holds; none once it was delivered or given up."""
    return message.private_links.split("\n") if message.private_links else []


def masked(text: str | None, *, status: OutboxStatus, holds_links: bool) -> str:
    """The body as organisers may read it: no private link, only what became of it."""
    if not text:
        return ""
    if status == OutboxStatus.SENT:
        shown = LINK_REMOVED
    elif holds_links:
        shown = LINK_HIDDEN
    else:
        shown = LINK_WITHDRAWN
    return _TOKEN_URL.sub(LINK_HIDDEN, _PLACEHOLDER.sub(shown, text))


def enqueue_message(**fields) -> OutboxMessage:
    """Add one message for one recipient to the current transaction; never commits."""
    message = new_message(**fields)
    db.session.add(message)
    return message


def new_message(
    *,
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    to_name: str = "",
    ics: str | None = None,
    ics_method: str | None = None,
    private_links: Sequence[str] = (),
    not_before: datetime | None = None,
    event: Event | None = None,
    session: EventSession | None = None,
    registration: Registration | None = None,
    person: Person | None = None,
) -> OutboxMessage:
    """One message for one recipient, not yet part of any transaction (see `enqueue_message`).

    `private_links` are the links the bodies' placeholders stand for (see the module's docstring).
    """
    message = OutboxMessage(
        kind=kind,
        to_address=to_address,
        to_name=to_name,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=ics,
        ics_method=ics_method,
        private_links="\n".join(private_links) or None,
        event_id=event.id if event else None,
        session_id=session.id if session else None,
        registration_id=registration.id if registration else None,
        person_id=person.id if person else None,
    )
    if not_before is not None:
        message.not_before = not_before
    return message
