"""The report as a Word document: real Heading 1-3 styles (so Word's navigation and table of contents know
them), a title page, a TOC field that Word fills when the file is opened (updateFields), lists in Word's list
styles, and the event's language set on the document."""

import io
import re

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from flask_babel import gettext as _

from app.report.document import Bullets, Heading, NoteText, Paragraph, Report

#: The field Word fills with the table of contents: headings 1-3, as links, with page numbers.
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
_BULLET = re.compile(r"^\s*[-*+]\s+")
_NUMBER = re.compile(r"^\s*\d{1,9}[.)]\s+")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(\*|_)(.+?)\3")


def render_docx(report: Report) -> bytes:
    document = Document()
    _set_language(document, report.language)
    _title_page(document, report)
    _table_of_contents(document)
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            run.bold = block.style == "label"
            run.italic = block.style == "meta"
        elif isinstance(block, Bullets):
            for line in block.items:
                document.add_paragraph(line, style="List Bullet")
        elif isinstance(block, NoteText):
            _note(document, block.markdown)
    _update_fields_on_open(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _title_page(document, report: Report) -> None:
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(report.subtitle, style="Subtitle")
    for fact in report.facts:
        document.add_paragraph(fact)
    notice = document.add_paragraph()
    notice.add_run(report.draft_notice).italic = True
    notice.runs[-1].add_break(WD_BREAK.PAGE)


def _table_of_contents(document) -> None:
    document.add_paragraph(_("Table of contents"), style="TOC Heading")
    paragraph = document.add_paragraph()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), TOC_INSTRUCTION)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = _("Right-click here and choose “Update field” to build the table of contents.")
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run().add_break(WD_BREAK.PAGE)


def _update_fields_on_open(document) -> None:
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _set_language(document, language: str) -> None:
    tag = {"fr": "fr-FR", "en": "en-GB"}.get(language, language)
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), tag)
    document.core_properties.language = tag
    document.styles["Normal"].font.size = Pt(11)


def _note(document, markdown: str) -> None:
    """A note's Markdown as Word paragraphs: bullets and numbers as list styles, bold and italics kept, the
    rest as plain text (never interpreted as markup)."""
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = [block]
        if _BULLET.match(block) or _NUMBER.match(block):
            lines = []  # one paragraph per list entry, its continuation lines joined to it
            for line in block.split("\n"):
                if lines and not (_BULLET.match(line) or _NUMBER.match(line)):
                    lines[-1] += " " + line.strip()
                else:
                    lines.append(line)
        for line in lines:
            if _BULLET.match(line):
                paragraph = document.add_paragraph(style="List Bullet")
                line = _BULLET.sub("", line)
            elif _NUMBER.match(line):
                paragraph = document.add_paragraph(style="List Number")
                line = _NUMBER.sub("", line)
            else:
                paragraph = document.add_paragraph()
                line = line.replace("\n", " ")
            _runs(paragraph, line.strip())


def _runs(paragraph, text: str) -> None:
    position = 0
    for match in _EMPHASIS.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position : match.start()])
        if match.group(2) is not None:
            paragraph.add_run(match.group(2)).bold = True
        else:
            paragraph.add_run(match.group(4)).italic = True
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])
