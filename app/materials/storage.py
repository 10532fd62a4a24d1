"""The folder the materials' bytes live in (MATERIALS_DIR): generated names, written whole or not at all.

Several machines serving the site need this folder on one shared volume. A file is written under a temporary
name and renamed once complete, so a reader never sees half a file; the database row that names it is
committed after, and a use case that fails removes the file it wrote (`kept`). Files a change replaced or
deleted are removed after its commit (`discard`).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from app.models import MaterialKind


def folder() -> Path:
    path = Path(current_app.config["MATERIALS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(stored_name: str) -> Path:
    """Where a stored file is; the name is always one we generated (hex and an extension), never a path."""
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError(f"not a stored name: {stored_name!r}")
    return folder() / stored_name


def new_name(kind: MaterialKind) -> str:
    """128 random bits and the kind's extension: nothing of the uploader's name reaches the disk."""
    return f"{secrets.token_hex(16)}.{kind.value}"


def write(stream: BinaryIO, kind: MaterialKind) -> str:
    """Copy the stream into the folder under a new generated name; returns that name."""
    name = new_name(kind)
    target = path_of(name)
    partial = target.with_name(f".{name}.part")
    stream.seek(0)
    with open(partial, "xb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    os.replace(partial, target)
    return name


@contextmanager
def kept(stream: BinaryIO, kind: MaterialKind) -> Iterator[str]:
    """Write the file, yield its stored name, and remove it again if the block raised (nothing half-saved)."""
    name = write(stream, kind)
    try:
        yield name
    except BaseException:
        discard(name)
        raise


def discard(stored_name: str | None) -> None:
    """Remove a stored file (after the commit that stopped naming it); a missing one is not an error."""
    if stored_name:
        path_of(stored_name).unlink(missing_ok=True)


def discard_all(stored_names: list[str]) -> None:
    """Remove the files of materials a committed deletion took with it (an item, a session, an event)."""
    for name in stored_names:
        discard(name)
