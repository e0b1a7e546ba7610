"""board_columns: language (the original language of the column's name, translatable like content)

Revision ID: 0300_column_language
Revises: 0290_undo
Create Date: 2026-12-04 17:10:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0300_column_language'
down_revision = '0290_undo'
branch_labels = None
depends_on = None


def upgrade():
    # Existing columns stay as they are: their names' language is not known (NULL).
    with op.batch_alter_table('board_columns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('board_columns', schema=None) as batch_op:
        batch_op.drop_column('language')
