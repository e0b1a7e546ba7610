"""cards: revision (what the board shows of the card) apart from version (the edit lock)

Revision ID: 0190_card_revision
Revises: 0140_translations
Create Date: 2026-12-04 07:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0190_card_revision'
down_revision = '0140_translations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))
    op.execute('UPDATE cards SET revision = version')


def downgrade():
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('revision')
