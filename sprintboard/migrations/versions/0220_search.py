"""search: the search index (search_entries), with FTS5 on SQLite and a tsvector + GIN on PostgreSQL

Revision ID: 0220_search
Revises: 0170_request_keys
Create Date: 2026-12-04 08:00:00

After upgrading, `sprintboard search reindex` indexes what was there before.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = '0220_search'
down_revision = '0170_request_keys'
branch_labels = None
depends_on = None

FTS_TRIGGERS = {
    'search_entries_ai': "AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms); END",
    'search_entries_ad': "AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
    'search_entries_au': "AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms); END",
}


def upgrade():
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('ref_key', sa.String(length=80), nullable=True),
        sa.Column('card_id', sa.Integer(), nullable=True),
        sa.Column('city_id', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('title_terms', sa.Text(), nullable=False),
        sa.Column('body_terms', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('document', sa.Text().with_variant(TSVECTOR(), 'postgresql'), nullable=True),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['city_id'], ['cities.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'ref_id'),
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index('ix_search_entries_partnership_kind', ['partnership_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_card_id'), ['card_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_search_entries_document', 'search_entries', ['document'], postgresql_using='gin')
    elif op.get_bind().dialect.name == 'sqlite':
        # Cyrillic and umlauts: unicode61 folds case and (2) strips diacritics in every script.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title_terms, body_terms, "
            "content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        for name, body in FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_search_entries_document', table_name='search_entries')
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_card_id'))
        batch_op.drop_index('ix_search_entries_partnership_kind')
    op.drop_table('search_entries')
