"""title_fr and description_fr on events, sessions and agenda items: the organiser's French wording, shown to French
readers where given (English otherwise)

Nullable: nothing given means the English title and description are shown. Plain ADD/DROP COLUMN, not a batch:
SQLite (3.35 and later) does both in place, and rebuilding event_sessions would break the triggers that name it.

Revision ID: c5e8a1f3d972
Revises: b7f2d4e81c36
Create Date: 2026-12-01 17:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e8a1f3d972'
down_revision = 'b7f2d4e81c36'
branch_labels = None
depends_on = None

TITLE_LENGTHS = {'events': 200, 'event_sessions': 200, 'agenda_items': 300}


def upgrade():
    for table, length in TITLE_LENGTHS.items():
        op.add_column(table, sa.Column('title_fr', sa.String(length=length), nullable=True))
        op.add_column(table, sa.Column('description_fr', sa.Text(), nullable=True))


def downgrade():
    for table in reversed(TITLE_LENGTHS):
        op.drop_column(table, 'description_fr')
        op.drop_column(table, 'title_fr')
