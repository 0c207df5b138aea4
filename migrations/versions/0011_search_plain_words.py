"""Search indexes the plain words of each post, not its Markdown

Revision ID: 0011_search_plain_words
Revises: 0010
Create Date: 2026-12-10 10:00:00

"""
from alembic import op

from board.search.index import DROP, REBUILD, STATEMENTS, reinstall

# revision identifiers, used by Alembic.
revision = '0011_search_plain_words'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # New triggers that index plain_words(body), then every post again.
    reinstall(op.get_bind())


def downgrade():
    # Back to indexing the Markdown source, which needs no plain_words function.
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in [*DROP, *STATEMENTS, *REBUILD]:
        op.execute(statement.replace("plain_words(new.body)", "new.body").replace("plain_words(body)", "body"))
