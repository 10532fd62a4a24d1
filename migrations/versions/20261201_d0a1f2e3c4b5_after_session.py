"""The after-session rows: who attended (and from which source), the follow-up sent, recordings

registrations.attended_at / attendance_source / attendance_marked_at / followed_up_at;
event_sessions and agenda_items .recording_url / recording_available_at. All nullable: nothing to backfill.

The triggers of 5b0e3c7a91d2 (they raise `event_sessions.registrations_version`, the key of the organiser's
kept list) now count a change of attendance too, so a list that shows who attended is never stale. On SQLite
the batch operation on `registrations` drops them: both directions create them again.

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

#: As in 5b0e3c7a91d2: the columns the organiser's list shows; this revision adds the attendance.
LISTED_BEFORE = 'full_name, email, organisation, "group", status, question, created_at, session_id'
LISTED = LISTED_BEFORE + ', attended_at'
BUMP = "UPDATE event_sessions SET registrations_version = registrations_version + 1 WHERE id = {row}.session_id;"


def _triggers(listed):
    """The triggers of 5b0e3c7a91d2, counting updates of `listed`."""
    if op.get_context().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS registrations_update_counted ON registrations")
        op.execute(
            f"CREATE TRIGGER registrations_update_counted AFTER UPDATE OF {listed} ON registrations "
            "FOR EACH ROW EXECUTE FUNCTION registrations_changed()"
        )
        return
    for when, what, rows in (
        ('insert', 'INSERT', ('NEW',)),
        ('update', f'UPDATE OF {listed}', ('OLD', 'NEW')),
        ('delete', 'DELETE', ('OLD',)),
    ):
        bumps = " ".join(BUMP.format(row=row) for row in rows)
        op.execute(f"DROP TRIGGER IF EXISTS registrations_{when}_counted")
        op.execute(
            f"CREATE TRIGGER registrations_{when}_counted AFTER {what} ON registrations "
            f"FOR EACH ROW BEGIN {bumps} END"
        )


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
    _triggers(LISTED)


def downgrade():
    # PostgreSQL: the update trigger stops naming attended_at before that column goes. SQLite: the triggers
    # go first, since rebuilding event_sessions (dropped, then a copy renamed) fails while a trigger names
    # it, and come back at the end.
    if op.get_context().dialect.name == 'postgresql':
        _triggers(LISTED_BEFORE)
    else:
        for when in ('insert', 'update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS registrations_{when}_counted")

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_column('recording_available_at')
        batch_op.drop_column('recording_url')

    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.drop_column('recording_available_at')
        batch_op.drop_column('recording_url')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('followed_up_at')
        batch_op.drop_column('attendance_marked_at')
        batch_op.drop_constraint('attendance_source', type_='check')
        batch_op.drop_column('attendance_source')
        batch_op.drop_column('attended_at')

    if op.get_context().dialect.name == 'sqlite':
        _triggers(LISTED_BEFORE)
