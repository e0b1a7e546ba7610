"""workshop_times: a workshop's start and end time (wall clock in the partnership's zone)

Revision ID: 0260_workshop_times
Revises: 0250_method_copies
Create Date: 2026-12-04 14:10:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0260_workshop_times'
down_revision = '0250_method_copies'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('end_time', sa.Time(), nullable=True))


def downgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('end_time')
        batch_op.drop_column('start_time')
