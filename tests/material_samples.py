"""Small sample files of every kind a material may be, and disguised ones, built in code (no binary committed).

Each is the least a real program writes that still is what it says: a one-page PDF, a PNG of one pixel, Office
Open XML packages with their [Content_Types].xml and main part, an ODP with its `mimetype` member first.
"""

import io
import struct
import zipfile
import zlib


def pdf(text: str = "Slides") -> bytes:
    """A one-page PDF with a line of text, with a correct cross-reference table."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png() -> bytes:
    """A 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def gif() -> bytes:
    palette = b"\xff\xff\xff\x00\x00\x00"
    image = b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00"
    return b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + palette + b"!\xf9\x04\x01\x00\x00\x00\x00" + image + b";"


def webp() -> bytes:
    body = b"WEBPVP8 " + struct.pack("<I", 10) + b"\x00" * 10
    return b"RIFF" + struct.pack("<I", len(body)) + body


_OFFICE = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}


def office(kind: str, *, macros: bool = False) -> bytes:
    """A DOCX, PPTX or XLSX package: [Content_Types].xml naming the main part, the relationships, the part."""
    part, content_type = _OFFICE[kind]
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'officeDocument" Target="{part}"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("_rels/.rels", rels)
        package.writestr(part, '<?xml version="1.0" encoding="UTF-8"?><root/>')
        if macros:
            package.writestr(part.split("/")[0] + "/vbaProject.bin", b"\x00" * 16)
    return out.getvalue()


def odp() -> bytes:
    """An OpenDocument presentation: its `mimetype` member first and stored, then the content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.presentation", zipfile.ZIP_STORED
        )
        package.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content/>')
        package.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest/>')
    return out.getvalue()


def odt() -> bytes:
    """An OpenDocument text: a kind not accepted, although a well-formed ODF file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        package.writestr("content.xml", "<x/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("notes.txt", "just an archive")
        package.writestr("word/readme.txt", "a folder named like Word's")
    return out.getvalue()


def exe() -> bytes:
    """The start of a Windows executable (the MZ header and the PE signature)."""
    header = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    header += b"\x00" * (0x3C - len(header)) + struct.pack("<I", 0x40)
    return bytes(header) + b"PE\x00\x00" + b"\x00" * 256


def text() -> bytes:
    return b"These are my notes, not a picture.\n"


SAMPLES = {
    "pdf": (pdf, "slides.pdf"),
    "pptx": (lambda: office("pptx"), "deck.pptx"),
    "docx": (lambda: office("docx"), "paper.docx"),
    "odp": (odp, "deck.odp"),
    "xlsx": (lambda: office("xlsx"), "figures.xlsx"),
    "png": (png, "chart.png"),
    "jpeg": (jpeg, "photo.jpg"),
    "gif": (gif, "anim.gif"),
    "webp": (webp, "picture.webp"),
}
