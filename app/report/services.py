"""The report's rules: who writes an event's notes, saving a note with its history without overwriting a newer
text, the event's typologies and where its items are placed, and publishing the matrix."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.activity import record
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Note,
    NoteRevision,
    Organiser,
    Typology,
    event_rapporteurs,
)
from app.organiser import services as accounts
from app.text import well_formed_email

#: Longest note accepted, in characters (a long item's minutes fit; a pasted book does not).
MAX_NOTE_LENGTH = 20000


class StaleNote(DomainError):
    """The note changed since the editor opened it: their text is given back, nothing is overwritten."""

    default_message = _l(
        "Someone saved this note after you opened it. Your text was not saved: it is below, with the newer "
        "text above it. Copy what you need into the newer text and save again."
    )

    def __init__(self, note: Note | None):
        super().__init__()
        self.note = note


# --- who writes notes ---------------------------------------------------------------------------


def is_rapporteur(organiser: Organiser, event_id: int) -> bool:
    return (
        db.session.scalar(
            select(event_rapporteurs.c.event_id).where(
                event_rapporteurs.c.event_id == event_id, event_rapporteurs.c.organiser_id == organiser.id
            )
        )
        is not None
    )


def note_event(organiser: Organiser, event_id: int, *options) -> Event | None:
    """The event if `organiser` manages it or is one of its rapporteurs; None otherwise (or if there is none)."""
    event = db.session.scalar(select(Event).where(Event.id == event_id).options(*options))
    if event is None or not (accounts.can_manage(organiser, event) or is_rapporteur(organiser, event.id)):
        return None
    return event


def rapporteur_events(organiser: Organiser) -> list[Event]:
    """The events this account writes notes for as a rapporteur."""
    query = (
        select(Event)
        .join(event_rapporteurs, event_rapporteurs.c.event_id == Event.id)
        .where(event_rapporteurs.c.organiser_id == organiser.id)
        .order_by(Event.starts_on.desc(), Event.id)
    )
    return list(db.session.scalars(query))


def rapporteurs(event: Event) -> list[Organiser]:
    query = (
        select(Organiser)
        .join(event_rapporteurs, event_rapporteurs.c.organiser_id == Organiser.id)
        .where(event_rapporteurs.c.event_id == event.id)
        .order_by(Organiser.email)
    )
    return list(db.session.scalars(query))


def add_rapporteur(event: Event, email: str, *, by, now: datetime) -> Organiser:
    """Let an existing account write this event's notes, and nothing else of the event."""
    address = well_formed_email(email)
    organiser = (
        db.session.scalar(select(Organiser).where(db.func.lower(Organiser.email) == address)) if address else None
    )
    if organiser is None or organiser.is_disabled:
        raise NotFound(_("There is no active account with this address: ask for one to be made first."))
    if not is_rapporteur(organiser, event.id):
        db.session.execute(event_rapporteurs.insert().values(event_id=event.id, organiser_id=organiser.id))
        summary = f"Named {organiser.name or organiser.email} rapporteur of the event."
        record(by=by, event=event, action="event.rapporteur_added", summary=summary, target=organiser, now=now)
    return organiser


def remove_rapporteur(event: Event, rapporteur_id: int, *, by, now: datetime) -> Organiser:
    """The account no longer writes this event's notes (the notes it wrote stay, with their history)."""
    organiser = db.session.get(Organiser, rapporteur_id)
    if organiser is None or not is_rapporteur(organiser, event.id):
        raise NotFound(_("This person is not a rapporteur of the event."))
    db.session.execute(
        event_rapporteurs.delete().where(
            event_rapporteurs.c.event_id == event.id, event_rapporteurs.c.organiser_id == organiser.id
        )
    )
    summary = f"{organiser.name or organiser.email} is no longer a rapporteur of the event."
    record(by=by, event=event, action="event.rapporteur_removed", summary=summary, target=organiser, now=now)
    return organiser


#: What the notes' index shows, in a fixed number of queries whatever the size of the agenda.
NOTES_INDEX_OPTIONS = (selectinload(Event.organisers), selectinload(Event.sessions).selectinload(EventSession.items))


# --- notes --------------------------------------------------------------------------------------


def item_note(item: AgendaItem) -> Note | None:
    return db.session.scalar(select(Note).where(Note.item_id == item.id).options(selectinload(Note.revisions)))


def session_note(event_session: EventSession) -> Note | None:
    return db.session.scalar(
        select(Note).where(Note.session_id == event_session.id).options(selectinload(Note.revisions))
    )


def save_note(
    *,
    item: AgendaItem | None = None,
    event_session: EventSession | None = None,
    body: str,
    based_on: int,
    by: Organiser,
    now: datetime,
) -> Note:
    """Save the note of an item (or the summary of a session) written on version `based_on` (0: there was none).

    The note's row is locked while it is compared, so of two edits made on the same version exactly one is
    saved; the other gets StaleNote and its text back. Every saved text is kept with who saved it and when."""
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationFailed(_("A note can have at most %(num)s characters.", num=MAX_NOTE_LENGTH))
    column, target = (Note.item_id, item) if item is not None else (Note.session_id, event_session)
    note = db.session.scalar(select(Note).where(column == target.id).with_for_update())
    if (note.version if note is not None else 0) != based_on:
        raise StaleNote(note)
    if note is not None and note.body == body:
        return note
    if note is None:
        note = Note(
            item_id=item.id if item else None, session_id=event_session.id if event_session else None, version=0
        )
        try:
            with db.session.begin_nested():
                db.session.add(note)
                db.session.flush()
        except IntegrityError:  # another first note was saved at the same moment
            raise StaleNote(db.session.scalar(select(Note).where(column == target.id))) from None
    note.body, note.version, note.updated_at = body, note.version + 1, now
    db.session.add(
        NoteRevision(
            note=note,
            version=note.version,
            body=body,
            saved_at=now,
            saved_by_id=by.id,
            saved_by_name=by.name or by.email,
        )
    )
    event = item.session.event if item is not None else event_session.event
    what = f"the note of “{item.title}”" if item is not None else f"the summary of “{event_session.title}”"
    record(by=by, event=event, action="note.saved", summary=f"Saved {what} (version {note.version}).", now=now)
    db.session.flush()
    return note


# --- typologies ---------------------------------------------------------------------------------


def typologies(event: Event) -> list[Typology]:
    """The event's categories in their order, each with its items (one query for all the items)."""
    query = (
        select(Typology)
        .where(Typology.event_id == event.id)
        .order_by(Typology.position, Typology.id)
        .options(selectinload(Typology.items).selectinload(AgendaItem.appearances).joinedload(Appearance.person))
    )
    return list(db.session.scalars(query))


def add_typology(
    event: Event, *, name: str, description: str = "", name_fr: str = "", description_fr: str = "", by, now: datetime
) -> Typology:
    """A new category at the end of the event's classification; names are unique within the event."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the category a name."))
    existing = db.session.scalar(select(Typology).where(Typology.event_id == event.id, Typology.name == name))
    if existing is not None:
        raise ValidationFailed(_("This event already has a category with this name."))
    position = len(typologies(event))
    typology = Typology(
        event=event,
        name=name,
        description=(description or "").strip(),
        name_fr=(name_fr or "").strip() or None,
        description_fr=(description_fr or "").strip() or None,
        position=position,
    )
    db.session.add(typology)
    record(by=by, event=event, action="typology.added", summary=f"Added the category “{name}”.", now=now)
    db.session.flush()
    return typology


def place_item(item: AgendaItem, typology_ids: list[int], *, by, now: datetime) -> list[Typology]:
    """Place the item in exactly these categories of its event (others of the event are refused)."""
    event = item.session.event
    chosen = [t for t in typologies(event) if t.id in set(typology_ids)]
    if len(chosen) != len(set(typology_ids)):
        raise NotFound(_("One of these categories is not this event's."))
    for typology in typologies(event):
        placed = any(i.id == item.id for i in typology.items)
        if typology in chosen and not placed:
            typology.items.append(item)
        elif typology not in chosen and placed:
            typology.items.remove(item)
    names = ", ".join(t.name for t in chosen) or "no category"
    record(by=by, event=event, action="item.placed", summary=f"Placed “{item.title}” in {names}.", now=now)
    return chosen


def publish_typologies(event: Event, published: bool, *, by, now: datetime) -> Event:
    """Show the matrix on the event's public pages, or take it off them."""
    event.typologies_published = published
    action = "typologies.published" if published else "typologies.unpublished"
    summary = "Published the typology matrix." if published else "Took the typology matrix off the public pages."
    record(by=by, event=event, action=action, summary=summary, now=now)
    return event


def public_matrix(slug: str) -> tuple[Event, list[Typology]] | None:
    """A published event's matrix, if its organisers published it."""
    event = db.session.scalar(select(Event).where(Event.slug == slug, Event.status != EventStatus.DRAFT))
    if event is None or not event.typologies_published:
        return None
    return event, typologies(event)


def placeable_items(event: Event) -> list[AgendaItem]:
    """The items that can be placed in a category: every item but breaks and lunches, in agenda order."""
    query = (
        select(AgendaItem)
        .join(EventSession, EventSession.id == AgendaItem.session_id)
        .where(EventSession.event_id == event.id, AgendaItem.kind.not_in([ItemKind.BREAK, ItemKind.LUNCH]))
        .order_by(EventSession.starts_at, AgendaItem.starts_at, AgendaItem.position, AgendaItem.id)
    )
    return list(db.session.scalars(query))


def written_notes(event: Event) -> dict[str, set[int]]:
    """Which of the event's items and sessions have a note: {"items": ids, "sessions": ids}."""
    rows = db.session.execute(
        select(Note.item_id, Note.session_id)
        .outerjoin(AgendaItem, AgendaItem.id == Note.item_id)
        .outerjoin(EventSession, EventSession.id == db.func.coalesce(Note.session_id, AgendaItem.session_id))
        .where(EventSession.event_id == event.id, Note.body != "")
    ).all()
    return {"items": {r.item_id for r in rows if r.item_id}, "sessions": {r.session_id for r in rows if r.session_id}}
