"""people belong to events; speakers known by their email

Until now one `people` row was shared by every event, with a globally unique email: an organiser could
pick and edit another organiser's speaker. Now a person record belongs to one event (`event_id`, email
unique per event), and what belongs to the human rather than to one event (time zone, private feed token,
session version) lives in `speakers`, one row per normalised email.

Data:
- A person who appears in several events keeps their row (and id) in the first of them (lowest event id)
  and gets a copy in each other one; the appearances (with their answers, notes and times) of those events,
  and the outbox messages of those events, move to the copy. Nothing of an appearance is rewritten.
- A person who appears nowhere goes to the event of the latest message sent to them (outbox_messages with an
  event); with no such message nothing ties them to any event, no organiser's page showed them (only the
  shared picker did, which is the leak this fixes), and attaching them to an arbitrary event would hand one
  organiser's data to another: they are deleted, their outbox messages keep the text but lose the link.
- Every distinct normalised email gets a `speakers` row holding the time zone and feed token hash of its
  person (the latest changed one, should two addresses differ only in case), so existing feed URLs keep
  working.
- Sign-in links (they last 30 minutes) are dropped: they were bound to a person row; ask for a new one.

Downgrade (for a database still holding one record per email): puts the time zone and feed token back on the
lowest-id record of each address and restores the global unique email; it fails if two events hold the same
address, which only a person merge could undo.

Revision ID: 7c3e9a51d2b4
Revises: a3919a106eb1
Create Date: 2026-12-01 10:30:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = '7c3e9a51d2b4'
down_revision = 'a3919a106eb1'
branch_labels = None
depends_on = None

PERSON_COLUMNS = ("honorific", "name", "position", "organisation", "email", "bio", "created_at", "updated_at")


def upgrade():
    op.create_table('speakers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('feed_token_hash', sa.String(length=64), nullable=True),
    sa.Column('session_version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speakers')),
    sa.UniqueConstraint('email', name=op.f('uq_speakers_email')),
    sa.UniqueConstraint('feed_token_hash', name=op.f('uq_speakers_feed_token_hash'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        # The copies below share their original's address.
        batch_op.drop_constraint('uq_people_email', type_='unique')

    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM speaker_login_tokens"))
    _create_speakers(connection)
    _split_people(connection)

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.alter_column('event_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_people_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_people_event_id_events'), 'events', ['event_id'], ['id'], ondelete='CASCADE'
        )
        batch_op.drop_constraint('uq_people_feed_token_hash', type_='unique')
        batch_op.create_unique_constraint('one_email_per_event', ['event_id', 'email'])
        batch_op.drop_column('feed_token_hash')
        batch_op.drop_column('timezone')

    with op.batch_alter_table('speaker_login_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_speaker_login_tokens_person_id')
        batch_op.drop_constraint('fk_speaker_login_tokens_person_id_people', type_='foreignkey')
        batch_op.drop_column('person_id')
        batch_op.add_column(sa.Column('speaker_id', sa.Integer(), nullable=False))
        batch_op.create_index(batch_op.f('ix_speaker_login_tokens_speaker_id'), ['speaker_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_speaker_login_tokens_speaker_id_speakers'), 'speakers', ['speaker_id'], ['id'],
            ondelete='CASCADE',
        )


def _create_speakers(connection) -> None:
    """One speaker per normalised email, with the time zone and feed token of its latest changed person."""
    rows = connection.execute(sa.text(
        "SELECT id, lower(trim(email)), timezone, feed_token_hash, created_at, updated_at FROM people "
        "WHERE email IS NOT NULL AND trim(email) != '' ORDER BY updated_at DESC, id DESC"
    )).all()
    speakers: dict[str, dict] = {}
    for _id, email, zone, feed_hash, created_at, updated_at in rows:
        found = speakers.setdefault(
            email, {"email": email, "timezone": None, "feed_token_hash": None, "created_at": created_at}
        )
        found["timezone"] = found["timezone"] or zone
        found["feed_token_hash"] = found["feed_token_hash"] or feed_hash
        found["created_at"] = min(found["created_at"], created_at, key=_aware)
    now = datetime.now(UTC)
    table = sa.table(
        'speakers', sa.column('email'), sa.column('timezone'), sa.column('feed_token_hash'),
        sa.column('session_version'), sa.column('created_at', app.models.base.UTCDateTime(timezone=True)),
        sa.column('updated_at', app.models.base.UTCDateTime(timezone=True)),
    )
    if speakers:
        connection.execute(table.insert(), [
            {**values, "created_at": _aware(values["created_at"]), "updated_at": now, "session_version": 0}
            for values in speakers.values()
        ])


def _aware(value):
    """A stored time as an aware UTC datetime (SQLite gives strings or naive values through plain SQL)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _split_people(connection) -> None:
    """A record per person and event they appear in; people who appear nowhere go where their mail went."""
    appears = connection.execute(sa.text(
        "SELECT DISTINCT a.person_id, s.event_id FROM appearances a "
        "JOIN agenda_items i ON i.id = a.item_id JOIN event_sessions s ON s.id = i.session_id "
        "ORDER BY a.person_id, s.event_id"
    )).all()
    events_of: dict[int, list[int]] = {}
    for person_id, event_id in appears:
        events_of.setdefault(person_id, []).append(event_id)
    people = sa.table('people', sa.column('id'), sa.column('event_id'), *(sa.column(c) for c in PERSON_COLUMNS))
    for person_id, event_ids in events_of.items():
        first, *others = event_ids
        connection.execute(people.update().where(people.c.id == person_id).values(event_id=first))
        if not others:
            continue
        original = connection.execute(
            sa.select(*(people.c[c] for c in PERSON_COLUMNS)).where(people.c.id == person_id)
        ).one()._asdict()
        for event_id in others:
            copy_id = connection.execute(
                people.insert().values(event_id=event_id, **original).returning(people.c.id)
            ).scalar_one()
            in_event = (
                "SELECT i.id FROM agenda_items i JOIN event_sessions s ON s.id = i.session_id "
                "WHERE s.event_id = :event"
            )
            params = {"copy": copy_id, "person": person_id, "event": event_id}
            connection.execute(sa.text(
                f"UPDATE appearances SET person_id = :copy WHERE person_id = :person AND item_id IN ({in_event})"
            ), params)
            connection.execute(sa.text(
                "UPDATE outbox_messages SET person_id = :copy WHERE person_id = :person AND event_id = :event"
            ), params)
    # Nowhere on an agenda: the event of the latest message sent to them, if any.
    connection.execute(sa.text(
        "UPDATE people SET event_id = (SELECT m.event_id FROM outbox_messages m "
        " WHERE m.person_id = people.id AND m.event_id IS NOT NULL ORDER BY m.created_at DESC, m.id DESC LIMIT 1) "
        "WHERE event_id IS NULL"
    ))
    connection.execute(sa.text(
        "UPDATE outbox_messages SET person_id = NULL "
        "WHERE person_id IN (SELECT id FROM people WHERE event_id IS NULL)"
    ))
    connection.execute(sa.text("DELETE FROM people WHERE event_id IS NULL"))


def downgrade():
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM speaker_login_tokens"))
    with op.batch_alter_table('speaker_login_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speaker_login_tokens_speaker_id'))
        batch_op.drop_constraint(batch_op.f('fk_speaker_login_tokens_speaker_id_speakers'), type_='foreignkey')
        batch_op.drop_column('speaker_id')
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=False))
        batch_op.create_index('ix_speaker_login_tokens_person_id', ['person_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_speaker_login_tokens_person_id_people', 'people', ['person_id'], ['id'], ondelete='CASCADE'
        )

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('feed_token_hash', sa.String(length=64), nullable=True))
    connection.execute(sa.text(
        "UPDATE people SET timezone = (SELECT sp.timezone FROM speakers sp WHERE sp.email = lower(trim(people.email))), "
        "feed_token_hash = (SELECT sp.feed_token_hash FROM speakers sp WHERE sp.email = lower(trim(people.email))) "
        "WHERE id IN (SELECT min(p.id) FROM people p WHERE p.email IS NOT NULL GROUP BY lower(trim(p.email)))"
    ))
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint('one_email_per_event', type_='unique')
        batch_op.create_unique_constraint('uq_people_email', ['email'])
        batch_op.create_unique_constraint('uq_people_feed_token_hash', ['feed_token_hash'])
        batch_op.drop_constraint(batch_op.f('fk_people_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_people_event_id'))
        batch_op.drop_column('event_id')

    op.drop_table('speakers')
