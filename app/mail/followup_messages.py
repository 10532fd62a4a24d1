"""The after-session follow-up, one message per attendee: a thank-you to those who attended (the recordings, a link
to their page where the slides and other materials are, the survey), a "sorry we missed you" to confirmed
no-shows (the recordings, the link to their page). Each is written in the recipient's language and added to
the caller's transaction (never commits).

Both links are private links (app/mail/outbox.py): the stored bodies hold their placeholders, the message keeps
the links only until it is delivered. The follow-up's service issues the manage token they carry.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.attendance.recordings import Recording
from app.extensions import db
from app.i18n import localised

# The attendee builders' own composer: the same layout, sender, registration and session fields.
from app.mail.messages import _compose, manage_url, to_attendee
from app.mail.outbox import link_placeholder
from app.models import OutboxMessage, Registration
from app.urls import external_url

THANKS_KIND = "follow_up_thanks"
SORRY_KIND = "follow_up_sorry"
#: Both carry the manage link (1) and the thank-you the survey link (2): sent again, they get fresh ones.
FOLLOW_UP_KINDS = (THANKS_KIND, SORRY_KIND)


def survey_url(token: str) -> str:
    """The private link to the registration's survey page."""
    return external_url("survey.answer", token=token)


def follow_up_links(token: str, *, attended: bool) -> list[str]:
    """The private links of the follow-up, in the order of its placeholders."""
    return [manage_url(token), survey_url(token)] if attended else [manage_url(token)]


def compose_follow_up(
    registration: Registration,
    recordings: list[Recording],
    *,
    attended: bool,
    links: list[str],
    survey_closes_at: datetime | None = None,
    now: datetime,
) -> OutboxMessage:
    """The follow-up for this registration in the current language, not added to any transaction (the preview
    shows it as it is; `queue_follow_up` sends it)."""
    title = localised(registration.session, "title")
    if attended:
        subject = _("Thank you for attending: %(title)s", title=title)
    else:
        subject = _("Sorry we missed you: %(title)s", title=title)
    message = _compose(
        "followup_thanks" if attended else "followup_sorry",
        registration,
        kind=THANKS_KIND if attended else SORRY_KIND,
        subject=subject,
        now=now,
        manage_link=links[0],
        survey_link=link_placeholder(2) if attended else None,
        recordings=recordings,
        now_time=now,
        survey_closes_at=survey_closes_at,
    )
    message.private_links = "\n".join(links)
    return message


@to_attendee
def queue_follow_up(
    registration: Registration,
    recordings: list[Recording],
    *,
    attended: bool,
    links: list[str],
    survey_closes_at: datetime | None = None,
    now: datetime,
) -> OutboxMessage:
    """The follow-up to one registrant, in their language, added to the caller's transaction."""
    message = compose_follow_up(
        registration, recordings, attended=attended, links=links, survey_closes_at=survey_closes_at, now=now
    )
    db.session.add(message)
    return message
