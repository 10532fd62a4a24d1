"""The draft synopsis report as a neutral document: headings, paragraphs, lists and notes, built from the event's
current data every time (nothing is stored). The DOCX, HTML and PDF renderers only lay it out, so what the report
says, and in which order, is decided here once.

The content follows the synopsis report organisers write after an exchange event: a title page, the event and
its aims, each session with its aims and summary, each item with its people written "Mr Name, Position,
Organisation" (moderators and panellists named as such) and its note, the follow-up session with its date, time,
zone and registration address, the questions registrants sent (never with their names: registrants gave no
agreement to be named), attendance once it is recorded, and the typology matrix (projects by category).
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import timeutil
from app.extensions import db
from app.i18n import current_language, localised
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    ItemKind,
    Note,
    Person,
    Registration,
    RegistrationStatus,
    Role,
)
from app.report import services
from app.urls import external_url

#: Items the report leaves out unless someone wrote a note for them (the seed report has no coffee breaks).
QUIET_KINDS = {ItemKind.BREAK, ItemKind.LUNCH}


@dataclass
class Heading:
    level: int
    text: str
    anchor: str


@dataclass
class Paragraph:
    text: str
    #: "lead" (an aim, a description), "meta" (when, where), "label" (a line naming a list), or "" (body text).
    style: str = ""
    link: str | None = None


@dataclass
class Bullets:
    items: list[str]


@dataclass
class NoteText:
    """A note in safe Markdown, as written (the HTML renderer sanitises it, DOCX lays out its paragraphs)."""

    markdown: str


@dataclass
class Report:
    title: str
    subtitle: str
    facts: list[str]
    draft_notice: str
    language: str
    blocks: list = field(default_factory=list)

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


def person_line(person: Person) -> str:
    """'Mr Jean-Christophe Hilaire, Police Commander, Chief of Bureau, Ministry of Interior, France'."""
    return ", ".join(part for part in (person.display_name, person.affiliation) if part)


def _load(event_id: int) -> Event:
    query = (
        select(Event)
        .where(Event.id == event_id)
        .options(
            selectinload(Event.sessions)
            .selectinload(EventSession.items)
            .selectinload(AgendaItem.appearances)
            .joinedload(Appearance.person)
        )
    )
    return db.session.scalar(query.execution_options(populate_existing=True))


def _notes(event: Event) -> tuple[dict[int, str], dict[int, str]]:
    session_ids = [s.id for s in event.sessions]
    item_ids = [i.id for s in event.sessions for i in s.items]
    rows = db.session.execute(
        select(Note.item_id, Note.session_id, Note.body).where(
            Note.item_id.in_(item_ids) | Note.session_id.in_(session_ids)
        )
    ).all()
    return {r.item_id: r.body for r in rows if r.item_id}, {r.session_id: r.body for r in rows if r.session_id}


def _figures(event: Event) -> dict[int, dict[str, int]]:
    """Per session: registrations confirmed, waitlisted, and attended (attendance recorded)."""
    rows = db.session.execute(
        select(
            Registration.session_id,
            Registration.status,
            func.count(),
            func.count(Registration.attended_at),
        )
        .join(EventSession, EventSession.id == Registration.session_id)
        .where(EventSession.event_id == event.id)
        .group_by(Registration.session_id, Registration.status)
    ).all()
    figures: dict[int, dict[str, int]] = {}
    for session_id, status, count, attended in rows:
        entry = figures.setdefault(session_id, {"confirmed": 0, "waitlisted": 0, "attended": 0})
        if status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
            entry[status.value] += count
        entry["attended"] += attended
    return figures


def _questions(event: Event) -> dict[int, list[str]]:
    """The questions registrants sent, per session, oldest first, without any name (not cancelled, not anonymised)."""
    rows = db.session.execute(
        select(Registration.session_id, Registration.question)
        .join(EventSession, EventSession.id == Registration.session_id)
        .where(
            EventSession.event_id == event.id,
            Registration.status != RegistrationStatus.CANCELLED,
            Registration.anonymised_at.is_(None),
            Registration.question != "",
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()
    questions: dict[int, list[str]] = {}
    for session_id, question in rows:
        if question.strip():
            questions.setdefault(session_id, []).append(question.strip())
    return questions


def _people_blocks(item: AgendaItem) -> list:
    blocks = []
    by_role: dict[Role, list[str]] = {}
    for appearance in item.appearances:
        by_role.setdefault(appearance.role, []).append(person_line(appearance.person))
    labels = {
        Role.CHAIR: (_("Chair:"), _("Chairs:")),
        Role.MODERATOR: (_("Moderator:"), _("Moderators:")),
        Role.PANELLIST: (_("Panellist:"), _("Panellists:")),
        Role.SPEAKER: (_("Speaker:"), _("Speakers:")),
    }
    for role in (Role.CHAIR, Role.MODERATOR, Role.PANELLIST, Role.SPEAKER):
        lines = by_role.get(role)
        if lines:
            one, many = labels[role]
            blocks += [Paragraph(one if len(lines) == 1 else many, style="label"), Bullets(lines)]
    return blocks


def _follow_up_blocks(follow_up: EventSession, event: Event) -> list:
    when = timeutil.format_when(follow_up.starts_at, follow_up.ends_at, event.timezone)
    address = external_url("registration.new", slug=event.slug, session_id=follow_up.id)
    return [
        Paragraph(
            _(
                "Follow-up: “%(title)s”, %(when)s (%(zone)s).",
                title=localised(follow_up, "title"),
                when=when,
                zone=event.timezone,
            )
        ),
        Paragraph(_("Registration: %(address)s", address=address), link=address),
    ]


def build_report(event_id: int, *, now: datetime) -> Report:
    """The draft report of the event, in the current language, from its data as it is now."""
    event = _load(event_id)
    item_notes, session_notes = _notes(event)
    figures, questions = _figures(event), _questions(event)
    matrix = services.typologies(event)
    follow_ups = {s.follows_up_item_id: s for s in event.sessions if s.follows_up_item_id}
    dates = timeutil.format_long_date(event.starts_on)
    if event.ends_on != event.starts_on:
        dates = f"{dates} – {timeutil.format_long_date(event.ends_on)}"
    report = Report(
        title=localised(event, "title"),
        subtitle=_("Synopsis report"),
        facts=[part for part in (event.venue, dates) if part],
        draft_notice=_(
            "Draft drawn from the event's data on %(day)s. Drawing it again gives the agenda as it is then.",
            day=timeutil.format_date(now, event.timezone),
        ),
        language=current_language(),
    )
    blocks = report.blocks
    blocks.append(Heading(1, localised(event, "title"), "event"))
    if description := localised(event, "description"):
        blocks.append(Paragraph(description, style="lead"))
    for event_session in event.sessions:
        blocks.append(Heading(1, localised(event_session, "title"), f"session-{event_session.id}"))
        when = timeutil.format_when(event_session.starts_at, event_session.ends_at, event.timezone)
        where = _("Online") if event_session.is_online else event_session.location
        blocks.append(Paragraph(" · ".join(part for part in (when, where) if part), style="meta"))
        if event_session.is_cancelled:
            blocks.append(Paragraph(_("This session was called off."), style="meta"))
        if aims := localised(event_session, "description"):
            blocks += [Paragraph(_("Aims"), style="label"), Paragraph(aims, style="lead")]
        if summary := session_notes.get(event_session.id):
            blocks += [Paragraph(_("Summary"), style="label"), NoteText(summary)]
        if event_session.registration_enabled:
            blocks += _registration_blocks(event_session, event, figures, questions)
        for item in event_session.items:
            note = item_notes.get(item.id)
            if item.kind in QUIET_KINDS and not note:
                continue
            blocks.append(Heading(2, localised(item, "title"), f"item-{item.id}"))
            blocks.append(Paragraph(timeutil.format_range(item.starts_at, item.ends_at, event.timezone), style="meta"))
            blocks += _people_blocks(item)
            if description := localised(item, "description"):
                blocks.append(Paragraph(description, style="lead"))
            if note:
                blocks.append(NoteText(note))
            if item.id in follow_ups:
                blocks += _follow_up_blocks(follow_ups[item.id], event)
    if matrix:
        blocks += _matrix_blocks(matrix)
    return report


def _registration_blocks(event_session: EventSession, event: Event, figures: dict, questions: dict) -> list:
    counts = figures.get(event_session.id, {"confirmed": 0, "waitlisted": 0, "attended": 0})
    address = external_url("registration.new", slug=event.slug, session_id=event_session.id)
    blocks = [
        Heading(2, _("Registration and attendance"), f"registration-{event_session.id}"),
        Paragraph(_("Registration: %(address)s", address=address), link=address),
        Paragraph(
            _(
                "Registered: %(confirmed)s confirmed, %(waitlisted)s on the waiting list.",
                confirmed=counts["confirmed"],
                waitlisted=counts["waitlisted"],
            )
        ),
        Paragraph(
            _("Attended: %(attended)s.", attended=counts["attended"])
            if counts["attended"]
            else _("Attendance: not recorded yet.")
        ),
    ]
    asked = questions.get(event_session.id)
    if asked:
        blocks += [
            Heading(2, _("Questions registrants sent"), f"questions-{event_session.id}"),
            Paragraph(_("Given without the names of those who asked."), style="meta"),
            Bullets(asked),
        ]
    return blocks


def _matrix_blocks(matrix: list) -> list:
    blocks = [Heading(1, _("Typologies"), "typologies")]
    for typology in matrix:
        blocks.append(Heading(2, localised(typology, "title"), f"typology-{typology.id}"))
        if description := localised(typology, "description"):
            blocks.append(Paragraph(description, style="lead"))
        projects = [
            " – ".join(part for part in (localised(item, "title"), "; ".join(map(person_line, people))) if part)
            for item in typology.items
            for people in [[a.person for a in item.appearances]]
        ]
        blocks.append(Bullets(projects) if projects else Paragraph(_("No project is placed here yet."), style="meta"))
    return blocks
