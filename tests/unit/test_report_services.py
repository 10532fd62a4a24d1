"""The report's rules without HTTP: who writes an event's notes, the history of a note, stale edits, placements."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Note, NoteRevision, event_rapporteurs
from app.report import services
from tests.factories import at, make_event, make_item, make_session
from tests.http.conftest import make_organiser

NOW = datetime(2030, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def rows(app_context):
    event, other = make_event(slug="mine"), make_event(slug="theirs")
    item = make_item(make_session(event, starts_at=at(8), ends_at=at(10)), starts_at=at(8), ends_at=at(9))
    owner = make_organiser("owner@example.org", events=[event])
    rapporteur = make_organiser("rapporteur@example.org", name="Rita")
    db.session.execute(event_rapporteurs.insert().values(event_id=event.id, organiser_id=rapporteur.id))
    db.session.commit()
    return event, other, item, owner, rapporteur


def test_note_event_is_the_rapporteurs_own_event_only(rows):
    event, other, _item, owner, rapporteur = rows
    assert services.note_event(rapporteur, event.id) is event
    assert services.note_event(rapporteur, other.id) is None
    assert services.note_event(owner, other.id) is None
    assert services.rapporteur_events(rapporteur) == [event]


def test_save_note_keeps_every_text_and_refuses_a_stale_version(rows):
    _event, _other, item, _owner, rapporteur = rows
    services.save_note(item=item, body="One", based_on=0, by=rapporteur, now=NOW)
    services.save_note(item=item, body="Two", based_on=1, by=rapporteur, now=NOW)
    with pytest.raises(services.StaleNote) as stale:
        services.save_note(item=item, body="Written on version 1", based_on=1, by=rapporteur, now=NOW)
    assert stale.value.note.body == "Two"
    with pytest.raises(services.StaleNote):
        services.save_note(item=item, body="Written on no note", based_on=0, by=rapporteur, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(Note.version)) == 2
    revisions = db.session.execute(select(NoteRevision.version, NoteRevision.body, NoteRevision.saved_by_name)).all()
    assert sorted(revisions) == [(1, "One", "Rita"), (2, "Two", "Rita")]


def test_saving_the_same_text_again_adds_no_version(rows):
    _event, _other, item, owner, _rapporteur = rows
    first = services.save_note(item=item, body="Same", based_on=0, by=owner, now=NOW)
    again = services.save_note(item=item, body="Same\r\n", based_on=1, by=owner, now=NOW)
    assert again is first and again.version == 1


def test_an_item_goes_only_in_its_own_events_categories(rows):
    event, other, item, owner, _rapporteur = rows
    mine = services.add_typology(event, name="Hybrid", by=owner, now=NOW)
    theirs = services.add_typology(other, name="Elsewhere", by=owner, now=NOW)
    with pytest.raises(services.NotFound):
        services.place_item(item, [theirs.id], by=owner, now=NOW)
    assert services.place_item(item, [mine.id], by=owner, now=NOW) == [mine]
    with pytest.raises(services.ValidationFailed):
        services.add_typology(event, name="Hybrid", by=owner, now=NOW)


def test_the_rapporteur_command_names_an_account_of_an_event(rows, runner):
    event, _other, _item, _owner, _rapporteur = rows
    make_organiser("second@example.org")
    result = runner.invoke(args=["organisers", "rapporteur", "second@example.org", event.slug])
    assert result.exit_code == 0 and result.output == f"second@example.org now writes the notes of {event.title}.\n"
    missing = runner.invoke(args=["organisers", "rapporteur", "nobody@example.org", event.slug])
    assert missing.exit_code == 1 and "There is no active account with this address" in missing.output
