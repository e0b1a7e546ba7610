"""request_keys: ix_request_keys_user_latest (user, id): a person's latest claimed key, read with
every login session, from the end of the index (not from every key of the last 24 hours)

Revision ID: 0320_request_keys_user_latest
Revises: 0310_board_cells_index
Create Date: 2026-12-05 13:55:00

"""
from alembic import op

revision = '0320_request_keys_user_latest'
down_revision = '0310_board_cells_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('request_keys', schema=None) as batch_op:
        batch_op.create_index('ix_request_keys_user_latest', ['user_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('request_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_request_keys_user_latest')
