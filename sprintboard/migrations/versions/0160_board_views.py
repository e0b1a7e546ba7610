"""board_views: each person's density and collapsed lanes per board

Revision ID: 0160_board_views
Revises: 0130_notifications
Create Date: 2026-12-04 00:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0160_board_views'
down_revision = '0130_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'board_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('density', sa.String(length=20), nullable=False),
        sa.Column('collapsed', sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'partnership_id'),
    )
    with op.batch_alter_table('board_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_views_partnership_id'), ['partnership_id'], unique=False)


def downgrade():
    with op.batch_alter_table('board_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_views_partnership_id'))
    op.drop_table('board_views')
