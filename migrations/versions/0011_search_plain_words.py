"""Search indexes the plain words of each post, not its Markdown, on SQLite and PostgreSQL

Revision ID: 0011_search_plain_words
Revises: 0010
Create Date: 2026-12-03 14:30:00

"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from board.search.index import install, rebuild, uninstall
from board.text import plain_words

# revision identifiers, used by Alembic.
revision = '0011_search_plain_words'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ("ideas", "help_requests", "comments")
BATCH = 2000


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        # The old triggers watch the body; they go before the table changes under them.
        uninstall(connection)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    for table in TABLES:
        _fill_search_text(connection, table)
    install(connection)
    rebuild(connection)


def _fill_search_text(connection, table: str) -> None:
    """Each post's plain words, worked out as the board does when a body is written."""
    last_id = 0
    while True:
        rows = connection.execute(
            sa.text(f"SELECT id, body FROM {table} WHERE id > :last ORDER BY id LIMIT :batch"),
            {"last": last_id, "batch": BATCH},
        ).all()
        if not rows:
            return
        connection.execute(sa.text(f"UPDATE {table} SET search_text = :text WHERE id = :id"),
                           [{"id": row_id, "text": plain_words(body)} for row_id, body in rows])
        last_id = rows[-1][0]


def downgrade():
    connection = op.get_bind()
    uninstall(connection)
    for table in TABLES:
        # Dropped in place: rebuilding the tables would lose their indexes' conditions.
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_text")
    if connection.dialect.name == "sqlite":
        # Back to the index of 0006, over the Markdown source.
        path = Path(__file__).with_name("0006_search_index.py")
        spec = importlib.util.spec_from_file_location("search_index_0006", path)
        earlier = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(earlier)
        for statement in earlier._statements():
            op.execute(statement)
