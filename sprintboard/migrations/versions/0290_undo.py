"""undo_actions: the state before a change, kept ten seconds so that its author can undo it

Revision ID: 0290_undo
Revises: 0280_method_proposals
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0290_undo'
down_revision = '0280_method_proposals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'undo_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('undone_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_undo_actions_actor_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_undo_actions_partnership_id_partnerships'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_undo_actions')),
    )
    with op.batch_alter_table('undo_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_undo_actions_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('undo_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_undo_actions_expires_at'))
    op.drop_table('undo_actions')
