"""registrations_version: a per-session counter the database raises on every registration change

The organiser's list of a session's registrations is rendered once per (session, registrations_version,
query) and served from memory until the counter moves. Triggers raise it, so every write is counted:
ORM, Core or plain SQL, from any process. Updates count only when they touch a column the list shows.
On SQLite a later batch migration that rebuilds the registrations table drops its triggers: create them
again in that migration.

Revision ID: 5b0e3c7a91d2
Revises: d8f7c046d525
Create Date: 2026-11-29 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b0e3c7a91d2'
down_revision = 'd8f7c046d525'
branch_labels = None
depends_on = None

#: The columns the organiser's list shows (an update of another one, such as the manage token, is not counted).
LISTED = 'full_name, email, organisation, "group", status, question, created_at, session_id'
BUMP = "UPDATE event_sessions SET registrations_version = registrations_version + 1 WHERE id = {row}.session_id;"


def upgrade():
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registrations_version', sa.Integer(), server_default='0', nullable=False))
    if op.get_context().dialect.name == 'postgresql':
        op.execute(
            f"""
CREATE FUNCTION registrations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {BUMP.format(row='OLD')} END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.session_id <> OLD.session_id) THEN
    {BUMP.format(row='NEW')}
  END IF;
  RETURN NULL;
END $$"""
        )
        for when, what in (('insert', 'INSERT'), ('update', f'UPDATE OF {LISTED}'), ('delete', 'DELETE')):
            op.execute(
                f"CREATE TRIGGER registrations_{when}_counted AFTER {what} ON registrations "
                "FOR EACH ROW EXECUTE FUNCTION registrations_changed()"
            )
    else:
        for when, what, rows in (
            ('insert', 'INSERT', ('NEW',)),
            ('update', f'UPDATE OF {LISTED}', ('OLD', 'NEW')),
            ('delete', 'DELETE', ('OLD',)),
        ):
            bumps = " ".join(BUMP.format(row=row) for row in rows)
            op.execute(
                f"CREATE TRIGGER registrations_{when}_counted AFTER {what} ON registrations "
                f"FOR EACH ROW BEGIN {bumps} END"
            )


def downgrade():
    for when in ('insert', 'update', 'delete'):
        op.execute(f"DROP TRIGGER registrations_{when}_counted" + (
            " ON registrations" if op.get_context().dialect.name == 'postgresql' else ""
        ))
    if op.get_context().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION registrations_changed()")
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.drop_column('registrations_version')
