"""organisers.session_version: raised to end every session of an account at once

Sign-out, a password change or reset and disabling the account raise it; a browser's session carries
the version it signed in with and is refused once they differ, whichever browser holds a copy.

Revision ID: 3c9e51a0b7d4
Revises: 7c3e9a51d2b4
Create Date: 2026-12-01 10:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c9e51a0b7d4'
down_revision = '7c3e9a51d2b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.drop_column('session_version')
