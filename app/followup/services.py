"""The follow-up after a session: who gets which message, its preview, and the send that reaches each person once.

Those who attended (confirmed, marked attended) get a thank-you with the recordings, a link to their page (where
the slides and other materials are) and the survey; confirmed no-shows get a "sorry we missed you" with the
recordings and the link to their page; cancelled and waitlisted registrants get nothing, nor do anonymised ones
(no address is left). Each registration is followed up once: `registrations.followed_up_at` is set by the same
conditional UPDATE that picks the recipients (`... WHERE followed_up_at IS NULL RETURNING id`), in the same
transaction as their outbox rows. A repeated send, a send from two tabs at once or one retried after an
interruption (the transaction rolled back: no row, no mark) reaches nobody twice; a later send reaches only
those not followed up yet (attendance imported after the first send, say).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.activity import record
from app.attendance.recordings import session_recordings
from app.errors import DomainError
from app.extensions import db
from app.mail.followup_messages import compose_follow_up, follow_up_links, queue_follow_up
from app.models import EventSession, EventStatus, OutboxMessage, Registration, RegistrationStatus
from app.security import hash_token, new_token
from app.survey import services as survey


class FollowUpRefused(DomainError):
    pass


def follow_up_refusal(session: EventSession, *, now: datetime) -> str | None:
    """Why the follow-up cannot be sent now, in the organisers' words; None when it can."""
    if session.is_cancelled or session.event.status == EventStatus.CANCELLED:
        return _("This session was called off: there is no follow-up to send.")
    if now < session.ends_at:
        return _("The follow-up can be sent once the session has ended.")
    return None


def _not_followed_up(session: EventSession):
    return (
        Registration.session_id == session.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.followed_up_at.is_(None),
        Registration.anonymised_at.is_(None),
    )


@dataclass
class FollowUpPlan:
    """Who the follow-up would reach now, and who it already reached."""

    session: EventSession
    refusal: str | None
    thanks: list[Registration]
    sorry: list[Registration]
    #: How many registrations were followed up already, and when the last of them was.
    done: int
    last_sent_at: datetime | None
    #: Registrations that get nothing: by status ("waitlisted", "cancelled"), and the anonymised ones.
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def recipients(self) -> int:
        return len(self.thanks) + len(self.sorry)


def follow_up_plan(session: EventSession, *, now: datetime) -> FollowUpPlan:
    """The follow-up's recipients as it would be sent now (four queries whatever the number of registrations)."""
    pending = list(
        db.session.scalars(
            select(Registration).where(*_not_followed_up(session)).order_by(Registration.full_name, Registration.id)
        )
    )
    done, last = db.session.execute(
        select(func.count(), func.max(Registration.followed_up_at)).where(
            Registration.session_id == session.id, Registration.followed_up_at.is_not(None)
        )
    ).one()
    left_out = {status.value: 0 for status in (RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED)}
    left_out.update(
        {
            status.value: n
            for status, n in db.session.execute(
                select(Registration.status, func.count())
                .where(Registration.session_id == session.id, Registration.status != RegistrationStatus.CONFIRMED)
                .group_by(Registration.status)
            )
        }
    )
    left_out["anonymised"] = db.session.scalar(
        select(func.count()).where(
            Registration.session_id == session.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.followed_up_at.is_(None),
            Registration.anonymised_at.is_not(None),
        )
    )
    return FollowUpPlan(
        session=session,
        refusal=follow_up_refusal(session, now=now),
        thanks=[r for r in pending if r.attended_at is not None],
        sorry=[r for r in pending if r.attended_at is None],
        done=done,
        last_sent_at=last,
        left_out=left_out,
    )


@dataclass(frozen=True)
class Preview:
    """The two messages as their first recipients (or a sample attendee) would get them, in the current
    language; the private links are not real ones."""

    thanks: OutboxMessage
    sorry: OutboxMessage


def preview_follow_up(plan: FollowUpPlan, *, now: datetime) -> Preview:
    session = plan.session
    recordings = session_recordings(session)
    closes_at = survey.survey_of(session).closes_at

    def composed(registrations: list[Registration], *, attended: bool):
        sample = registrations[0] if registrations else _sample(session)
        message = compose_follow_up(
            sample, recordings, attended=attended, links=["#"] * 2, survey_closes_at=closes_at, now=now
        )
        return message  # never added to the database: written for the preview only

    return Preview(thanks=composed(plan.thanks, attended=True), sorry=composed(plan.sorry, attended=False))


def _sample(session: EventSession) -> Registration:
    """A registration standing in for the recipients when there are none (never added to the database)."""
    return Registration(full_name=_("Ana Example"), email="ana@example.org", session=session)


@dataclass(frozen=True)
class FollowUpSent:
    thanked: int
    told_sorry: int

    @property
    def total(self) -> int:
        return self.thanked + self.told_sorry


def send_follow_up(session: EventSession, *, by, now: datetime) -> FollowUpSent:
    """Send the follow-up to every confirmed registrant not followed up yet: a thank-you to those who attended, a
    "sorry we missed you" to the others, each once. Refused (FollowUpRefused) before the session has ended and
    for a cancelled session; with nobody left to reach, refused with a message that says so."""
    refusal = follow_up_refusal(session, now=now)
    if refusal:
        raise FollowUpRefused(refusal)
    claimed = db.session.execute(
        update(Registration)
        .where(*_not_followed_up(session))
        .values(followed_up_at=now)
        .returning(Registration.id)
        .execution_options(synchronize_session=False)
    ).scalars()
    ids = sorted(claimed)
    if not ids:
        raise FollowUpRefused(_("Everyone has been followed up already: nobody is left to send to."))
    registrations = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.id.in_(ids))
            .order_by(Registration.id)
            .execution_options(populate_existing=True)
        )
    )
    recordings = session_recordings(session)
    closes_at = survey.survey_of(session).closes_at
    thanked = 0
    for registration in registrations:
        attended = registration.attended_at is not None
        token = new_token()
        # A fresh manage link (the earlier one stops working): its token's hash is all that is kept.
        registration.manage_token_hash = hash_token(token)
        queue_follow_up(
            registration,
            recordings,
            attended=attended,
            links=follow_up_links(token, attended=attended),
            survey_closes_at=closes_at,
            now=now,
        )
        thanked += attended
    sent = FollowUpSent(thanked=thanked, told_sorry=len(registrations) - thanked)
    record(
        by=by,
        event=session.event,
        action="followup.sent",
        summary=(
            f"Sent the follow-up of the session “{session.title}”: {sent.thanked} thank-you, "
            f"{sent.told_sorry} sorry we missed you."
        ),
        target=session,
        now=now,
    )
    return sent
