"""partnership_timezone: a partnership's zone for its events (IANA name, default Europe/Berlin)

Revision ID: 0230_partnership_timezone
Revises: 0210_api_tokens
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0230_partnership_timezone'
down_revision = '0210_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('timezone', sa.String(length=64), server_default='Europe/Berlin', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.drop_column('timezone')
