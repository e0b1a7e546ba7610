"""reviews: each reviewer scores an application on their own (a review per reviewer and
application, with a note); the single set of scores becomes its scorer's review, or a legacy
review (no reviewer) when the scorer is unknown

Revision ID: 0270_reviews
Revises: 0260_workshop_times
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0270_reviews'
down_revision = '0260_workshop_times'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_reviews_application_id_applications'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
        sa.UniqueConstraint('application_id', 'reviewer_id', name=op.f('uq_reviews_application_id')),
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_application_id'), ['application_id'], unique=False)
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_id', sa.Integer(), nullable=True))

    # One review per application and scorer; scores whose scorer is unknown form a legacy review.
    op.execute(
        "INSERT INTO reviews (application_id, reviewer_id, note, created_at, updated_at) "
        "SELECT application_id, scored_by_id, '', MIN(updated_at), MAX(updated_at) FROM scores "
        "GROUP BY application_id, scored_by_id"
    )
    op.execute(
        "UPDATE scores SET review_id = (SELECT reviews.id FROM reviews "
        "WHERE reviews.application_id = scores.application_id AND ("
        "reviews.reviewer_id = scores.scored_by_id "
        "OR (reviews.reviewer_id IS NULL AND scores.scored_by_id IS NULL)))"
    )

    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scores_application_id'))
        batch_op.drop_constraint(batch_op.f('uq_scores_application_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_scores_application_id_applications'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_scores_scored_by_id_users'), type_='foreignkey')
        batch_op.drop_column('application_id')
        batch_op.drop_column('scored_by_id')
        batch_op.alter_column('review_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_scores_review_id_reviews'), 'reviews', ['review_id'], ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint(batch_op.f('uq_scores_review_id'), ['review_id', 'criterion_id'])


def downgrade():
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scored_by_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE scores SET application_id = (SELECT application_id FROM reviews WHERE reviews.id = scores.review_id), "
        "scored_by_id = (SELECT reviewer_id FROM reviews WHERE reviews.id = scores.review_id)"
    )
    # One score per application and criterion before: keep the latest one given.
    op.execute(
        "DELETE FROM scores WHERE id NOT IN (SELECT MAX(s.id) FROM scores s "
        "GROUP BY s.application_id, s.criterion_id)"
    )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_scores_review_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_scores_review_id_reviews'), type_='foreignkey')
        batch_op.drop_column('review_id')
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_scores_application_id_applications'), 'applications', ['application_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_scores_scored_by_id_users'), 'users', ['scored_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint(batch_op.f('uq_scores_application_id'), ['application_id', 'criterion_id'])
        batch_op.create_index(batch_op.f('ix_scores_application_id'), ['application_id'], unique=False)
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_application_id'))
    op.drop_table('reviews')
