"""methods: members' proposals (state, proposed_by_id, review_note, reviewed_at)

Revision ID: 0280_method_proposals
Revises: 0270_reviews
Create Date: 2026-12-04 14:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0280_method_proposals'
down_revision = '0270_reviews'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('methods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=20), nullable=False, server_default='published'))
        batch_op.add_column(sa.Column('proposed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_methods_proposed_by_id'), ['proposed_by_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_methods_proposed_by_id_users'), 'users', ['proposed_by_id'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('methods', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_methods_proposed_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_methods_proposed_by_id'))
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('review_note')
        batch_op.drop_column('proposed_by_id')
        batch_op.drop_column('state')
