"""The content check of materials: each accepted kind by its bytes, disguised and empty files refused, sizes, names."""

import io

import pytest

from app.materials.checks import (
    EmptyFile,
    FileTooLarge,
    KindRefused,
    check_file,
    display_name,
)
from app.models import MaterialKind
from tests import material_samples as samples

MB = 1024 * 1024


def check(data: bytes, name: str, max_bytes: int = 50 * MB):
    return check_file(io.BytesIO(data), name, max_bytes=max_bytes)


@pytest.mark.parametrize("kind", list(samples.SAMPLES))
def test_each_accepted_kind_is_recognised_by_its_content(app_context, kind):
    make, name = samples.SAMPLES[kind]
    data = make()

    checked = check(data, name)

    assert checked.kind == MaterialKind(kind)
    assert checked.file_name == name
    assert checked.size_bytes == len(data)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize("kind", list(samples.SAMPLES))
def test_the_kind_comes_from_the_content_whatever_the_name_says(app_context, kind):
    make, _name = samples.SAMPLES[kind]

    checked = check(make(), "upload.bin")

    assert checked.kind == MaterialKind(kind)


def test_an_office_file_whose_members_come_in_another_order_is_still_recognised(app_context):
    # LibreOffice writes the parts in another order than Word: the archive's members decide, not their order.
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<root/>")
        package.writestr("docProps/app.xml", "<x/>")
        package.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )

    assert check(out.getvalue(), "paper.docx").kind == MaterialKind.DOCX


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (samples.exe(), "slides.pdf"),
        (samples.plain_zip(), "paper.docx"),
        (samples.text(), "chart.png"),
        (samples.odt(), "deck.odp"),
        (samples.office("docx", macros=True), "paper.docx"),
        (b"PK\x03\x04 not really an archive", "deck.pptx"),
        (b"%PD", "slides.pdf"),
    ],
    ids=["exe-as-pdf", "zip-as-docx", "text-as-png", "odt-as-odp", "docx-with-macros", "broken-zip", "short"],
)
def test_a_disguised_or_unaccepted_file_is_refused_with_the_accepted_kinds(app_context, data, name):
    with pytest.raises(KindRefused) as refused:
        check(data, name)

    assert refused.value.message == (
        "This file is not one of the kinds accepted (PDF, PPTX, DOCX, ODP, XLSX, PNG, JPEG, GIF, WebP), "
        "whatever its name says."
    )


def test_an_empty_file_is_refused(app_context):
    with pytest.raises(EmptyFile) as refused:
        check(b"", "slides.pdf")

    assert refused.value.message == "The file is empty: choose the file again."


def test_a_file_over_the_limit_is_refused_with_the_limit_in_words(app_context):
    data = samples.pdf() + b"\n" * MB

    with pytest.raises(FileTooLarge) as refused:
        check(data, "slides.pdf", max_bytes=MB)

    assert refused.value.message == "The file is larger than 1 MiB, the most a material may be."


def test_a_file_exactly_at_the_limit_is_taken(app_context):
    data = samples.pdf()

    assert check(data, "slides.pdf", max_bytes=len(data)).size_bytes == len(data)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ana\\Desktop\\Slides final.pdf", "Slides final.pdf"),
        ("/var/tmp/slides.pdf", "slides.pdf"),
        ("slides\r\nX-Injected: yes.pdf", "slides X-Injected: yes.pdf"),
        ("bell\x07and\x00nul\x7f.pdf", "bell and nul.pdf"),
        ("...", "material.pdf"),
        ("", "material.pdf"),
        (None, "material.pdf"),
        ("report.docx", "report.pdf"),
        ("report", "report.pdf"),
        ("Présentation «finale».PDF", "Présentation «finale».PDF"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_names_lose_their_path_and_control_characters_and_end_with_their_real_kind(app_context, name, shown):
    assert display_name(name, MaterialKind.PDF) == shown


def test_a_jpeg_keeps_either_of_its_extensions(app_context):
    assert display_name("photo.jpeg", MaterialKind.JPEG) == "photo.jpeg"
    assert display_name("photo.JPG", MaterialKind.JPEG) == "photo.JPG"
    assert display_name("photo.png", MaterialKind.JPEG) == "photo.jpg"
