"""registrations.language and speakers.language: the language each person's emails are written in

Nullable: rows from before languages read as English.

Revision ID: b7f2d4e81c36
Revises: b6d2f4a8c1e3
Create Date: 2026-12-01 16:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7f2d4e81c36'
down_revision = 'b6d2f4a8c1e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('language')
