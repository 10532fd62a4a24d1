"""The privacy lifecycle of attendees' data: what a person can download, how a registration is anonymised,
and the retention job that does it by itself.

A registration is anonymised in place: name, email, organisation, question, accessibility needs, time zone
and the manage link go; status, group and times stay, so that seat counts, the list's counts and the
dashboard stay right. Its mail loses address, name and body. Accessibility needs (health data) go first:
when the registration is cancelled, when its session is called off or has ended.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, String, and_, cast, func, literal, or_, select, update

from app.activity import Actor, SystemActor, record
from app.extensions import db
from app.models import (
    Event,
    EventSession,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    SessionStatus,
    SurveyAnswer,
)
from app.wording import count

#: What an anonymised registration keeps in its unique columns (the email key and the manage token's hash):
#: unique per row, so the one-active-email index still holds, and never the sha256 of any token.
ERASED_PREFIX = "erased-"

#: Who applies the retention periods when no one asked (the outbox worker).
RETENTION_JOB = SystemActor("retention")

#: Outbox states in which a message may still go out.
UNSENT = (OutboxStatus.QUEUED, OutboxStatus.RETRYING, OutboxStatus.SENDING)
#: Outbox states after which a message never goes out again on its own.
FINISHED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED)


@dataclass(frozen=True)
class RetentionReport:
    """What one retention run changed."""

    needs_cleared: int
    anonymised: int
    bodies_purged: int
    registration_days: int
    mail_days: int

    @property
    def changed(self) -> bool:
        return bool(self.needs_cleared or self.anonymised or self.bodies_purged)

    def __str__(self) -> str:
        return (
            f"{count(self.anonymised, 'registration')} anonymised ({self.registration_days} days after their session), "
            f"{count(self.needs_cleared, 'accessibility need')} cleared (session ended, cancelled or called off), "
            f"{count(self.bodies_purged, 'message body', 'message bodies')} deleted "
            f"({self.mail_days} days after delivery)"
        )


def retention_days() -> tuple[int, int]:
    """(days a registration is kept after its session ends, days a delivered message's body is kept)."""
    config = current_app.config
    return int(config["REGISTRATION_RETENTION_DAYS"]), int(config["MAIL_RETENTION_DAYS"])


def apply_retention(*, by: Actor = RETENTION_JOB, now: datetime) -> RetentionReport:
    """Clear the accessibility needs of sessions that ended (or of cancelled registrations), anonymise the
    registrations of sessions that ended REGISTRATION_RETENTION_DAYS ago or more, and delete the bodies of
    messages finished MAIL_RETENTION_DAYS ago or more. A second run changes nothing. One transaction, which
    the caller commits, and one activity entry for each event it changed something in (counts only)."""
    registration_days, mail_days = retention_days()
    ended = select(EventSession.id).where(
        or_(EventSession.ends_at <= now, EventSession.status == SessionStatus.CANCELLED)
    )
    with_needs = and_(
        Registration.accessibility_needs != "",
        or_(Registration.status == RegistrationStatus.CANCELLED, Registration.session_id.in_(ended)),
    )
    past = select(EventSession.id).where(EventSession.ends_at <= now - timedelta(days=registration_days))
    due = and_(Registration.anonymised_at.is_(None), Registration.session_id.in_(past))
    mail_cutoff = now - timedelta(days=mail_days)
    old_bodies = and_(
        OutboxMessage.body_purged_at.is_(None),
        OutboxMessage.status.in_(FINISHED),
        # Messages that were never sent (failed, superseded) count from when they were written.
        or_(
            OutboxMessage.sent_at <= mail_cutoff,
            OutboxMessage.sent_at.is_(None) & (OutboxMessage.created_at <= mail_cutoff),
        ),
    )
    per_event = {
        "needs": _registrations_per_event(with_needs),
        "anonymised": _registrations_per_event(due),
        "bodies": dict(
            db.session.execute(
                select(OutboxMessage.event_id, func.count()).where(old_bodies).group_by(OutboxMessage.event_id)
            ).all()
        ),
    }
    needs = anonymised = bodies = 0
    if per_event["needs"]:
        needs = db.session.execute(
            update(Registration)
            .where(with_needs)
            .values(accessibility_needs="")
            .execution_options(synchronize_session=False)
        ).rowcount
    if per_event["anonymised"]:
        anonymised = anonymise_registrations(due, now=now)
    if per_event["bodies"]:
        bodies = db.session.execute(
            update(OutboxMessage)
            .where(old_bodies)
            .values(body_text="", body_html="", ics=None, body_purged_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    _record_retention(per_event, by=by, now=now)
    return RetentionReport(needs, anonymised, bodies, registration_days, mail_days)


def _registrations_per_event(where: ColumnElement[bool]) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(EventSession.event_id, func.count())
            .select_from(Registration)
            .join(EventSession, EventSession.id == Registration.session_id)
            .where(where)
            .group_by(EventSession.event_id)
        ).all()
    )


def _record_retention(per_event: dict[str, dict[int, int]], *, by: Actor, now: datetime) -> None:
    """One entry per event: how many of its registrations and messages the run changed (no one named)."""
    event_ids = sorted({event_id for counts in per_event.values() for event_id in counts if event_id is not None})
    for event_id in event_ids:
        anonymised, needs, bodies = (per_event[k].get(event_id, 0) for k in ("anonymised", "needs", "bodies"))
        summary = (
            f"Retention: {count(anonymised, 'registration')} anonymised, {count(needs, 'accessibility need')} cleared, "
            f"{count(bodies, 'message body', 'message bodies')} deleted."
        )
        record(by=by, event=db.session.get(Event, event_id), action="privacy.retention", summary=summary, now=now)


def anonymise_registrations(where: ColumnElement[bool], *, now: datetime) -> int:
    """Anonymise the registrations matching `where` and redact their mail; returns how many registrations.

    Part of the caller's transaction (never commits). Mail not yet sent is cancelled first, then every
    message to them loses its address, name, body, invite and last error (which may quote the address)."""
    messages = OutboxMessage.registration_id.in_(select(Registration.id).where(where))
    db.session.execute(
        update(OutboxMessage)
        .where(messages, OutboxMessage.status.in_(UNSENT))
        .values(status=OutboxStatus.CANCELLED, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(messages)
        .values(
            to_address="",
            to_name="",
            body_text="",
            body_html="",
            ics=None,
            private_links=None,
            last_error="",
            body_purged_at=func.coalesce(OutboxMessage.body_purged_at, now),
        )
        .execution_options(synchronize_session=False)
    )
    marker = literal(ERASED_PREFIX) + cast(Registration.id, String)
    return db.session.execute(
        update(Registration)
        .where(where)
        .values(
            full_name="",
            email="",
            email_normalised=marker,
            organisation="",
            question="",
            accessibility_needs="",
            timezone=None,
            manage_token_hash=marker,
            anonymised_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def registration_data(registration: Registration, *, now: datetime) -> dict:
    """Everything kept about this registration and the mail sent for it, as the person may download it."""
    session = registration.session
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    registration_days, mail_days = retention_days()
    return {
        "exported_at": _iso(now),
        "event": {"title": session.event.title, "slug": session.event.slug},
        "session": {"title": session.title, "starts_at": _iso(session.starts_at), "ends_at": _iso(session.ends_at)},
        "registration": {
            "full_name": registration.full_name,
            "email": registration.email,
            "organisation": registration.organisation,
            "group": registration.group.value,
            "group_label": registration.group.label,
            "question": registration.question,
            "accessibility_needs": registration.accessibility_needs,
            "timezone": registration.timezone,
            "status": registration.status.value,
            "privacy_notice_version": registration.consent_version,
            "consented_at": _iso(registration.consented_at),
            "created_at": _iso(registration.created_at),
            "updated_at": _iso(registration.updated_at),
        },
        "status_history": status_history(registration),
        "survey_answer": survey_answer_data(registration),
        "emails": [
            {
                "kind": message.kind,
                "to": message.to_address,
                "subject": message.subject,
                "status": message.status.value,
                "written_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
                "body_deleted_at": _iso(message.body_purged_at),
            }
            for message in messages
        ],
        "retention": {
            "registration_anonymised_days_after_session": registration_days,
            "message_bodies_deleted_days_after_delivery": mail_days,
        },
    }


def survey_answer_data(registration: Registration) -> dict | None:
    """The registrant's answers to their session's survey, by question, or None if they gave none."""
    answer = db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.registration_id == registration.id))
    if answer is None:
        return None
    return {
        "rating": answer.rating,
        "answers": {question.prompt: answer.answer(question.position) for question in answer.survey.questions},
        "answered_at": _iso(answer.updated_at),
    }


def registration_json(registration: Registration, *, now: datetime) -> str:
    """`registration_data` as the downloadable file: JSON, UTF-8 as written (no escapes), indented."""
    return json.dumps(registration_data(registration, now=now), ensure_ascii=False, indent=2) + "\n"


def status_history(registration: Registration) -> list[dict]:
    """The changes the registration records, oldest first: when it was made, and the latest time it was
    put on the waiting list, given a seat, cancelled."""
    moments = [
        ("registered", registration.created_at),
        ("waitlisted", registration.waitlisted_at),
        ("confirmed", registration.confirmed_at),
        ("cancelled", registration.cancelled_at),
    ]
    return [
        {"status": name, "at": _iso(at)}
        for name, at in sorted(((name, at) for name, at in moments if at is not None), key=lambda moment: moment[1])
    ]


def data_file_name(registration: Registration) -> str:
    return f"registration-{registration.session.event.slug}-{registration.session_id}-{registration.id}.json"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
