"""What an uploaded file is, decided by its content (never its name), and the name it is shown under.

The `filetype` library reads the first bytes (magic numbers): PDF, PNG, JPEG, GIF and WebP are told apart
there. Office Open XML (DOCX, PPTX, XLSX) and OpenDocument (ODP) files are ZIP archives, so for any ZIP the
archive itself is opened: an ODP names its type in its `mimetype` member, an Office file names its main part in
`[Content_Types].xml` and keeps it in `word/`, `ppt/` or `xl/`. Any other ZIP (a plain archive renamed .docx),
an Office file with macros (vbaProject.bin), an executable renamed .pdf or a text file renamed .png is refused.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from flask_babel import lazy_gettext as _l

from app.errors import DomainError, size_words
from app.models import MaterialKind
from app.text import clean_line

#: What each kind is served as, and the extensions its download name may end with (the first is added otherwise).
CONTENT_TYPES = {
    MaterialKind.PDF: "application/pdf",
    MaterialKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    MaterialKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    MaterialKind.ODP: "application/vnd.oasis.opendocument.presentation",
    MaterialKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    MaterialKind.PNG: "image/png",
    MaterialKind.JPEG: "image/jpeg",
    MaterialKind.GIF: "image/gif",
    MaterialKind.WEBP: "image/webp",
}
EXTENSIONS = {
    MaterialKind.PDF: ("pdf",),
    MaterialKind.PPTX: ("pptx",),
    MaterialKind.DOCX: ("docx",),
    MaterialKind.ODP: ("odp",),
    MaterialKind.XLSX: ("xlsx",),
    MaterialKind.PNG: ("png",),
    MaterialKind.JPEG: ("jpg", "jpeg"),
    MaterialKind.GIF: ("gif",),
    MaterialKind.WEBP: ("webp",),
}
#: filetype's answer for the kinds it recognises alone (by MIME type).
_BY_MAGIC = {
    "application/pdf": MaterialKind.PDF,
    "image/png": MaterialKind.PNG,
    "image/jpeg": MaterialKind.JPEG,
    "image/gif": MaterialKind.GIF,
    "image/webp": MaterialKind.WEBP,
}
#: The main part each Office Open XML kind declares in [Content_Types].xml, and the folder that holds it.
_OFFICE_MAIN_PARTS = {
    MaterialKind.DOCX: (b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/"),
    MaterialKind.PPTX: (
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "ppt/",
    ),
    MaterialKind.XLSX: (b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/"),
}
_ODP_MIMETYPE = b"application/vnd.oasis.opendocument.presentation"
#: How much of the file filetype reads, and of a ZIP member we read (a few KiB in real files).
_HEAD_BYTES = 8192
_MEMBER_BYTES = 1024 * 1024
#: Longest name kept for display (the column holds 255).
MAX_NAME_LENGTH = 200

ACCEPTED_KINDS = "PDF, PPTX, DOCX, ODP, XLSX, PNG, JPEG, GIF, WebP"


class MaterialRefused(DomainError):
    """The file cannot be taken as a material; the message says why, fit to show next to the field."""

    default_message = _l("This file cannot be taken.")


class EmptyFile(MaterialRefused):
    default_message = _l("The file is empty: choose the file again.")


class FileTooLarge(MaterialRefused):
    def __init__(self, limit: int):
        super().__init__(_l("The file is larger than %(limit)s, the most a material may be.", limit=size_words(limit)))


class KindRefused(MaterialRefused):
    default_message = _l(
        "This file is not one of the kinds accepted (%(kinds)s), whatever its name says.", kinds=ACCEPTED_KINDS
    )


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the check: its kind by content, the name to show, its size and SHA-256."""

    kind: MaterialKind
    file_name: str
    size_bytes: int
    sha256: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def check_file(stream: BinaryIO, name: str | None, *, max_bytes: int) -> CheckedFile:
    """The kind of the file in `stream` (seekable) by its content, or MaterialRefused: empty, larger than
    `max_bytes`, or not one of the accepted kinds. Leaves the stream at its start."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise EmptyFile()
    if size > max_bytes:
        raise FileTooLarge(max_bytes)
    kind = _kind_of(stream)
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(kind=kind, file_name=display_name(name, kind), size_bytes=size, sha256=digest.hexdigest())


def _kind_of(stream: BinaryIO) -> MaterialKind:
    head = stream.read(_HEAD_BYTES)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _zipped_kind(stream)
    guessed = filetype.guess(head)
    kind = _BY_MAGIC.get(guessed.mime) if guessed is not None else None
    if kind is None:
        raise KindRefused()
    return kind


def _zipped_kind(stream: BinaryIO) -> MaterialKind:
    """An ODP or an Office Open XML file by the members of its archive; any other ZIP is refused."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                if _read_member(archive, "mimetype").strip() == _ODP_MIMETYPE:
                    return MaterialKind.ODP
                raise KindRefused()
            if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
                raise KindRefused()
            content_types = _read_member(archive, "[Content_Types].xml")
            for kind, (main_part, folder) in _OFFICE_MAIN_PARTS.items():
                if main_part in content_types and any(n.startswith(folder) for n in names):
                    return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
        raise KindRefused() from error
    raise KindRefused()


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        return member.read(_MEMBER_BYTES)


def display_name(name: str | None, kind: MaterialKind) -> str:
    """The uploader's file name made safe to show and to offer: only its last path part, control characters
    and surrounding dots or spaces gone, at most MAX_NAME_LENGTH characters, ending with the extension of its
    real kind (`report.docx` that is a PDF is offered as `report.pdf`). Never used on disk."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = clean_line(text).strip(". ")
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    if extension.lower() not in EXTENSIONS[kind]:
        stem = text if extension.lower() not in _ALL_EXTENSIONS else stem
        extension = EXTENSIONS[kind][0]
    stem = stem.strip(". ") or str(_l("material"))
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1]
    return f"{stem}.{extension}"


_ALL_EXTENSIONS = {ext for extensions in EXTENSIONS.values() for ext in extensions} | {"exe", "zip", "txt"}
