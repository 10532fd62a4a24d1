"""Two people saving the same note at once, each on the version they opened: exactly one text is saved and the
other gets it back as a stale edit (the note's row lock for a note that exists, its unique item for a first
note), whichever way the race goes."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AgendaItem, Note, NoteRevision, Organiser
from app.report import services
from app.transaction import use_case
from tests.conftest import DATABASE_URL
from tests.factories import at, make_event, make_item, make_session
from tests.http.conftest import make_organiser

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgresql"),
        reason="row-lock races need PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://...",
    ),
]

NOW = datetime(2030, 10, 1, 9, 0, tzinfo=UTC)


def _race(app, item_id: int, organiser_ids: list[int], based_on: int) -> list[str]:
    barrier = threading.Barrier(len(organiser_ids))
    outcomes: list[str] = []

    def save(organiser_id: int) -> None:
        with app.app_context():
            try:
                item, by = db.session.get(AgendaItem, item_id), db.session.get(Organiser, organiser_id)
                barrier.wait(10)
                with use_case():
                    services.save_note(item=item, body=f"Text of {by.email}", based_on=based_on, by=by, now=NOW)
                outcomes.append("saved")
            except services.StaleNote:
                outcomes.append("stale")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(organiser_id,)) for organiser_id in organiser_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(outcomes)


@pytest.fixture
def item_and_writers(app, app_context):
    event = make_event()
    item = make_item(make_session(event, starts_at=at(8), ends_at=at(10)), starts_at=at(8), ends_at=at(9))
    writers = [make_organiser(f"writer{n}@example.org", events=[event]).id for n in range(2)]
    return item.id, writers


@pytest.mark.parametrize("first", [True, False], ids=["first-note", "existing-note"])
def test_two_saves_on_the_same_version_keep_one_text(app, item_and_writers, first):
    item_id, writers = item_and_writers
    if not first:
        with use_case():
            item, by = db.session.get(AgendaItem, item_id), db.session.get(Organiser, writers[0])
            services.save_note(item=item, body="Opened by both", based_on=0, by=by, now=NOW)
        db.session.remove()
    assert _race(app, item_id, writers, based_on=0 if first else 1) == ["saved", "stale"]
    note = db.session.scalar(select(Note))
    assert note.version == (1 if first else 2)
    assert note.body in {"Text of writer0@example.org", "Text of writer1@example.org"}
    assert db.session.scalar(select(NoteRevision.body).where(NoteRevision.version == note.version)) == note.body
