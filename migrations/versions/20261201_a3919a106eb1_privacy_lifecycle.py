"""privacy lifecycle: registrations.anonymised_at, outbox_messages.body_purged_at

Erasure on request and the retention job anonymise a registration in place (its status, group and times
stay for the counts) and record when; the outbox records when a message's body was deleted.

On SQLite a batch operation that rebuilds `registrations` drops the triggers of migration 5b0e3c7a91d2
(they raise `event_sessions.registrations_version`): both directions create them again, the same as there.

Revision ID: a3919a106eb1
Revises: e41b7d9c2a05
Create Date: 2026-12-01 10:30:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = 'a3919a106eb1'
down_revision = 'e41b7d9c2a05'
branch_labels = None
depends_on = None

#: As in 5b0e3c7a91d2: the columns the organiser's list shows.
LISTED = 'full_name, email, organisation, "group", status, question, created_at, session_id'
BUMP = "UPDATE event_sessions SET registrations_version = registrations_version + 1 WHERE id = {row}.session_id;"


def _recreate_sqlite_triggers():
    """The triggers of 5b0e3c7a91d2 on SQLite, whether or not the batch operation dropped them."""
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
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
    _recreate_sqlite_triggers()
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_purged_at', app.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('body_purged_at')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    _recreate_sqlite_triggers()
