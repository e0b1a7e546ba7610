"""comments: when a comment was last edited

Revision ID: 0050_comment_edits
Revises: 0040_match
Create Date: 2026-11-23 17:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0050_comment_edits'
down_revision = '0040_match'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('edited_at')
