"""Full-text search: an FTS5 index over ideas, help requests and comments

Revision ID: 0006_search_index
Revises: 0ee8d27c6aea
Create Date: 2026-11-25 14:10:00

"""
from alembic import op

from board.search.index import DROP, install, rebuild

# revision identifiers, used by Alembic.
revision = '0006_search_index'
down_revision = '0ee8d27c6aea'
branch_labels = None
depends_on = None


def upgrade():
    # The index and its triggers are defined once, in board/search/index.py.
    install(op.get_bind())
    rebuild(op.get_bind())


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP:
            op.execute(statement)
