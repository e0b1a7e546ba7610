"""methods: partnership copies (partnership_id, adapted_from_id); shared methods have no partnership

Revision ID: 0250_method_copies
Revises: 0240_webhooks
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0250_method_copies'
down_revision = '0240_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('methods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partnership_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('adapted_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_methods_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_methods_partnership_id_partnerships'), 'partnerships', ['partnership_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_methods_adapted_from_id_methods'), 'methods', ['adapted_from_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('methods', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_methods_adapted_from_id_methods'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_methods_partnership_id_partnerships'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_methods_partnership_id'))
        batch_op.drop_column('adapted_from_id')
        batch_op.drop_column('partnership_id')
