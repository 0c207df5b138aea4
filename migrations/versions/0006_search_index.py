"""Full-text search: an FTS5 index over ideas, help requests and comments

Revision ID: 0006_search_index
Revises: 0ee8d27c6aea
Create Date: 2026-11-25 14:10:00

"""
from alembic import op

# The index as it was made then, written out here so that later changes to the
# search module do not change what this migration did (0011 replaces it).
_TABLES = (("ideas", "idea", 1, "title"), ("help_requests", "help_request", 2, "title"),
           ("comments", "comment", 3, "''"))


def _statements():
    yield """CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
        title, body, kind UNINDEXED, target_id UNINDEXED,
        tokenize = 'porter unicode61 remove_diacritics 2')"""
    for table, kind, code, title in _TABLES:
        new_title = "new.title" if title == "title" else title
        add = (f"INSERT INTO search_index (rowid, title, body, kind, target_id) "
               f"SELECT new.id * 4 + {code}, {new_title}, new.body, '{kind}', new.id "
               f"WHERE new.hidden_at IS NULL;")
        yield f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {add} END"
        yield (f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF "
               f"{'title, ' if title == 'title' else ''}body, hidden_at ON {table} BEGIN "
               f"DELETE FROM search_index WHERE rowid = old.id * 4 + {code}; {add} END")
        yield (f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN "
               f"DELETE FROM search_index WHERE rowid = old.id * 4 + {code}; END")
    for table, kind, code, title in _TABLES:
        yield (f"INSERT INTO search_index (rowid, title, body, kind, target_id) "
               f"SELECT id * 4 + {code}, {title}, body, '{kind}', id FROM {table} "
               f"WHERE hidden_at IS NULL")

# revision identifiers, used by Alembic.
revision = '0006_search_index'
down_revision = '0ee8d27c6aea'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite only: PostgreSQL's search arrives with 0011.
    if op.get_bind().dialect.name == "sqlite":
        for statement in _statements():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table, *_ in _TABLES:
            for when in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{when}")
        op.execute("DROP TABLE IF EXISTS search_index")
