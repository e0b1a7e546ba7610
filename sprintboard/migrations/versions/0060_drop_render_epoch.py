"""partnerships: drop render_epoch (card fragments are keyed by the data they show)

Revision ID: 0060_drop_render_epoch
Revises: 0050_comment_edits
Create Date: 2026-12-03 16:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0060_drop_render_epoch'
down_revision = '0050_comment_edits'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.drop_column('render_epoch')


def downgrade():
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_epoch', sa.Integer(), nullable=False, server_default='1'))
