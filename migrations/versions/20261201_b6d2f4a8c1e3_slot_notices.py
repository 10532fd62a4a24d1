"""slot_notices: what each speaker was last emailed about each slot

Publishing compares the programme with these rows, so that publishing again after a return to draft sends
only what changed: new slots an invite, changed ones an update, removed ones a cancellation.

Revision ID: b6d2f4a8c1e3
Revises: 3c9e51a0b7d4
Create Date: 2026-12-01 16:10:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = 'b6d2f4a8c1e3'
down_revision = '3c9e51a0b7d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('slot_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('appearance_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('to_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('item_title', sa.Text(), nullable=False),
    sa.Column('session_title', sa.Text(), nullable=False),
    sa.Column('starts_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('sent_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appearance_id'], ['appearances.id'], name=op.f('fk_slot_notices_appearance_id_appearances'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_slot_notices_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_slot_notices_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot_notices')),
    sa.UniqueConstraint('uid', name=op.f('uq_slot_notices_uid'))
    )
    with op.batch_alter_table('slot_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slot_notices_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('slot_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_notices_event_id'))
    op.drop_table('slot_notices')
