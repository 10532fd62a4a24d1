"""registrations_version's triggers again on SQLite, after the after-session columns' table rebuild

Migration d0a1f2e3c4b5 added the attendance columns to `registrations` with a batch operation; on SQLite the
CHECK of `attendance_source` makes that a table rebuild, which drops the triggers of 5b0e3c7a91d2 (they raise
`event_sessions.registrations_version`, the key of the organiser's kept registration lists): without them a
kept list never showed a new, changed or cancelled registration. This creates them again, the same as there.
PostgreSQL keeps its triggers through ALTER TABLE: nothing to do there. The organiser's list does not show
attendance, so the columns an update counts stay the listed ones.

Revision ID: d4e0b3e7c248
Revises: d0a1f2e3c4b5
Create Date: 2026-12-01 19:45:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4e0b3e7c248'
down_revision = 'd0a1f2e3c4b5'
branch_labels = None
depends_on = None

#: As in 5b0e3c7a91d2: the columns the organiser's list shows.
LISTED = 'full_name, email, organisation, "group", status, question, created_at, session_id'
BUMP = "UPDATE event_sessions SET registrations_version = registrations_version + 1 WHERE id = {row}.session_id;"


def _recreate_sqlite_triggers():
    """The triggers of 5b0e3c7a91d2 on SQLite, whether or not a table rebuild dropped them."""
    if op.get_context().dialect.name != 'sqlite':
        return
    for when, what, rows in (
        ('insert', 'INSERT', ('NEW',)),
        ('update', f'UPDATE OF {LISTED}', ('OLD', 'NEW')),
        ('delete', 'DELETE', ('OLD',)),
    ):
        bumps = " ".join(BUMP.format(row=row) for row in rows)
        op.execute(f"DROP TRIGGER IF EXISTS registrations_{when}_counted")
        op.execute(
            f"CREATE TRIGGER registrations_{when}_counted AFTER {what} ON registrations "
            f"FOR EACH ROW BEGIN {bumps} END"
        )


def upgrade():
    _recreate_sqlite_triggers()


def downgrade():
    # The triggers belong to 5b0e3c7a91d2 and stay; d0a1f2e3c4b5's own downgrade rebuilds the table again.
    _recreate_sqlite_triggers()
