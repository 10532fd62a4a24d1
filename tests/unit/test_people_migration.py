"""The migration that turns shared people into per-event records, run on a database of its own (a temporary
SQLite file, or a `<test database>_migration` database on PostgreSQL when TEST_DATABASE_URL is set)."""

import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import AgendaItem, Appearance, Event, EventSession, EventStatus, Person, Speaker
from app.security import hash_token
from app.speakers import services
from tests.conftest import DATABASE_URL, make_config

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "migrations")
BEFORE = "a3919a106eb1"
THIS = "7c3e9a51d2b4"
CREATED = datetime(2030, 9, 1, 12, 0, tzinfo=UTC)
ANSWERED = datetime(2030, 9, 2, 8, 30, tzinfo=UTC)


@pytest.fixture
def migration_db(tmp_path):
    """An app on an empty database of its own; dropped afterwards."""
    admin = None
    if DATABASE_URL.startswith("postgresql"):
        url = make_url(DATABASE_URL)
        name = f"{url.database}_migration"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path}/migration.sqlite"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=target))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _t(value: datetime):
    """A time as the raw column takes it: aware on PostgreSQL, naive UTC on SQLite (as UTCDateTime stores it)."""
    return value if db.engine.dialect.name == "postgresql" else value.replace(tzinfo=None)


class Rows:
    """Inserts rows through the reflected tables of the schema as it is at the revision."""

    def __init__(self, conn):
        self.conn = conn
        self.meta = sa.MetaData()
        self.meta.reflect(conn)

    def add(self, table: str, **values) -> int:
        return self.conn.execute(
            self.meta.tables[table].insert().values(**values).returning(self.meta.tables[table].c.id)
        ).scalar_one()

    def event(self, n: int) -> tuple[int, int]:
        event_id = self.add(
            "events",
            slug=f"event-{n}",
            title=f"Event {n}",
            description="",
            venue="Brussels",
            timezone="Europe/Brussels",
            starts_on=datetime(2030, 10, n).date(),
            ends_on=datetime(2030, 10, n).date(),
            status="published",
            contact_name="",
            contact_email="",
            created_at=_t(CREATED),
            updated_at=_t(CREATED),
        )
        session_id = self.add(
            "event_sessions",
            event_id=event_id,
            title="Morning",
            description="",
            starts_at=_t(datetime(2030, 10, n, 8, tzinfo=UTC)),
            ends_at=_t(datetime(2030, 10, n, 12, tzinfo=UTC)),
            location="",
            is_online=False,
            status="scheduled",
            registration_enabled=False,
            seats_taken=0,
            waitlist_enabled=True,
            uid=f"session-{n}",
            version=0,
            updated_at=_t(CREATED),
            registrations_version=0,
        )
        return event_id, session_id

    def item(self, session_id: int, n: int) -> int:
        return self.add(
            "agenda_items",
            session_id=session_id,
            title=f"Item {n}",
            kind="panel",
            starts_at=_t(datetime(2030, 10, 1, 9, tzinfo=UTC)),
            ends_at=_t(datetime(2030, 10, 1, 10, tzinfo=UTC)),
            description="",
            location="",
            position=n,
            uid=f"item-{n}",
            version=0,
            updated_at=_t(CREATED),
        )

    def person(self, name: str, email: str | None, **extra) -> int:
        return self.add(
            "people",
            honorific="Dr",
            name=name,
            position="Director",
            organisation="ICMPD",
            email=email,
            bio=f"Bio of {name}",
            created_at=_t(CREATED),
            updated_at=_t(CREATED),
            **extra,
        )

    def appearance(self, item_id: int, person_id: int, uid: str, **extra) -> int:
        values = dict(role="panellist", position=0, response="pending", response_note="", sequence=0)
        values.update(extra)
        return self.add("appearances", item_id=item_id, person_id=person_id, uid=uid, **values)

    def message(self, person_id: int, event_id: int | None) -> int:
        return self.add(
            "outbox_messages",
            kind="speaker_invite",
            to_address="x@example.org",
            to_name="",
            subject="s",
            body_text="b",
            body_html="",
            status="sent",
            not_before=_t(CREATED),
            attempts=1,
            last_error="",
            created_at=_t(CREATED),
            person_id=person_id,
            event_id=event_id,
        )


def test_upgrade_gives_each_event_its_own_records_and_keeps_every_answer_and_feed(migration_db):
    upgrade(directory=MIGRATIONS, revision=BEFORE)
    with db.engine.begin() as conn:
        rows = Rows(conn)
        (first, first_session), (second, second_session) = rows.event(1), rows.event(2)
        first_item, second_item = rows.item(first_session, 1), rows.item(second_session, 2)
        ana = rows.person("Ana", "Ana@Example.org", timezone="Asia/Tbilisi", feed_token_hash=hash_token("ana-feed"))
        ben = rows.person("Ben", "ben@example.org")
        mailed = rows.person("Mailed", "mailed@example.org")
        lost = rows.person("Nowhere", None, feed_token_hash=hash_token("lost-feed"))
        in_first = rows.appearance(first_item, ana, "a-1", response="confirmed", responded_at=_t(ANSWERED))
        in_second = rows.appearance(
            second_item, ana, "a-2", response="declined", response_note="On mission", responded_at=_t(ANSWERED)
        )
        ben_in_second = rows.appearance(second_item, ben, "b-2", position=1)
        mail_first, mail_second = rows.message(ana, first), rows.message(ana, second)
        mailed_message, lost_message = rows.message(mailed, second), rows.message(lost, None)
        rows.add(
            "speaker_login_tokens",
            person_id=ana,
            token_hash=hash_token("link"),
            created_at=_t(CREATED),
            expires_at=_t(CREATED),
        )

    upgrade(directory=MIGRATIONS, revision=THIS)
    upgrade(directory=MIGRATIONS)  # and the later revisions: they add columns the models read (languages)

    people = {p.id: p for p in db.session.scalars(sa.select(Person))}
    (copy,) = [p for p in people.values() if p.id not in (ana, ben, mailed)]
    assert people[ana].event_id == first and copy.event_id == second
    assert (copy.name, copy.honorific, copy.email, copy.bio) == ("Ana", "Dr", "Ana@Example.org", "Bio of Ana")
    assert (people[ben].event_id, people[mailed].event_id) == (second, second)
    assert lost not in people
    answers = {
        a.id: (a.person_id, a.response.value, a.response_note, a.responded_at, a.uid)
        for a in db.session.scalars(sa.select(Appearance))
    }
    assert answers == {
        in_first: (ana, "confirmed", "", ANSWERED, "a-1"),
        in_second: (copy.id, "declined", "On mission", ANSWERED, "a-2"),
        ben_in_second: (ben, "pending", "", None, "b-2"),
    }
    messages = dict(db.session.execute(sa.text("SELECT id, person_id FROM outbox_messages")).all())
    assert messages == {mail_first: ana, mail_second: copy.id, mailed_message: mailed, lost_message: None}
    speakers = {s.email: s for s in db.session.scalars(sa.select(Speaker))}
    assert sorted(speakers) == ["ana@example.org", "ben@example.org", "mailed@example.org"]
    assert (speakers["ana@example.org"].timezone, speakers["ana@example.org"].session_version) == ("Asia/Tbilisi", 0)
    assert db.session.scalar(sa.text("SELECT count(*) FROM speaker_login_tokens")) == 0
    # The old feed address opens the speaker's feed, which gathers both events' slots.
    (owner,) = services.feed_owner("ana-feed")
    assert owner == speakers["ana@example.org"].id
    assert [s.appearance.id for s in services.list_slots(speakers["ana@example.org"])] == [in_first, in_second]


def test_downgrade_puts_the_shared_records_back_when_each_address_is_in_one_event(migration_db):
    upgrade(directory=MIGRATIONS, revision=THIS)
    upgrade(directory=MIGRATIONS)  # and the later revisions: they add columns the models read (languages)
    event = Event(
        slug="e",
        title="E",
        starts_on=datetime(2030, 10, 1).date(),
        ends_on=datetime(2030, 10, 1).date(),
        status=EventStatus.PUBLISHED,
    )
    session = EventSession(event=event, title="S", starts_at=CREATED, ends_at=ANSWERED)
    item = AgendaItem(session=session, title="I", starts_at=CREATED, ends_at=ANSWERED)
    person = Person(event=event, name="Ana", email="ana@example.org")
    db.session.add_all([event, Appearance(item=item, person=person)])
    db.session.add(Speaker(email="ana@example.org", timezone="Asia/Tbilisi", feed_token_hash=hash_token("feed")))
    db.session.commit()
    person_id, event_id = person.id, event.id
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision=BEFORE)

    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("people")}
    assert "event_id" not in columns and {"timezone", "feed_token_hash"} <= columns
    assert "speakers" not in sa.inspect(db.engine).get_table_names()
    restored = db.session.execute(sa.text("SELECT id, timezone, feed_token_hash FROM people")).all()
    assert [tuple(r) for r in restored] == [(person_id, "Asia/Tbilisi", hash_token("feed"))]
    db.session.remove()

    upgrade(directory=MIGRATIONS, revision=THIS)
    upgrade(directory=MIGRATIONS)  # and the later revisions: they add columns the models read (languages)

    assert db.session.scalars(sa.select(Person.event_id)).all() == [event_id]
    assert db.session.scalars(sa.select(Speaker.timezone)).all() == ["Asia/Tbilisi"]
