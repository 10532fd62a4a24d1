"""The after-session rows: who attended (and from which source), the follow-up sent, recordings

registrations.attended_at / attendance_source / attendance_marked_at / followed_up_at;
event_sessions and agenda_items .recording_url / recording_available_at. All nullable: nothing to backfill.

Revision ID: d0a1f2e3c4b5
Revises: c3e8a1f05b72
Create Date: 2026-12-01 18:59:03

"""
import sqlalchemy as sa
from alembic import op

import app.models.base


# revision identifiers, used by Alembic.
revision = 'd0a1f2e3c4b5'
down_revision = 'c3e8a1f05b72'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('recording_available_at', app.models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('recording_available_at', app.models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attendance_source', sa.Enum('zoom', 'teams', 'webex', 'hand', name='attendance_source', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('attendance_marked_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('followed_up_at', app.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('followed_up_at')
        batch_op.drop_column('attendance_marked_at')
        batch_op.drop_constraint('attendance_source', type_='check')
        batch_op.drop_column('attendance_source')
        batch_op.drop_column('attended_at')

    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.drop_column('recording_available_at')
        batch_op.drop_column('recording_url')

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_column('recording_available_at')
        batch_op.drop_column('recording_url')
