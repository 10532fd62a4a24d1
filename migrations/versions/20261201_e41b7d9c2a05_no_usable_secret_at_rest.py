"""no usable secret at rest: outbox private links apart from the bodies, reset links as hashed tokens

Outbox bodies hold a placeholder where a private link (manage, speaker sign-in, password reset) goes; the
links wait in `outbox_messages.private_links` until the message is delivered, fails or is cancelled. The
upgrade moves the links of messages still to be sent out of their bodies, and replaces those of every other
message with the placeholder. Password-reset links become opaque tokens whose sha256 is kept in
`password_reset_tokens`: the signed links of before stop working, so reset messages still queued are
cancelled. The downgrade puts the links of messages still to be sent back into their bodies.

Revision ID: e41b7d9c2a05
Revises: a3c9e1f47b20
Create Date: 2026-12-01 10:40:00

"""
import re

import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = 'e41b7d9c2a05'
down_revision = 'a3c9e1f47b20'
branch_labels = None
depends_on = None

PENDING = ('queued', 'retrying', 'sending')
LINK = re.compile(r"""(?:https?://[^\s"'<>]*?)?/(?:registrations|speaker/sign-in|organiser/reset)/[A-Za-z0-9_.\-]+/?""")
PLACEHOLDER = re.compile(r"\[private link (\d+)\]")

outbox = sa.table(
    'outbox_messages',
    sa.column('id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('status', sa.String),
    sa.column('body_text', sa.Text),
    sa.column('body_html', sa.Text),
    sa.column('private_links', sa.Text),
)


def upgrade():
    op.create_table('password_reset_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_password_reset_tokens_organiser_id_organisers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_tokens_token_hash'))
    )
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_tokens_organiser_id'), ['organiser_id'], unique=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_links', sa.Text(), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.kind, outbox.c.status, outbox.c.body_text, outbox.c.body_html).where(
            sa.or_(outbox.c.body_text.like('%/registrations/%'), outbox.c.body_text.like('%/speaker/sign-in/%'),
                   outbox.c.body_text.like('%/organiser/reset/%'))
        )
    ).all()
    for row in rows:
        links: list[str] = []

        def placeholder(match):
            if match[0] not in links:
                links.append(match[0])
            return f"[private link {links.index(match[0]) + 1}]"

        text, html = LINK.sub(placeholder, row.body_text), LINK.sub(placeholder, row.body_html or '')
        if not links:
            continue
        status = row.status
        if status in PENDING and row.kind == 'organiser_password_reset':
            status = 'cancelled'  # its signed link no longer works
        kept = '\n'.join(links) if status in PENDING else None
        connection.execute(
            outbox.update().where(outbox.c.id == row.id).values(
                body_text=text, body_html=html, private_links=kept, status=status
            )
        )


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.body_text, outbox.c.body_html, outbox.c.private_links).where(
            outbox.c.private_links.is_not(None)
        )
    ).all()
    for row in rows:
        links = row.private_links.split('\n')

        def link(match):
            n = int(match[1])
            return links[n - 1] if 0 < n <= len(links) else match[0]

        connection.execute(
            outbox.update().where(outbox.c.id == row.id).values(
                body_text=PLACEHOLDER.sub(link, row.body_text), body_html=PLACEHOLDER.sub(link, row.body_html or '')
            )
        )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('private_links')
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_tokens_organiser_id'))
    op.drop_table('password_reset_tokens')
