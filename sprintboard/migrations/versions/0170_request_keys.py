"""request_keys: the first answer to each one-time request key (idempotent writes), kept a day

Revision ID: 0170_request_keys
Revises: 0190_card_revision
Create Date: 2026-12-04 07:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0170_request_keys'
down_revision = '0190_card_revision'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'request_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('headers', sa.JSON(), nullable=True),
        sa.Column('body', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_request_keys_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_keys')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_request_keys_user_id')),
    )
    with op.batch_alter_table('request_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_keys_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('request_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_keys_expires_at'))
    op.drop_table('request_keys')
