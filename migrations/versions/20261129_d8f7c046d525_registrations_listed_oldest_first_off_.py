"""registrations listed oldest first off an index

The organiser's list (50 a page, oldest first) read each page by sorting all of the session's
registrations; with (session_id, created_at, id) the first pages are read off the index.

Revision ID: d8f7c046d525
Revises: 229f686f30ff
Create Date: 2026-11-29 17:20:39.777406

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8f7c046d525'
down_revision = '229f686f30ff'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_session_created', ['session_id', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_session_created')
