"""The report's pages through the test client: notes with history and stale edits, rapporteurs kept to their
event's notes, the typologies and the public matrix, the draft report as HTML, DOCX and PDF; another event's
organiser gets 404 everywhere."""

import io

import pytest
from docx import Document
from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import ActivityEntry, Event, Note, NoteRevision, Typology, event_rapporteurs
from tests.factories import at, make_event, make_item, make_session
from tests.http.conftest import make_organiser


@pytest.fixture
def world(app_context):
    event = make_event(title="MPF Exchange Event", slug="mpf")
    session = make_session(event, title="Afternoon", starts_at=at(8), ends_at=at(11))
    item = make_item(session, title="WAFIRA presentation", starts_at=at(8), ends_at=at(9))
    other = make_event(title="Other event", slug="other")
    other_session = make_session(other, title="Other session")
    other_item = make_item(other_session, title="Other item")
    owner = make_organiser("owner@example.org", events=[event], name="Owner")
    stranger = make_organiser("stranger@example.org", events=[other], name="Stranger")
    rapporteur = make_organiser("rapporteur@example.org", name="Rita Rapporteur")
    db.session.execute(event_rapporteurs.insert().values(event_id=event.id, organiser_id=rapporteur.id))
    db.session.commit()
    return {
        "event": event.id,
        "session": session.id,
        "item": item.id,
        "other_event": other.id,
        "other_session": other_session.id,
        "other_item": other_item.id,
        "owner": owner,
        "stranger": stranger,
        "rapporteur": rapporteur,
    }


def _pages(w, event="event", session="session", item="item") -> list[str]:
    return [
        f"/organiser/events/{w[event]}/report",
        f"/organiser/events/{w[event]}/report.docx",
        f"/organiser/events/{w[event]}/report.pdf",
        f"/organiser/events/{w[event]}/notes/",
        f"/organiser/items/{w[item]}/note",
        f"/organiser/sessions/{w[session]}/summary",
        f"/organiser/events/{w[event]}/typologies/",
        f"/organiser/events/{w[event]}/typologies/publish",
        f"/organiser/items/{w[item]}/typologies",
    ]


def test_an_organiser_of_another_event_gets_404_for_the_report_and_the_notes(client, sign_in, world):
    sign_in(world["stranger"])
    assert [(p, client.get(p).status_code) for p in _pages(world)] == [(p, 404) for p in _pages(world)]
    response = client.post(f"/organiser/items/{world['item']}/note", data={"body": "Taken over", "version": "0"})
    assert response.status_code == 404
    assert db.session.scalars(select(Note)).all() == []


def test_the_owner_opens_every_page_and_downloads_the_report(client, sign_in, world):
    sign_in(world["owner"])
    assert [client.get(p).status_code for p in _pages(world)] == [200] * 9
    docx = client.get(f"/organiser/events/{world['event']}/report.docx")
    assert docx.headers["Content-Disposition"] == 'attachment; filename="mpf-report.docx"'
    headings = [p.text for p in Document(io.BytesIO(docx.data)).paragraphs if p.style.name == "Heading 1"]
    assert headings == ["MPF Exchange Event", "Afternoon"]
    pdf = client.get(f"/organiser/events/{world['event']}/report.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    french = client.get(f"/organiser/events/{world['event']}/report?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in french and "Table des matières" in french


def test_a_rapporteur_writes_the_events_notes_and_nothing_else(client, sign_in, world):
    sign_in(world["rapporteur"])
    assert client.get(f"/organiser/events/{world['event']}/notes/").status_code == 200
    response = client.post(f"/organiser/items/{world['item']}/note", data={"body": "What was *said*.", "version": "0"})
    assert response.status_code == 302
    assert db.session.scalar(select(Note.body)) == "What was *said*."
    home = client.get("/organiser/").get_data(as_text=True)
    assert "Events you write notes for" in home and f"/organiser/events/{world['event']}/notes/" in home
    # The rest of the event, and every page of another event, answers 404.
    mine = [p for p in _pages(world) if "/note" not in p and "/summary" not in p]
    theirs = _pages(world, "other_event", "other_session", "other_item")
    assert {p: client.get(p).status_code for p in mine + theirs} == {p: 404 for p in mine + theirs}
    assert client.get(f"/organiser/events/{world['event']}/").status_code == 404
    # Naming rapporteurs is for organisers.
    response = client.post(f"/organiser/events/{world['event']}/notes/", data={"email": "owner@example.org"})
    assert response.status_code == 404


def test_note_history_keeps_every_version_with_who_and_when(client, sign_in, world):
    sign_in(world["owner"])
    path = f"/organiser/items/{world['item']}/note"
    client.post(path, data={"body": "First draft", "version": "0"})
    client.post(path, data={"body": "Second draft", "version": "1"})
    page = client.get(path).get_data(as_text=True)
    assert page.index("Version 2") < page.index("Second draft", page.index("History"))
    assert "First draft" in page and "Version 1" in page and page.count("Owner") >= 2
    assert [
        (r.version, r.body, r.saved_by_name)
        for r in db.session.scalars(select(NoteRevision).order_by(NoteRevision.version))
    ] == [
        (1, "First draft", "Owner"),
        (2, "Second draft", "Owner"),
    ]
    assert db.session.scalar(select(ActivityEntry.action).order_by(ActivityEntry.id.desc())) == "note.saved"


def test_a_stale_edit_is_given_back_without_overwriting(client, sign_in, world):
    sign_in(world["owner"])
    path = f"/organiser/items/{world['item']}/note"
    client.post(path, data={"body": "Saved by a colleague", "version": "0"})
    response = client.post(path, data={"body": "My text, written on the empty note", "version": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in page and "Someone saved this note after you opened it." in page
    assert "My text, written on the empty note</textarea>" in page  # their text, kept in the field
    assert "Saved by a colleague" in page  # the newer text shown above
    assert 'name="version" type="hidden" value="1"' in page  # the next save goes on the newer version
    assert db.session.scalar(select(Note.body)) == "Saved by a colleague"


def test_an_organiser_names_a_rapporteur_by_their_account(client, sign_in, world):
    sign_in(world["owner"])
    path = f"/organiser/events/{world['event']}/notes/"
    refused = client.post(path, data={"email": "nobody@example.org"}).get_data(as_text=True)
    assert "<title>Error:" in refused and "There is no active account with this address" in refused
    assert client.post(path, data={"email": "stranger@example.org"}).status_code == 302
    assert "stranger@example.org" in client.get(path).get_data(as_text=True)
    assert client.get(f"/organiser/sessions/{world['session']}/summary").status_code == 200


def test_typologies_placements_and_the_public_matrix_after_publishing(client, sign_in, world):
    sign_in(world["owner"])
    base = f"/organiser/events/{world['event']}/typologies/"
    empty = client.post(base, data={"name": ""}).get_data(as_text=True)
    assert "<title>Error:" in empty
    client.post(base, data={"name": "Hybrid Partnerships", "description": "Several means."})
    client.post(base, data={"name": "Operational Partnerships"})
    hybrid, operational = db.session.scalars(select(Typology).order_by(Typology.position)).all()
    place = f"/organiser/items/{world['item']}/typologies"
    assert client.post(place, data={"typologies": [str(hybrid.id), str(operational.id)]}).status_code == 302
    assert client.post(place, data={"typologies": "999999"}).status_code == 200  # not a category of this event
    assert client.get("/events/mpf/typologies").status_code == 404  # not published yet
    assert 'href="/events/mpf/typologies"' not in client.get("/events/mpf/").get_data(as_text=True)
    assert client.post(base + "publish", data={}).status_code == 302
    assert 'href="/events/mpf/typologies"' in client.get("/events/mpf/").get_data(as_text=True)  # kept page refreshed
    public = client.get("/events/mpf/typologies").get_data(as_text=True)
    assert public.index("Hybrid Partnerships") < public.index("WAFIRA presentation") < public.index("Operational")
    client.post(base + "publish", data={})
    assert client.get("/events/mpf/typologies").status_code == 404


def test_the_notes_and_typologies_pages_cost_the_same_queries_for_a_bigger_agenda(
    client, sign_in, world, count_queries
):
    sign_in(world["owner"])
    pages = [f"/organiser/events/{world['event']}/notes/", f"/organiser/events/{world['event']}/typologies/"]

    def counts() -> list[int]:
        found = []
        for page in pages:
            with count_queries() as statements:
                assert client.get(page).status_code == 200
            found.append(len(statements))
        return found

    event = db.session.get(Event, world["event"])

    def add(n: int) -> None:
        session = make_session(event, title=f"Session {n}", starts_at=at(12 + n), ends_at=at(13 + n))
        item = make_item(session, title=f"Item {n}", starts_at=at(12 + n), ends_at=at(12 + n, 30))
        client.post(f"/organiser/items/{item.id}/note", data={"body": f"Note {n}", "version": "0"})
        client.post(f"/organiser/events/{world['event']}/typologies/", data={"name": f"Category {n}"})
        typology = db.session.scalar(select(Typology).where(Typology.name == f"Category {n}"))
        client.post(f"/organiser/items/{item.id}/typologies", data={"typologies": str(typology.id)})

    add(0)
    before = counts()
    for n in range(1, 4):
        add(n)
    assert counts() == before


def test_an_organiser_removes_a_rapporteur_who_then_gets_404_and_whose_notes_stay(client, sign_in, world):
    rapporteur_id = world["rapporteur"].id
    sign_in(world["rapporteur"])
    client.post(f"/organiser/items/{world['item']}/note", data={"body": "Kept after leaving.", "version": "0"})
    remove = f"/organiser/events/{world['event']}/rapporteurs/{rapporteur_id}/remove"
    assert client.post(remove).status_code == 404  # a rapporteur cannot take anyone off
    sign_in(world["stranger"])
    g.pop("_login_user", None)  # the requests share the test's app context: forget the account loaded before
    assert client.post(remove).status_code == 404  # nor can another event's organiser
    sign_in(world["owner"])
    g.pop("_login_user", None)
    page = client.get(f"/organiser/events/{world['event']}/notes/").get_data(as_text=True)
    assert 'Remove<span class="visually-hidden"> Rita Rapporteur as rapporteur</span>' in page

    removed = client.post(remove, follow_redirects=True).get_data(as_text=True)

    assert "rapporteur@example.org no longer writes this event&#39;s notes." in removed
    assert db.session.scalar(select(event_rapporteurs.c.organiser_id)) is None
    assert db.session.scalar(select(Note.body)) == "Kept after leaving."
    entry = db.session.scalars(select(ActivityEntry).where(ActivityEntry.action == "event.rapporteur_removed")).one()
    assert entry.summary == "Rita Rapporteur is no longer a rapporteur of the event."
    assert client.post(remove).status_code == 404  # once only
    sign_in(world["rapporteur"])
    g.pop("_login_user", None)
    assert client.get(f"/organiser/events/{world['event']}/notes/").status_code == 404
