"""attachments: files on cards, workshops and funding ideas; cards.attachment_count

Revision ID: 0150_attachments
Revises: 0220_search
Create Date: 2026-12-04 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0150_attachments'
down_revision = '0220_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('funding_idea_id', sa.Integer(), nullable=True),
    sa.Column('uploader_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=80), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_attachments_card_id_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['funding_idea_id'], ['funding_ideas.id'], name=op.f('fk_attachments_funding_idea_id_funding_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_attachments_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_attachments_uploader_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_attachments_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_funding_idea_id'), ['funding_idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index('ix_attachments_storage_key', ['storage_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_workshop_id'), ['workshop_id'], unique=False)

    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_count', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('attachment_count')

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_workshop_id'))
        batch_op.drop_index('ix_attachments_storage_key')
        batch_op.drop_index(batch_op.f('ix_attachments_partnership_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_funding_idea_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_card_id'))

    op.drop_table('attachments')
