"""The edge of an upload: check the file, write it, run the change as one use case, or say why not.

Used by the organisers' and the speakers' pages alike, so that both check and keep files the same way."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from flask import Response, abort, flash, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.errors import DomainError
from app.materials import checks, services, storage
from app.materials.checks import CheckedFile
from app.models import Material, MaterialVisibility
from app.transaction import use_case

T = TypeVar("T")


def save_upload(field, change: Callable[[CheckedFile, str], T]) -> tuple[bool, T | None]:
    """Check the field's file by its content, write it under a generated name and run `change(checked,
    stored_name)` in one transaction. A refused file or a broken rule goes next to the field, and the file written
    for it is removed: nothing half-saved. Returns (saved, what `change` returned)."""
    upload: FileStorage = field.data
    try:
        checked = checks.check_file(upload.stream, upload.filename, max_bytes=services.max_bytes())
        with storage.kept(upload.stream, checked.kind) as stored_name, use_case():
            result = change(checked, stored_name)
    except DomainError as error:
        field.errors = [*field.errors, error.message]
        return False, None
    return True, result


def has_file(field) -> bool:
    return isinstance(field.data, FileStorage) and bool(field.data.filename or field.data.content_length)


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII fallback name and the real one as RFC 5987 `filename*` (UTF-8, percent-encoded)."""
    fallback = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch if ch.isalnum() or ch in "._- ()" else "_" for ch in fallback).strip() or "material"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def download(material: Material) -> Response:
    """The file as an attachment of its checked type, never sniffed or shown inline by the browser."""
    path = storage.path_of(material.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=checks.CONTENT_TYPES[material.kind], conditional=False, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(material.file_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Who may see it can change at any moment (and depends on who asks): never kept by a cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def save_changes(material: Material, form, *, by, now) -> bool:
    """The edit form of a material: replace the file (if one is given) and set the visibility, in one use case;
    flash what was done. False when the file was refused (the reason is next to its field)."""
    visibility = MaterialVisibility(form.visibility.data)
    if has_file(form.file):

        def change(checked: CheckedFile, stored_name: str) -> str:
            old = services.replace_material(material, checked=checked, stored_name=stored_name, by=by, now=now)
            services.change_visibility(material, visibility, by=by, now=now)
            return old

        saved, old_name = save_upload(form.file, change)
        if not saved:
            return False
        storage.discard(old_name)
        flash(_("The file is replaced by “%(name)s”.", name=material.file_name), "success")
        return True
    with use_case():
        changed = services.change_visibility(material, visibility, by=by, now=now)
    if changed:
        flash(_("Who may download “%(name)s” is changed.", name=material.file_name), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return True


def delete(material: Material, *, by, now) -> str:
    """Delete the material in one use case, then its file; returns its name, for the page to say."""
    name = material.file_name
    with use_case():
        stored_name = services.delete_material(material, by=by, now=now)
    storage.discard(stored_name)
    return name
