"""Message builders of the organisers' side: the password-reset link an organiser asks for, and the message
organisers write to a session's registrants. Each adds one outbox row to the caller's transaction (never
commits).

The reset link is a private link: the stored body holds its placeholder and the message keeps the link only
until it is delivered (app/mail/outbox.py).
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import escape

from app.mail.outbox import enqueue_message, link_placeholder
from app.models import EventSession, Organiser, OutboxMessage, Registration

PASSWORD_RESET_KIND = "organiser_password_reset"
REGISTRANTS_MESSAGE_KIND = "organiser_message"


def queue_password_reset(organiser: Organiser, link: str, *, now: datetime) -> OutboxMessage:
    """The single-use link to choose a new password, with what to do if someone else asked for it."""
    return enqueue_message(
        kind=PASSWORD_RESET_KIND,
        to_address=organiser.email,
        to_name=organiser.name,
        subject="Reset your organiser password",
        body_text=(
            "Someone (we hope you) asked to reset the password of your organiser account.\n\n"
            f"Choose a new password here within the hour:\n{link_placeholder(1)}\n\n"
            "The link works once. If you did not ask for this, ignore this message: your password stays as it is.\n"
        ),
        private_links=[link],
        not_before=now,
    )


def queue_message_to_registrant(
    registration: Registration, session: EventSession, *, subject: str, body: str, now: datetime
) -> OutboxMessage:
    """The organisers' message (subject and body as they wrote it) to one registrant of the session: a
    greeting by name before it, the event's contact and the session after it; the HTML part one paragraph
    per blank-line-separated block."""
    signature = f"\n\n-- \n{session.event.contact_name or session.event.title}\n{session.title}\n"
    text = f"Dear {registration.full_name},\n\n{body}{signature}"
    message = enqueue_message(
        kind=REGISTRANTS_MESSAGE_KIND,
        to_address=registration.email,
        to_name=registration.full_name,
        subject=subject,
        body_text=text,
        body_html="".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip()),
        not_before=now,
        event=session.event,
        session=session,
        registration=registration,
    )
    message.created_at = now
    return message
