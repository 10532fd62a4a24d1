"""Materials of items and sessions: who may add, replace and delete them, and who may download them.

Visibility (MaterialVisibility): *public* files are offered to anyone once their session is over (on the event's
public pages); *registrants* files, and public ones, to the session's confirmed registrants through their manage
link once the session is over; *organisers* files to nobody outside. The event's organisers always see and manage
every file of their events; a speaker sees, replaces and deletes the files they uploaded for their own slots.

Every addition, replacement, change of visibility and deletion is an entry of the event's activity log, saved with
the change: who, when, the file's name, kind, size and SHA-256 (before and after, for a replacement). The log is
the audit trail: it already says who changed what in the event, is shown to its organisers and outlives what it
names. The bytes of a replaced or deleted file are removed from the folder once the change is committed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.activity import record
from app.errors import DomainError, NotFound
from app.extensions import db
from app.materials.checks import CheckedFile
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    Material,
    MaterialVisibility,
    Organiser,
    Person,
    Registration,
    RegistrationStatus,
    Speaker,
)

#: What a registrant's manage link opens, besides what anyone may.
REGISTRANT_VISIBILITIES = (MaterialVisibility.PUBLIC, MaterialVisibility.REGISTRANTS)


class MaterialNotFound(NotFound):
    default_message = _l("This file was not found.")


class ItemNotInSession(DomainError):
    default_message = _l("This item is not part of that session.")


def max_bytes() -> int:
    return int(current_app.config["MATERIALS_MAX_BYTES"])


def is_over(event_session: EventSession, *, now: datetime) -> bool:
    """A session's materials may be offered outside once it has ended."""
    return event_session.ends_at <= now


def _where(material: Material) -> str:
    if material.item is not None:
        return f"item “{material.item.title}”"
    return f"session “{material.session.title}”"


def _describe(checked: CheckedFile | Material) -> str:
    return f"“{checked.file_name}” ({checked.kind.value}, {checked.size_bytes} bytes, sha256 {checked.sha256[:16]})"


# --- changes --------------------------------------------------------------------------------------


def add_material(
    event_session: EventSession,
    *,
    item: AgendaItem | None = None,
    checked: CheckedFile,
    stored_name: str,
    visibility: MaterialVisibility,
    by: Organiser | Person,
    now: datetime,
) -> Material:
    """A new file for the session or one of its items, already checked and written (`stored_name`)."""
    if item is not None and item.session_id != event_session.id:
        raise ItemNotInSession()
    material = Material(
        event=event_session.event,
        session=event_session,
        item=item,
        visibility=MaterialVisibility(visibility),
        kind=checked.kind,
        file_name=checked.file_name,
        stored_name=stored_name,
        size_bytes=checked.size_bytes,
        sha256=checked.sha256,
        uploaded_by_person=by if isinstance(by, Person) else None,
        uploaded_by_organiser=by if isinstance(by, Organiser) else None,
        uploaded_at=now,
        updated_at=now,
    )
    db.session.add(material)
    record(
        by=by,
        event=event_session.event,
        action="material.added",
        summary=f"Added the file {_describe(checked)} to the {_where(material)}, visible to "
        f"{material.visibility.value}.",
        target=material,
        now=now,
    )
    return material


def replace_material(material: Material, *, checked: CheckedFile, stored_name: str, by, now: datetime) -> str:
    """Put a new file in place of the material's (same visibility, same place); returns the old file's stored
    name, to remove once the change is committed. The log keeps what the old file was."""
    before = _describe(material)
    old_name = material.stored_name
    material.kind = checked.kind
    material.file_name = checked.file_name
    material.stored_name = stored_name
    material.size_bytes = checked.size_bytes
    material.sha256 = checked.sha256
    material.updated_at = now
    record(
        by=by,
        event=material.event,
        action="material.replaced",
        summary=f"Replaced the file {before} of the {_where(material)} with {_describe(checked)}.",
        target=material,
        now=now,
    )
    return old_name


def change_visibility(material: Material, visibility: MaterialVisibility, *, by, now: datetime) -> bool:
    """Change who may see the file; False when it was already so (nothing recorded)."""
    visibility = MaterialVisibility(visibility)
    if material.visibility == visibility:
        return False
    before = material.visibility
    material.visibility = visibility
    material.updated_at = now
    record(
        by=by,
        event=material.event,
        action="material.visibility_changed",
        summary=f"The file {_describe(material)} of the {_where(material)} is now visible to {visibility.value} "
        f"(was {before.value}).",
        target=material,
        now=now,
    )
    return True


def delete_material(material: Material, *, by, now: datetime) -> str:
    """Delete the material; returns its stored name, to remove once the change is committed."""
    record(
        by=by,
        event=material.event,
        action="material.deleted",
        summary=f"Deleted the file {_describe(material)} of the {_where(material)}.",
        target=material,
        now=now,
    )
    stored_name = material.stored_name
    db.session.delete(material)
    return stored_name


# --- who may see what -----------------------------------------------------------------------------


def is_public(material: Material, *, now: datetime) -> bool:
    return (
        material.visibility == MaterialVisibility.PUBLIC
        and material.event.status != EventStatus.DRAFT
        and is_over(material.session, now=now)
    )


def is_for_registrant(material: Material, registration: Registration, *, now: datetime) -> bool:
    """A confirmed registrant of the material's session sees its public and registrants' files once it is over."""
    return (
        registration.session_id == material.session_id
        and registration.status == RegistrationStatus.CONFIRMED
        and material.visibility in REGISTRANT_VISIBILITIES
        and is_over(material.session, now=now)
    )


def is_speakers_own(material: Material, speaker: Speaker) -> bool:
    """The speaker uploaded it, through their record in the material's event (found by their address)."""
    person = material.uploaded_by_person
    return person is not None and (person.email or "").lower() == speaker.email and person.event_id == material.event_id


def public_material(slug: str, material_id: int, *, now: datetime) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.event.slug != slug or not is_public(material, now=now):
        raise MaterialNotFound()
    return material


def registrant_material(registration: Registration, material_id: int, *, now: datetime) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or not is_for_registrant(material, registration, now=now):
        raise MaterialNotFound()
    return material


def speakers_material(speaker: Speaker, material_id: int) -> Material:
    """A file the speaker uploaded, in a published event; anyone else's is simply not found."""
    material = db.session.get(Material, material_id)
    if material is None or material.event.status != EventStatus.PUBLISHED or not is_speakers_own(material, speaker):
        raise MaterialNotFound()
    return material


# --- lists ----------------------------------------------------------------------------------------


def _ordered():
    return select(Material).order_by(Material.uploaded_at, Material.id)


def public_materials(event: Event, *, now: datetime) -> dict[tuple[str, int], list[Material]]:
    """The event's public files of sessions that are over, in one query, keyed by ("item", id) or
    ("session", id) for the pages to show under each item and session."""
    rows = db.session.scalars(
        _ordered()
        .join(EventSession, EventSession.id == Material.session_id)
        .where(
            Material.event_id == event.id,
            Material.visibility == MaterialVisibility.PUBLIC,
            EventSession.ends_at <= now,
        )
    )
    found: dict[tuple[str, int], list[Material]] = defaultdict(list)
    for material in rows:
        key = ("item", material.item_id) if material.item_id is not None else ("session", material.session_id)
        found[key].append(material)
    return dict(found)


def registrant_materials(registration: Registration, *, now: datetime) -> list[Material]:
    """What the registrant's manage page lists: nothing until the session is over, nor while not confirmed."""
    event_session = registration.session
    if registration.status != RegistrationStatus.CONFIRMED or not is_over(event_session, now=now):
        return []
    return list(
        db.session.scalars(
            _ordered()
            .where(Material.session_id == event_session.id, Material.visibility.in_(REGISTRANT_VISIBILITIES))
            .options(joinedload(Material.item))
        )
    )


def item_materials(item: AgendaItem) -> list[Material]:
    """Every file of the item, for its organisers."""
    return list(db.session.scalars(_ordered().where(Material.item_id == item.id).options(*_uploader())))


def session_materials(event_session: EventSession) -> list[Material]:
    """Every file of the session itself (not of its items), for its organisers."""
    return list(
        db.session.scalars(
            _ordered().where(Material.session_id == event_session.id, Material.item_id.is_(None)).options(*_uploader())
        )
    )


def _uploader():
    return (joinedload(Material.uploaded_by_person), joinedload(Material.uploaded_by_organiser))


def speakers_item_materials(speaker: Speaker, appearance: Appearance) -> list[Material]:
    """The files the speaker uploaded for the item of one of their slots."""
    return list(
        db.session.scalars(
            _ordered()
            .join(Person, Person.id == Material.uploaded_by_person_id)
            .where(
                Material.item_id == appearance.item_id,
                or_(Person.id == appearance.person_id, Person.email == speaker.email),
            )
        )
    )


def uploader_label(material: Material) -> str:
    """Who uploaded the file, for the organisers' list (the account or the speaker, as they are now)."""
    if material.uploaded_by_person is not None:
        return material.uploaded_by_person.display_name
    if material.uploaded_by_organiser is not None:
        return material.uploaded_by_organiser.name or material.uploaded_by_organiser.email
    return ""


def stored_names_under(*, item: AgendaItem | None = None, session: EventSession | None = None, event=None) -> list[str]:
    """The stored names of every file an item, a session or an event holds: the database deletes their rows with
    it (ON DELETE CASCADE), and the caller removes the bytes once that deletion is committed."""
    query = select(Material.stored_name)
    if item is not None:
        query = query.where(Material.item_id == item.id)
    elif session is not None:
        query = query.where(Material.session_id == session.id)
    else:
        query = query.join(EventSession, Material.session_id == EventSession.id)
        query = query.where(EventSession.event_id == event.id)
    return list(db.session.scalars(query.order_by(Material.id)))
