"""Who attended a session: the video platform's report imported after a preview, and ticks on the check-in list.

An import is two steps. `preview_import` reads the file (app.attendance.reports) and works out what it would
change; nothing is saved, and the preview carries a signed token holding the rows it was made from and a
fingerprint of what it showed. `import_attendance` takes that token back: it makes the plan again from the
same rows and the registrations as they are now, and saves it whole in the edge's one transaction, or, when
anything the preview showed has changed since (someone cancelled, was ticked by hand, registered), saves
nothing and raises `PreviewOutdated` with the new preview to show instead. The file itself is never stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.activity import record
from app.attendance import reports
from app.attendance.reports import Participant, ReportProblem
from app.errors import DomainError
from app.extensions import db
from app.i18n import sort_key
from app.models import AttendanceSource, EventSession, Organiser, Registration, RegistrationStatus
from app.registration import listing
from app.text import well_formed_email

_SALT = "attendance-import"


class AttendanceFileRefused(DomainError):
    """A file that cannot be imported; the message says why, in the organiser's words."""


class PreviewOutdated(DomainError):
    """What the preview showed is no longer what would happen: `preview` is the new one."""

    def __init__(self, preview: ImportPreview, message: str):
        super().__init__(message)
        self.preview = preview


@dataclass(frozen=True)
class Seen:
    """One person of the report (their rows merged): the earliest join, how many rows named them."""

    email: str
    name: str
    joined_at: datetime | None
    rows: int
    line: int


@dataclass
class ImportPreview:
    platform: str
    #: Confirmed registrants not yet marked: the import marks them attended at their join time.
    newly_attended: list[tuple[Registration, Seen]] = field(default_factory=list)
    #: Confirmed registrants already marked (by hand or an earlier import): left as they are.
    already_attended: list[tuple[Registration, Seen]] = field(default_factory=list)
    #: Waitlisted or cancelled registrants in the report: not marked.
    not_confirmed: list[tuple[Registration, Seen]] = field(default_factory=list)
    #: People of the report who match no registration of the session (or give no email).
    unmatched: list[Seen] = field(default_factory=list)
    #: People named on more than one row: merged, the earliest join kept.
    repeated: list[Seen] = field(default_factory=list)
    token: str = ""
    digest: str = ""

    @property
    def platform_name(self) -> str:
        return reports.PLATFORM_NAMES[self.platform]

    def fingerprint(self) -> str:
        """What this preview shows that depends on the registrations: a change to any of it asks again."""
        shown = (
            [(r.id, _iso(s.joined_at)) for r, s in self.newly_attended],
            [r.id for r, _ in self.already_attended],
            [(r.id, r.status.value) for r, _ in self.not_confirmed],
            [s.email for s in self.unmatched],
        )
        return hashlib.sha256(repr(shown).encode()).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def problem_message(problem: ReportProblem) -> str:
    """What the organiser is told about a file that cannot be read."""
    details = problem.details
    if problem.kind == ReportProblem.TOO_LARGE:
        return _(
            "The file is too large (%(size)s KB): an attendance report of up to %(limit)s KB is accepted.",
            size=-(-details["size"] // 1024),
            limit=details["limit"] // 1024,
        )
    if problem.kind == ReportProblem.EMPTY:
        return _("The file is empty: export the attendance report again and choose that file.")
    if problem.kind == ReportProblem.ENCODING:
        return _(
            "The file is not text in a known encoding (UTF-8, UTF-16 or Windows-1252): export the report "
            "as CSV from the video platform, not as a spreadsheet or PDF."
        )
    if problem.kind == ReportProblem.MISSING_COLUMNS:
        columns = ", ".join(_("“%(column)s”", column=c) for c in details["columns"])
        return ngettext(
            "This looks like a %(platform)s report, but it has no column %(columns)s: export the report with "
            "participants' emails.",
            "This looks like a %(platform)s report, but it has no columns %(columns)s: export the report with "
            "participants' emails.",
            len(details["columns"]),
            platform=reports.PLATFORM_NAMES[details["platform"]],
            columns=columns,
        )
    if problem.kind == ReportProblem.NO_PARTICIPANTS:
        return _(
            "This %(platform)s report lists no participants.", platform=reports.PLATFORM_NAMES[details["platform"]]
        )
    if problem.kind == ReportProblem.BAD_TIME:
        return _(
            "Line %(line)s: the join time “%(value)s” is not a date and time.",
            line=details["line"],
            value=details["value"],
        )
    return _(
        "This file is not an attendance report we know: export the participants' report from Zoom, Microsoft "
        "Teams or Webex (with a header row naming the email and join time columns)."
    )


# --- the preview -------------------------------------------------------------------------------


def preview_import(session: EventSession, data: bytes) -> ImportPreview:
    """What importing this file would do to the session's registrations; saves nothing."""
    try:
        report = reports.read_report(
            data, zone=session.event.timezone, max_bytes=current_app.config["ATTENDANCE_MAX_BYTES"]
        )
    except ReportProblem as problem:
        raise AttendanceFileRefused(problem_message(problem)) from problem
    digest = hashlib.sha256(data).hexdigest()
    preview = _plan(session, report.platform, report.participants)
    preview.digest = digest
    preview.token = _sign(session, preview, report.participants)
    return preview


def _merge(participants: list[Participant]) -> tuple[list[Seen], list[Seen], list[Seen]]:
    """People with an email, merged by address (earliest join, then the first name given); people without one
    or with one that is not an address; and those named on several rows."""
    by_email: dict[str, list[Participant]] = {}
    nameless: list[Seen] = []
    for p in participants:
        email = well_formed_email(p.email)
        if email is None:
            nameless.append(Seen(p.email, p.name, p.joined_at, 1, p.line))
        else:
            by_email.setdefault(email, []).append(p)
    people = []
    for email, rows in by_email.items():
        timed = [r.joined_at for r in rows if r.joined_at is not None]
        people.append(Seen(email, rows[0].name, min(timed) if timed else None, len(rows), rows[0].line))
    return people, nameless, [s for s in people if s.rows > 1]


def _plan(session: EventSession, platform: str, participants: list[Participant]) -> ImportPreview:
    people, nameless, repeated = _merge(participants)
    preview = ImportPreview(platform, repeated=repeated)
    emails = [s.email for s in people]
    registrations: dict[str, Registration] = {}
    if emails:
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.session_id == session.id, Registration.email_normalised.in_(emails))
            .order_by(Registration.created_at, Registration.id)
        )
        for registration in rows:
            # An active registration wins over an earlier cancelled one of the same address.
            kept = registrations.get(registration.email_normalised)
            if kept is None or kept.status == RegistrationStatus.CANCELLED:
                registrations[registration.email_normalised] = registration
    for seen in people:
        registration = registrations.get(seen.email)
        if registration is None:
            preview.unmatched.append(seen)
        elif registration.status != RegistrationStatus.CONFIRMED:
            preview.not_confirmed.append((registration, seen))
        elif registration.attended_at is not None:
            preview.already_attended.append((registration, seen))
        else:
            preview.newly_attended.append((registration, seen))
    preview.unmatched.extend(nameless)
    for rows in (preview.newly_attended, preview.already_attended, preview.not_confirmed):
        rows.sort(key=lambda pair: sort_key(pair[0].full_name))
    preview.unmatched.sort(key=lambda seen: seen.line)
    return preview


# --- the signed token --------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _sign(session: EventSession, preview: ImportPreview, participants: list[Participant]) -> str:
    rows = [[p.line, p.name, p.email, _iso(p.joined_at)] for p in participants]
    return _serializer().dumps(
        {"s": session.id, "p": preview.platform, "d": preview.digest, "f": preview.fingerprint(), "r": rows}
    )


def _unsigned(session: EventSession, token: str) -> dict:
    max_age = current_app.config["ATTENDANCE_PREVIEW_MINUTES"] * 60
    try:
        payload = _serializer().loads(token or "", max_age=max_age)
    except SignatureExpired as error:
        too_old = _("This preview is too old: upload the file again to see what it changes.")
        raise AttendanceFileRefused(too_old) from error
    except BadSignature as error:
        raise AttendanceFileRefused(_("This preview could not be read: upload the file again.")) from error
    if not isinstance(payload, dict) or payload.get("s") != session.id:
        raise AttendanceFileRefused(_("This preview is for another session: upload the file again."))
    return payload


# --- saving ------------------------------------------------------------------------------------


def import_attendance(session: EventSession, token: str, *, by: Organiser, now: datetime) -> ImportPreview:
    """Mark attended the confirmed registrants the preview showed as newly attended, at their join time (the
    session's start where the report gives none), all of them or, if the preview no longer holds, none."""
    payload = _unsigned(session, token)
    # Two confirms at once (two tabs) take turns: the second then finds the marks made and shows its new preview.
    db.session.execute(select(EventSession.id).where(EventSession.id == session.id).with_for_update())
    participants = [
        Participant(line, name, email, datetime.fromisoformat(joined) if joined else None)
        for line, name, email, joined in payload["r"]
    ]
    preview = _plan(session, payload["p"], participants)
    preview.digest = payload["d"]
    if preview.fingerprint() != payload["f"]:
        preview.token = _sign(session, preview, participants)
        raise PreviewOutdated(
            preview,
            _(
                "The registrations changed since the preview, so nothing was saved: check the new preview and "
                "confirm again."
            ),
        )
    source = AttendanceSource(preview.platform)
    for registration, seen in preview.newly_attended:
        registration.attended_at = seen.joined_at or session.starts_at
        registration.attendance_source = source
        registration.attendance_marked_at = now
    summary = (
        f"Imported a {preview.platform_name} attendance report (sha256 {preview.digest[:12]}): "
        f"{len(preview.newly_attended)} marked attended, {len(preview.already_attended)} already marked, "
        f"{len(preview.not_confirmed)} not confirmed, {len(preview.unmatched)} unmatched."
    )
    record(by=by, event=session.event, action="attendance.imported", summary=summary, target=session, now=now)
    return preview


# --- by hand -----------------------------------------------------------------------------------


def check_in_list(session: EventSession, *, search: str = "") -> list[Registration]:
    """The session's confirmed registrants by name (the Unicode order), searched in name, email and
    organisation; anonymised ones last."""
    found = listing.find_registrations(session, status=RegistrationStatus.CONFIRMED.value, search=search)
    return sorted(found, key=lambda r: (r.anonymised_at is not None, sort_key(r.full_name), r.id))


def mark_attendance(registration: Registration, attended: bool, *, by: Organiser, now: datetime) -> bool:
    """Tick (or untick) a confirmed registrant as attended, by hand; False when it was so already."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise DomainError(_("Only a confirmed registrant can be marked as attended."))
    if registration.attended == attended:
        return False
    registration.attended_at = now if attended else None
    registration.attendance_source = AttendanceSource.HAND if attended else None
    registration.attendance_marked_at = now
    action, words = ("attendance.marked", "Marked") if attended else ("attendance.unmarked", "Unmarked")
    record(
        by=by,
        event=registration.session.event,
        action=action,
        summary=f"{words} registration {registration.id} of “{registration.session.title}” as attended, by hand.",
        target=registration,
        now=now,
    )
    return True
