"""The synopsis report's rows: notes and their history, rapporteurs, the typologies and their placements

notes (one per agenda item or per session) and note_revisions (every saved text, who and when);
event_rapporteurs (accounts that write one event's notes and nothing else of it); typologies (an event's
categories) and typology_items (items placed in several); events.typologies_published (the public matrix).

agenda_items.typology (free text) is kept, as the public agenda's label: its values are copied here into
one category per event and distinct value, and each item is placed in its own, so the matrix starts from
what organisers already wrote.

Revision ID: d3c9a2d6b137
Revises: d2b8f1c5a026
Create Date: 2026-12-01 19:02:37

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'd3c9a2d6b137'
down_revision = 'd2b8f1c5a026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_rapporteurs',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_rapporteurs_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_event_rapporteurs_organiser_id_organisers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'organiser_id', name=op.f('pk_event_rapporteurs'))
    )
    op.create_table('typologies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=True),
    sa.Column('description_fr', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_typologies_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_typologies')),
    sa.UniqueConstraint('event_id', 'name', name='one_name_per_event')
    )
    with op.batch_alter_table('typologies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typologies_event_id'), ['event_id'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(item_id IS NULL) <> (session_id IS NULL)', name=op.f('ck_notes_item_or_session')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_notes_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_notes_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes')),
    sa.UniqueConstraint('item_id', name='one_note_per_item'),
    sa.UniqueConstraint('session_id', name='one_summary_per_session')
    )
    op.create_table('typology_items',
    sa.Column('typology_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_typology_items_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['typology_id'], ['typologies.id'], name=op.f('fk_typology_items_typology_id_typologies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('typology_id', 'item_id', name=op.f('pk_typology_items'))
    )
    with op.batch_alter_table('typology_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typology_items_item_id'), ['item_id'], unique=False)

    op.create_table('note_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('saved_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('saved_by_name', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_note_revisions_note_id_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['organisers.id'], name=op.f('fk_note_revisions_saved_by_id_organisers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_revisions')),
    sa.UniqueConstraint('note_id', 'version', name='one_revision_per_version')
    )
    with op.batch_alter_table('note_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_revisions_note_id'), ['note_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('typologies_published', sa.Boolean(), server_default=sa.false(), nullable=False))

    _copy_item_typologies()


def _copy_item_typologies():
    """One category per event and distinct `agenda_items.typology`, and each such item placed in it."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT s.event_id, i.id, i.typology FROM agenda_items i JOIN event_sessions s ON s.id = i.session_id "
        "WHERE i.typology IS NOT NULL AND i.typology <> '' ORDER BY s.event_id, i.starts_at, i.position, i.id"
    )).all()
    categories = {}
    for event_id, item_id, name in rows:
        name = name.strip()[:200]
        if not name:
            continue
        key = (event_id, name)
        if key not in categories:
            position = sum(1 for e, _ in categories if e == event_id)
            conn.execute(
                sa.text("INSERT INTO typologies (event_id, name, description, position) VALUES (:e, :n, '', :p)"),
                {"e": event_id, "n": name, "p": position},
            )
            categories[key] = conn.execute(
                sa.text("SELECT id FROM typologies WHERE event_id = :e AND name = :n"), {"e": event_id, "n": name}
            ).scalar_one()
        conn.execute(
            sa.text("INSERT INTO typology_items (typology_id, item_id) VALUES (:t, :i)"),
            {"t": categories[key], "i": item_id},
        )



def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('typologies_published')

    with op.batch_alter_table('note_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_revisions_note_id'))

    op.drop_table('note_revisions')
    with op.batch_alter_table('typology_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typology_items_item_id'))

    op.drop_table('typology_items')
    op.drop_table('notes')
    with op.batch_alter_table('typologies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typologies_event_id'))

    op.drop_table('typologies')
    op.drop_table('event_rapporteurs')
