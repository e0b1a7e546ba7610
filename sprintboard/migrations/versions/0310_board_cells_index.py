"""cards: ix_cards_board_cells (partnership, archived, project, column, position, id): the board
ranks each cell's cards in it (board.query._card_rows), reading the index alone, without a sort

Revision ID: 0310_board_cells_index
Revises: 0300_column_language
Create Date: 2026-12-04 20:10:00

"""
from alembic import op

revision = '0310_board_cells_index'
down_revision = '0300_column_language'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index(
            'ix_cards_board_cells',
            ['partnership_id', 'archived_at', 'project_id', 'column_id', 'position', 'id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_board_cells')
