"""translations: one table for translations of user content; original language of workshops,
agenda items, funding ideas, sprints, actors, match entries and retro notes

Revision ID: 0140_translations
Revises: 0180_openspace
Create Date: 2026-12-04 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0140_translations'
down_revision = '0180_openspace'
branch_labels = None
depends_on = None

LANGUAGE_TABLES = (
    'workshops', 'agenda_items', 'funding_ideas', 'sprints', 'actors', 'match_entries', 'retro_notes'
)


def upgrade():
    op.create_table('translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('machine', sa.Boolean(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.String(length=40), nullable=True),
    sa.Column('translator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_translations_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['translator_id'], ['users.id'], name=op.f('fk_translations_translator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translations')),
    sa.UniqueConstraint('kind', 'object_id', 'field', 'language', name=op.f('uq_translations_kind'))
    )
    with op.batch_alter_table('translations', schema=None) as batch_op:
        batch_op.create_index('ix_translations_queue', ['partnership_id', 'language', 'updated_at'], unique=False)

    for table in LANGUAGE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    for table in reversed(LANGUAGE_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')

    with op.batch_alter_table('translations', schema=None) as batch_op:
        batch_op.drop_index('ix_translations_queue')

    op.drop_table('translations')
