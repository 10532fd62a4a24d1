"""What organisers look at: the event's outbox, and the dashboard figures (drawn as SVG on the server)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import timeutil
from app.activity import record
from app.errors import DomainError
from app.extensions import db
from app.mail import outbox
from app.mail.followup_messages import FOLLOW_UP_KINDS, THANKS_KIND, follow_up_links
from app.mail.messages import MANAGE_LINK_KINDS
from app.models import (
    AttendeeGroup,
    Event,
    EventSession,
    Organiser,
    OutboxMessage,
    OutboxStatus,
    Person,
    Registration,
    RegistrationStatus,
)
from app.organiser import services as accounts
from app.registration import services as registration_services
from app.security import hash_token, new_token
from app.speakers import services as speaker_services

# --- the outbox ---------------------------------------------------------------------------------


def event_messages(event: Event, *, status: str | None = None, limit: int = 500) -> list[OutboxMessage]:
    """The event's messages, newest first."""
    query = select(OutboxMessage).where(OutboxMessage.event_id == event.id)
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    query = query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def outbox_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.event_id == event.id)
        .group_by(OutboxMessage.status)
    ).all()
    counts = {s.value: 0 for s in OutboxStatus}
    counts.update({s.value: n for s, n in rows})
    return counts


def shown_text(message: OutboxMessage, text: str | None) -> str:
    """A part of the message as organisers may read it: every private link masked (app.mail.outbox.masked)."""
    return outbox.masked(text, status=message.status, holds_links=message.private_links is not None)


def resend_message(message: OutboxMessage, *, by: Organiser, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue; the workers try it again from the first attempt.

    A message that carried a private link goes out with a fresh one (the failed one's was forgotten): a new
    manage link (the registration's old one stops working), a new speaker sign-in link, a new reset link.
    """
    if message.status != OutboxStatus.FAILED:
        raise DomainError(_("Only a failed message can be sent again."))
    if message.body_purged_at is not None:
        raise DomainError(_("The content of this message was deleted (retention or erasure): it cannot be sent again."))
    link = _fresh_link(message, now=now)
    if link is not None:
        message.private_links = link
    message.status = OutboxStatus.QUEUED
    message.not_before = now
    message.attempts = 0
    message.claimed_until = None
    event = db.session.get(Event, message.event_id) if message.event_id is not None else None
    summary = f"Queued the failed message {message.id} ({message.kind}) again."
    record(by=by, event=event, action="message.resent", summary=summary, target=message, now=now)
    return message


def _fresh_link(message: OutboxMessage, *, now: datetime) -> str | None:
    """A new private link for the message if its kind carries one; None for the kinds that carry none."""
    gone = DomainError(_("The private link of this message cannot be issued again: its recipient is gone."))
    if message.kind in FOLLOW_UP_KINDS:
        registration = db.session.get(Registration, message.registration_id) if message.registration_id else None
        if registration is None or registration.is_anonymised:
            raise gone
        token = new_token()
        registration.manage_token_hash = hash_token(token)
        return "\n".join(follow_up_links(token, attended=message.kind == THANKS_KIND))
    if message.kind in MANAGE_LINK_KINDS:
        registration = db.session.get(Registration, message.registration_id) if message.registration_id else None
        if registration is None:
            raise gone
        return registration_services.new_manage_url(registration)
    if message.kind == speaker_services.LINK_KIND:
        person = db.session.get(Person, message.person_id) if message.person_id else None
        if person is None or not person.email:
            raise gone
        return speaker_services.new_sign_in_url(person, now=now)
    if message.kind == accounts.RESET_KIND:
        organiser = accounts.active_organiser(message.to_address)
        if organiser is None:
            raise gone
        return accounts.new_reset_link(organiser, now=now)
    return None


# --- the dashboard ------------------------------------------------------------------------------


@dataclass
class SessionFigures:
    session: EventSession
    confirmed: int
    waitlisted: int
    cancelled: int
    #: Confirmed registrants marked as attended (by a platform's report or by hand).
    attended: int = 0
    #: Confirmed registrants not marked as attended once the session has ended (None before it ends).
    no_show: int | None = None
    #: Questions of confirmed and waitlisted attendees: (name, organisation, question).
    questions: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def registered(self) -> int:
        """Everyone who registered, whatever became of it (confirmed, waiting, cancelled)."""
        return self.confirmed + self.waitlisted + self.cancelled


@dataclass
class DayBar:
    day: date
    count: int
    x: float
    height: float


@dataclass
class Dashboard:
    sessions: list[SessionFigures]
    days: list[DayBar]
    max_per_day: int
    groups: list[tuple[str, int, float]]
    total_active: int


CHART_WIDTH, CHART_HEIGHT = 700, 160


def event_dashboard(event: Event, *, now: datetime | None = None) -> Dashboard:
    """Seats taken and waiting per session, who attended and who did not come once it has ended, registrations
    per day, the split by group, the questions."""
    session_ids = [s.id for s in event.sessions if s.registration_enabled]
    registrations = (
        list(
            db.session.scalars(
                select(Registration)
                .where(Registration.session_id.in_(session_ids))
                .order_by(Registration.created_at, Registration.id)
            )
        )
        if session_ids
        else []
    )
    by_session: dict[int, SessionFigures] = {
        s.id: SessionFigures(s, 0, 0, 0) for s in event.sessions if s.registration_enabled
    }
    per_day: Counter[date] = Counter()
    groups: Counter[AttendeeGroup] = Counter()
    for r in registrations:
        figures = by_session[r.session_id]
        if r.status == RegistrationStatus.CONFIRMED:
            figures.confirmed += 1
            figures.attended += r.attended_at is not None
        elif r.status == RegistrationStatus.WAITLISTED:
            figures.waitlisted += 1
        else:
            figures.cancelled += 1
        per_day[timeutil.to_zone(r.created_at, event.timezone).date()] += 1
        if r.status != RegistrationStatus.CANCELLED:
            groups[r.group] += 1
            if r.question.strip():
                figures.questions.append((r.full_name, r.organisation, r.question.strip()))
    now = now or datetime.now(UTC)
    for figures in by_session.values():
        if figures.session.ends_at <= now:
            figures.no_show = figures.confirmed - figures.attended
    days = _day_bars(per_day)
    total = sum(groups.values())
    group_rows = [
        (g.label, groups[g], round(100 * groups[g] / total, 1) if total else 0.0) for g in AttendeeGroup if groups[g]
    ]
    return Dashboard(list(by_session.values()), days, max(per_day.values(), default=0), group_rows, total)


def _day_bars(per_day: Counter[date]) -> list[DayBar]:
    """Every day from the first registration to the last (days without any show as gaps), scaled to the chart."""
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    span = (last - first).days + 1
    slot = CHART_WIDTH / span
    top = max(per_day.values())
    bars = []
    for offset in range(span):
        day = first + timedelta(days=offset)
        count = per_day.get(day, 0)
        bars.append(DayBar(day, count, round(offset * slot, 1), round((CHART_HEIGHT - 20) * count / top, 1)))
    return bars
