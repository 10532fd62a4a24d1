"""organisers.language: the language an organiser's emails are written in (set when they sign in)

Nullable: accounts that have not signed in since read as English.

Revision ID: c3e8a1f05b72
Revises: c5e8a1f3d972
Create Date: 2026-12-01 17:35:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3e8a1f05b72'
down_revision = 'c5e8a1f3d972'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.drop_column('language')
