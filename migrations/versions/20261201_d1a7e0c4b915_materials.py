"""Materials: files attached to an agenda item or a session, with who may see them

One table, `materials`: the item (or only the session) a file belongs to, its visibility (public after the
session, the session's registrants, organisers only), its kind as its content showed, the uploader's cleaned
file name, the generated name it is stored under in MATERIALS_DIR, its size and SHA-256, and who uploaded it.
A new table: nothing to backfill.

Revision ID: d1a7e0c4b915
Revises: d0a1f2e3c4b5
Create Date: 2026-12-01 19:04:34.488160

"""
import sqlalchemy as sa
from alembic import op

import app.models.base


# revision identifiers, used by Alembic.
revision = 'd1a7e0c4b915'
down_revision = 'd0a1f2e3c4b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.Enum('public', 'registrants', 'organisers', name='material_visibility', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('kind', sa.Enum('pdf', 'pptx', 'docx', 'odp', 'xlsx', 'png', 'jpeg', 'gif', 'webp', name='material_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_person_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_organiser_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_materials_not_empty')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_materials_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_materials_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_materials_session_id_event_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_organiser_id'], ['organisers.id'], name=op.f('fk_materials_uploaded_by_organiser_id_organisers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_person_id'], ['people.id'], name=op.f('fk_materials_uploaded_by_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_materials')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_materials_stored_name'))
    )
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_materials_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_materials_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_materials_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_materials_session_id'))
        batch_op.drop_index(batch_op.f('ix_materials_item_id'))
        batch_op.drop_index(batch_op.f('ix_materials_event_id'))

    op.drop_table('materials')
