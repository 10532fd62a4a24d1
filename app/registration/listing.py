"""Running registrations: the organiser's list and search, CSV export, moving someone up, messages to all.

Seat changes lock the session row first, as the registration services do (app/registration/services.py says
why), and every email goes into the outbox in the same transaction as the change.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Row, and_, bindparam, case, func, or_, select

from app.activity import record
from app.errors import ValidationFailed
from app.extensions import db
from app.mail import organiser_messages
from app.models import AttendeeGroup, EventSession, Organiser, Registration, RegistrationStatus
from app.text import clean_line, clean_text, spreadsheet_cell
from app.wording import count

CSV_COLUMNS = [
    "Name",
    "Email",
    "Organisation",
    "Group",
    "Status",
    "Question",
    "Registered at",
    "Time zone",
]
#: Health data: a column of the CSV only when the organiser asks for it (after "Question").
NEEDS_COLUMN = "Accessibility needs"
#: What the list and the CSV show in place of a name whose registration was anonymised.
ERASED_LABEL = "Personal data erased"
AUDIENCES = {"confirmed": RegistrationStatus.CONFIRMED, "waitlisted": RegistrationStatus.WAITLISTED}


PAGE_SIZE = 50
#: What a row of the organiser's list shows: read as plain rows, not whole registrations (half the cost).
LIST_COLUMNS = (
    Registration.id,
    Registration.full_name,
    Registration.email,
    Registration.organisation,
    Registration.group,
    Registration.status,
    Registration.question,
    Registration.created_at,
    Registration.anonymised_at,
)


def labels() -> SimpleNamespace:
    """Labels of the list's statuses and groups in the current language, looked up once per page:
    `labels.status[row.status]`."""
    return SimpleNamespace(status={s: s.label for s in RegistrationStatus}, group={g: g.label for g in AttendeeGroup})


#: The list's two queries without filters (the page as first opened), built once with bound parameters:
#: building a statement and its cache key on every request cost as much as running it.
_COUNTS = (
    select(Registration.status, func.count(), func.count())
    .where(Registration.session_id == bindparam("session_id"))
    .group_by(Registration.status)
)
_PAGE = (
    select(*LIST_COLUMNS)
    .where(Registration.session_id == bindparam("session_id"))
    .order_by(Registration.created_at, Registration.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


@dataclass(frozen=True)
class RegistrationPage:
    """One page of the organiser's list: its rows (`LIST_COLUMNS`), which page it is, how many rows match
    in all, and how many registrations of the session (whatever the filters) have each status."""

    items: list[Row]
    page: int
    pages: int
    total: int
    per_page: int
    counts: dict[str, int]

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers for the links: the first, the last and those around this one; None for a gap."""
        wanted = {1, self.pages} | set(range(self.page - around, self.page + around + 1))
        shown = sorted(n for n in wanted if 1 <= n <= self.pages)
        numbers: list[int | None] = []
        for n in shown:
            if numbers and n - numbers[-1] > 1:
                numbers.append(None if n - numbers[-1] > 2 else n - 1)
            numbers.append(n)
        return numbers


def _filters(*, status: str | None, group: str | None, search: str) -> list[ColumnElement[bool]]:
    """The conditions of the list's filters and search (none: every registration of the session)."""
    conditions: list[ColumnElement[bool]] = []
    if status in {s.value for s in RegistrationStatus}:
        conditions.append(Registration.status == RegistrationStatus(status))
    if group in {g.value for g in AttendeeGroup}:
        conditions.append(Registration.group == AttendeeGroup(group))
    words = search.strip().lower().split()[:5]
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                func.lower(Registration.full_name).like(pattern, escape="\\"),
                Registration.email_normalised.like(pattern, escape="\\"),
                func.lower(Registration.organisation).like(pattern, escape="\\"),
                func.lower(Registration.question).like(pattern, escape="\\"),
            )
        )
    return conditions


def find_registrations(
    session: EventSession, *, status: str | None = None, group: str | None = None, search: str = ""
) -> list[Registration]:
    """The session's registrations, oldest first, filtered by status and group, searched in name,
    email, organisation and question."""
    query = select(Registration).where(
        Registration.session_id == session.id, *_filters(status=status, group=group, search=search)
    )
    return list(db.session.scalars(query.order_by(Registration.created_at, Registration.id)))


def page_of_registrations(
    session: EventSession,
    *,
    status: str | None = None,
    group: str | None = None,
    search: str = "",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> RegistrationPage:
    """One page of `find_registrations` (same filters, same order) in two queries whatever the number of
    registrations: the counts by status, with how many of each match the filters, then the page of rows.
    A page before the first is the first; a page after the last is the last."""
    conditions = _filters(status=status, group=group, search=search)
    counts_query, page_query = _COUNTS, _PAGE
    if conditions:
        matching = func.count(case((and_(*conditions), 1)))
        counts_query = _COUNTS.with_only_columns(Registration.status, func.count(), matching)
        page_query = _PAGE.where(*conditions)
    rows = db.session.execute(counts_query, {"session_id": session.id}).all()
    counts = _by_status(rows)
    total = sum(matched for _, _, matched in rows)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = (
        db.session.execute(
            page_query, {"session_id": session.id, "limit": per_page, "offset": (page - 1) * per_page}
        ).all()
        if total
        else []
    )
    return RegistrationPage(items=items, page=page, pages=pages, total=total, per_page=per_page, counts=counts)


def status_counts(session: EventSession) -> dict[str, int]:
    """How many of the session's registrations have each status (every status, 0 when none)."""
    return _by_status(db.session.execute(_COUNTS, {"session_id": session.id}).all())


def _by_status(rows) -> dict[str, int]:
    """Rows of (status, count, ...) as a count for every status."""
    counts = {status.value: 0 for status in RegistrationStatus}
    counts.update({row[0].value: row[1] for row in rows})
    return counts


def registrations_csv(
    session: EventSession, registrations: list[Registration], *, accessibility_needs: bool = False
) -> bytes:
    """UTF-8 with a BOM (so Excel reads the accents right), one row per registration: when it was made in ISO
    8601 UTC (one unambiguous time whatever the reader's zone), and the zone the attendee chose (the event's
    when they chose none, as their emails show).

    Accessibility needs (health data) are a column only when asked for; an anonymised registration keeps its
    row (group, status, date) so the totals match the list, with no personal data."""
    zone = session.event.timezone
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = list(CSV_COLUMNS)
    if accessibility_needs:
        columns.insert(columns.index("Question") + 1, NEEDS_COLUMN)
    writer.writerow(columns)
    for r in registrations:
        row = [
            spreadsheet_cell(r.full_name) if not r.is_anonymised else ERASED_LABEL,
            spreadsheet_cell(r.email),
            spreadsheet_cell(r.organisation),
            r.group.label,
            r.status.label,
            spreadsheet_cell(r.question),
            r.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            r.timezone or zone,
        ]
        if accessibility_needs:
            row.insert(6, spreadsheet_cell(r.accessibility_needs))
        writer.writerow(row)
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


#: The name a preview and a test fill in when nobody is in the audience yet (in the page's language).
SAMPLE_NAME = "Alex Example"


def _message_parts(audience: str, subject: str, body: str) -> tuple[str, str]:
    if audience not in AUDIENCES:
        raise ValidationFailed(_("Choose who gets the message."))
    subject, body = clean_line(subject), clean_text(body).strip()
    if not subject or not body:
        raise ValidationFailed(_("Write a subject and a message."))
    return subject, body


def _audience_query(session: EventSession, audience: str):
    return (
        select(Registration)
        .where(
            Registration.session_id == session.id,
            Registration.status == AUDIENCES[audience],
            Registration.anonymised_at.is_(None),
        )
        .order_by(Registration.id)
    )


@dataclass(frozen=True)
class MessagePreview:
    """What one registrant (the first of the audience, the sample) will get, and how many get it."""

    recipients: int
    sample_name: str
    sample_email: str | None
    message: organiser_messages.Composed


def preview_message(session: EventSession, *, audience: str, subject: str, body: str) -> MessagePreview:
    """The message as the audience's first registrant will get it (SAMPLE_NAME while there is nobody);
    nothing is queued."""
    subject, body = _message_parts(audience, subject, body)
    recipients = db.session.scalar(select(func.count()).select_from(_audience_query(session, audience).subquery()))
    sample = db.session.scalars(_audience_query(session, audience).limit(1)).first()
    name = sample.full_name if sample else _("Alex Example")
    composed = organiser_messages.compose_message_to_registrant(name, session, subject=subject, body=body)
    return MessagePreview(recipients, name, sample.email if sample else None, composed)


def send_test_message(
    session: EventSession, *, audience: str, subject: str, body: str, by: Organiser, now: datetime
) -> MessagePreview:
    """The message, as the audience's first registrant will get it, to `by` alone through the outbox, marked as
    a test; no registrant gets anything. Never commits."""
    preview = preview_message(session, audience=audience, subject=subject, body=body)
    subject, body = _message_parts(audience, subject, body)
    organiser_messages.queue_test_message(
        by, session, sample_name=preview.sample_name, recipients=preview.recipients, subject=subject, body=body,
        now=now,
    )  # fmt: skip
    return preview


def message_registrants(
    session: EventSession, *, audience: str, subject: str, body: str, by: Organiser, now: datetime
) -> int:
    """One email per confirmed (or waitlisted) attendee through the outbox; returns how many."""
    subject, body = _message_parts(audience, subject, body)
    recipients = db.session.scalars(_audience_query(session, audience)).all()
    for registration in recipients:
        organiser_messages.queue_message_to_registrant(registration, session, subject=subject, body=body, now=now)
    summary = f"Sent “{subject}” to {count(len(recipients), audience + ' registrant')} of “{session.title}”."
    record(by=by, event=session.event, action="session.message_sent", summary=summary, target=session, now=now)
    return len(recipients)
