"""The demo event's draft report, read back: the DOCX with python-docx (headings and their Word styles, the
order, every person line as the seed report writes it, moderator and panellists, the typologies with their
projects, the follow-up, the table of contents field), the French report, the PDF, the queries it costs."""

import io
from datetime import UTC, date, datetime

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import select

from app.demo.loader import load_demo
from app.extensions import db
from app.i18n import in_language
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    Note,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    Typology,
)
from app.report import services
from app.report.document import build_report, person_line
from app.report.docx import TOC_INSTRUCTION, render_docx
from app.report.pdf import STYLESHEET, OfflineFetcher, render_pdf
from tests.unit.test_demo_loader import REPORT_PEOPLE

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 29)


@pytest.fixture
def demo(app_context) -> Event:
    event = load_demo(today=TODAY, now=NOW).event
    db.session.commit()
    return event


def _docx(event: Event, language: str = "en") -> Document:
    with in_language(language):
        return Document(io.BytesIO(render_docx(build_report(event.id, now=NOW))))


def _headings(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]


def test_docx_has_a_heading_per_session_in_order_then_the_typologies(demo):
    headings = _headings(_docx(demo))
    assert [text for style, text in headings if style == "Heading 1"] == [
        "MPF Exchange Event",
        "Morning Session: Borders & Security Cooperation Priorities",
        "Afternoon Session: ‘Power of Partnership Approaches’",
        "Looking Ahead: online follow-up session",
        "Typologies",
    ]
    morning = [text for style, text in headings[2:10] if style == "Heading 2"]
    assert morning[:4] == [
        "Opening Remarks",
        "PROMETHEUS II",
        "RAPAK",
        "Strengthening Georgian Border Police (GBP) Capacities for Green and Sea Border Surveillance",
    ]
    assert "Coffee break" not in [text for _, text in headings]  # breaks without a note are left out
    assert {style for style, _ in headings} == {"Heading 1", "Heading 2"}


def test_docx_writes_every_person_as_the_seed_report_does(demo):
    lines = [p.text for p in _docx(demo).paragraphs if p.style.name == "List Bullet"]
    for name, affiliation in REPORT_PEOPLE.items():
        assert f"{name}, {affiliation}" in lines, name
    assert "Mr Jean-Christophe Hilaire, Police Commander, Chief of Bureau, Ministry of Interior, France" in lines


def test_docx_names_the_panels_moderator_and_panellists(demo):
    texts = [p.text for p in _docx(demo).paragraphs]
    panel = texts.index("Looking Ahead – What are the priorities for cooperation on borders and security?")
    assert texts[panel + 2 : panel + 9] == [
        "Moderator:",
        "Mr Borut Erzen, Head of ICMPD's Border Management and Security Programme",
        "Panellists:",
        "Mr Erik Silfversten, Assistant Director at RAND Europe",
        "Mr Vilim Lukas, Department of Public and European Law at the University of Finance and Administration in "
        "Prague",
        "Ms Silvia Carta, Advocacy Officer – Migration Policy at PICUM (Platform for International Cooperation on "
        "Undocumented Migrants)",
        "Mr Richard Ares Baumgartner, EU Affairs Strategic Advisor at Frontex",
    ]


def test_docx_lists_the_five_typologies_and_the_hybrid_with_their_projects(demo):
    document = _docx(demo)
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    start = texts.index(("Heading 1", "Typologies"))
    matrix: dict[str, list[str]] = {}
    for style, text in texts[start + 1 :]:
        if style == "Heading 2":
            current = matrix.setdefault(text, [])
        elif style == "List Bullet":
            current.append(text.split(" – Mr ")[0].split(" – Ms ")[0])
    assert matrix == {
        "Operational Partnerships": [
            "‘Enhancing capacities of Border Police forces to detect forged identity and travel documents for "
            "preventing and combating irregular migration and trafficking in human beings’"
        ],
        "Policy and Dialogue Partnerships": ["Prague Process & Budapest Process"],
        "Capacity Partnerships": [
            "‘Strengthening Migrant Integration through Cooperation between Portugal and Cabo Verde – Coop4Int’"
        ],
        "Action Research": [
            "‘INSigHT - Building capacity to deal with human trafficking and transit routes in Nigeria, Italy, and "
            "Sweden’"
        ],
        "Skills/Labour Mobility Partnerships": ["‘WAFIRA - Women As Financially Independent Rural Actors’"],
        "Hybrid Partnerships": ["‘WAFIRA - Women As Financially Independent Rural Actors’"],
    }


def test_docx_gives_the_follow_up_with_its_day_time_zone_and_registration_address(demo):
    texts = [p.text for p in _docx(demo).paragraphs]
    follow_up = demo.sessions[-1]
    assert (
        "Follow-up: “Looking Ahead: online follow-up session”, Saturday 30 October 2027, 10:00–11:30 CEST "
        "(Europe/Brussels)." in texts
    )
    address = f"http://127.0.0.1:5000/events/mpf-exchange-event/sessions/{follow_up.id}/register"
    assert f"Registration: {address}" in texts


def test_docx_has_a_title_page_a_toc_field_and_asks_word_to_fill_it(demo):
    document = _docx(demo)
    assert [(p.style.name, p.text) for p in document.paragraphs[:2]] == [
        ("Title", "MPF Exchange Event"),
        ("Subtitle", "Synopsis report"),
    ]
    fields = document.element.body.findall(".//" + qn("w:fldSimple"))
    assert [f.get(qn("w:instr")) for f in fields] == [TOC_INSTRUCTION]
    assert TOC_INSTRUCTION == 'TOC \\o "1-3" \\h \\z \\u'
    update = document.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def test_french_report_has_french_headings_and_wording(demo):
    document = _docx(demo, "fr")
    headings = [text for style, text in _headings(document) if style == "Heading 1"]
    assert headings == ["Rencontre d’échange du MPF", *[s.title_fr for s in demo.sessions], "Typologies"]
    assert headings[1].startswith("Séance du matin\u00a0: priorités")
    texts = [p.text for p in document.paragraphs]
    assert "Partenariats hybrides" in texts
    assert "Modérateur\u00a0:" in texts and "Panélistes\u00a0:" in texts
    assert document.paragraphs[1].text == "Rapport de synthèse"
    follow_up = f"Suite\u00a0: «\u00a0{demo.sessions[-1].title_fr}\u00a0», samedi 30 octobre 2027, 10:00–11:30"
    assert any(t.startswith(follow_up) for t in texts), texts


def test_questions_go_without_names_and_attendance_once_recorded(demo):
    follow_up = db.session.get(EventSession, demo.sessions[-1].id)
    for n, attended in ((1, True), (2, False)):
        db.session.add(
            Registration(
                session=follow_up,
                full_name=f"Registrant Number{n}",
                email=f"r{n}@example.com",
                email_normalised=f"r{n}@example.com",
                question=f"What will Frontex do next, {n}?",
                consent_version="2026-11",
                status=RegistrationStatus.CONFIRMED,
                manage_token_hash=f"{n:064d}",
                attended_at=NOW if attended else None,
            )
        )
    db.session.commit()
    texts = [p.text for p in _docx(demo).paragraphs]
    assert "What will Frontex do next, 1?" in texts and "What will Frontex do next, 2?" in texts
    assert not any("Registrant Number" in t for t in texts)
    assert "Registered: 2 confirmed, 0 on the waiting list." in texts
    assert "Attended: 1." in texts


def test_note_markdown_becomes_word_lists_and_bold(demo):
    document = _docx(demo)
    bullet = next(p for p in document.paragraphs if p.text.startswith("Erik Silfversten presented"))
    assert bullet.style.name == "List Bullet"
    assert bullet.text.endswith("more likely to be utilised in the short-term.")
    assert bullet.runs[0].bold is True and bullet.runs[0].text == "Erik Silfversten"


def test_report_build_costs_the_same_queries_for_a_bigger_agenda(demo, count_queries):
    event_id = demo.id
    db.session.expire_all()
    with count_queries() as statements:
        build_report(event_id, now=NOW)
    assert len(statements) == 10, statements
    event = db.session.get(Event, demo.id)
    extra = EventSession(
        event=event, title="Extra", starts_at=event.sessions[0].starts_at, ends_at=event.sessions[0].ends_at
    )
    for n in range(5):
        item = AgendaItem(session=extra, title=f"Extra {n}", starts_at=extra.starts_at, ends_at=extra.ends_at)
        person = Person(event=event, name=f"Extra Person {n}", position="Adviser", organisation="ICMPD")
        item.appearances = [Appearance(person=person, role=Role.SPEAKER)]
        db.session.add_all([item, Note(item=item, body=f"Note {n}")])
        db.session.add(Typology(event=event, name=f"Extra category {n}", items=[item]))
    db.session.commit()
    event_id = event.id
    db.session.expire_all()
    with count_queries() as bigger:
        report = build_report(event_id, now=NOW)
    assert len(bigger) == 10, "\n".join(s[:150] for s in bigger)
    assert "Extra category 4" in [h.text for h in report.headings]


def test_person_line_does_not_say_the_organisation_twice(demo):
    person = next(p for p in demo.people if p.name == "William Huddleston")
    assert person_line(person) == "Mr William Huddleston, RAPAK ICMPD Project Manager"


def test_pdf_is_a_pdf_and_fetches_nothing(demo, app):
    fetcher = OfflineFetcher()
    html = (
        '<html><body><h1>Report</h1><img src="http://127.0.0.1:9/tracker.png">'
        '<link rel="stylesheet" href="https://example.org/x.css"></body></html>'
    )
    pdf = render_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert sorted(fetcher.refused) == ["http://127.0.0.1:9/tracker.png", "https://example.org/x.css"]


def test_pdf_of_the_demo_report_has_its_pages(demo, app):
    with app.test_request_context(), in_language("en"):
        from flask import render_template

        html = render_template("report/report.html", report=build_report(demo.id, now=NOW), tools=None)
    css = STYLESHEET.read_text(encoding="utf-8")
    assert "@page" in css and "break-before: page" in css and "string-set" in css
    assert "<link" not in html and "<style" not in html  # the stylesheet is given to the renderer
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 20000


def test_the_demo_has_the_reports_typologies_published_and_two_notes_with_their_history(demo):
    matrix = services.typologies(demo)
    assert [(t.name, t.name_fr) for t in matrix][-1] == ("Hybrid Partnerships", "Partenariats hybrides")
    assert len(matrix) == 6 and demo.typologies_published is True
    assert [len(t.items) for t in matrix] == [1, 1, 1, 1, 1, 1]
    notes = db.session.scalars(select(Note).order_by(Note.id)).all()
    assert [(n.item is not None, n.session is not None, n.version, len(n.revisions)) for n in notes] == [
        (True, False, 1, 1),
        (False, True, 1, 1),
    ]
