"""comment page indexes: a thread's page by id and the pinned comments cost the same at any depth

Revision ID: 3c1e0f6b9a27
Revises: f7ab918118e6
Create Date: 2026-11-29 02:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c1e0f6b9a27'
down_revision = 'f7ab918118e6'
branch_labels = None
depends_on = None


def upgrade():
    # (article_id, status, created_at, id) served no query: pages order by id. Without this index SQLite walked
    # ix_comments_parent_id over the root comments of every article, and the first page's pinned lookup read
    # every published comment of the article.
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_article_status_created')
        batch_op.create_index('ix_comments_article_page', ['article_id', 'pinned_at', 'parent_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_article_page')
        batch_op.create_index('ix_comments_article_status_created', ['article_id', 'status', 'created_at', 'id'], unique=False)
