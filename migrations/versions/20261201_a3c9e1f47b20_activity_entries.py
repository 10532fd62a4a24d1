"""activity entries: who changed what in an event, and when

Every change made by an organiser, a speaker, an attendee from their manage link or a command is stored
with the change, in the same transaction. Entries name registrations by id only (no personal data).

Revision ID: a3c9e1f47b20
Revises: 5b0e3c7a91d2
Create Date: 2026-12-01 10:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'a3c9e1f47b20'
down_revision = '5b0e3c7a91d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_kind', sa.Enum('organiser', 'speaker', 'command', 'attendee', 'system', name='activity_actor_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_activity_entries_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_entries'))
    )
    with op.batch_alter_table('activity_entries', schema=None) as batch_op:
        batch_op.create_index('ix_activity_entries_event_at', ['event_id', 'at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('activity_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_entries_event_at')

    op.drop_table('activity_entries')
