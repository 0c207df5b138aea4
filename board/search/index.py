"""Full-text search over ideas, help requests and comments.

On SQLite this is an FTS5 table kept in step by triggers on the tables it indexes,
so that every create, edit, hide, restore and delete (cascades included, and bulk
inserts such as `board generate`) updates it in the same transaction. Everything
that knows about FTS5 is in this module: another database's full-text engine can
stand in by providing `install` and `search` for it.

Each row's FTS rowid is the content's id times four plus its kind, so a trigger
finds its row directly instead of scanning the index.

The index holds the plain words of each post (board/search/words.py), not its
Markdown, so that snippets quote what readers see and the marks and link addresses
around the words are not found. The triggers call `plain_words` as an SQL function,
which the board adds to every SQLite connection it opens: an UPDATE of a post's body
from another SQLite client fails with "no such function" rather than index Markdown.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Engine, event, text

from ..extensions import db
from .words import plain_words

KINDS = {"idea": 1, "help_request": 2, "comment": 3}
KIND_LABELS = {"idea": "Idea", "help_request": "Help request", "comment": "Comment"}
MAX_TERMS = 12
MAX_QUERY_LENGTH = 200
_START, _END = "\x02", "\x03"  # snippet markers that cannot occur in what people type

_DDL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
        title, body, kind UNINDEXED, target_id UNINDEXED,
        tokenize = 'porter unicode61 remove_diacritics 2')""",
]


def _triggers(table: str, kind: str, title: str) -> list[str]:
    code = KINDS[kind]
    row = f"new.id * 4 + {code}"
    add = (f"INSERT INTO search_index (rowid, title, body, kind, target_id) "
           f"SELECT {row}, {title}, plain_words(new.body), '{kind}', new.id WHERE new.hidden_at IS NULL;")
    return [
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"""CREATE TRIGGER IF NOT EXISTS search_{table}_update
            AFTER UPDATE OF {'title, ' if title != "''" else ''}body, hidden_at ON {table} BEGIN
            DELETE FROM search_index WHERE rowid = old.id * 4 + {code}; {add} END""",
        f"""CREATE TRIGGER IF NOT EXISTS search_{table}_delete AFTER DELETE ON {table} BEGIN
            DELETE FROM search_index WHERE rowid = old.id * 4 + {code}; END""",
    ]


STATEMENTS = [
    *_DDL,
    *_triggers("ideas", "idea", "new.title"),
    *_triggers("help_requests", "help_request", "new.title"),
    *_triggers("comments", "comment", "''"),
]
REBUILD = [
    "DELETE FROM search_index",
    "INSERT INTO search_index (rowid, title, body, kind, target_id) "
    "SELECT id * 4 + 1, title, plain_words(body), 'idea', id FROM ideas WHERE hidden_at IS NULL",
    "INSERT INTO search_index (rowid, title, body, kind, target_id) "
    "SELECT id * 4 + 2, title, plain_words(body), 'help_request', id FROM help_requests WHERE hidden_at IS NULL",
    "INSERT INTO search_index (rowid, title, body, kind, target_id) "
    "SELECT id * 4 + 3, '', plain_words(body), 'comment', id FROM comments WHERE hidden_at IS NULL",
]
DROP = [
    *(f"DROP TRIGGER IF EXISTS search_{table}_{when}"
      for table in ("ideas", "help_requests", "comments") for when in ("insert", "update", "delete")),
    "DROP TABLE IF EXISTS search_index",
]


def outside_the_index(name, type_, parent_names) -> bool:
    """For Alembic: the search index's tables are made by `install`, not by the models."""
    return not (type_ == "table" and name and name.startswith("search_index"))


def install(connection) -> None:
    """Create the search index and its triggers (migrations and `create_all` call this)."""
    if connection.dialect.name != "sqlite":
        return
    for statement in STATEMENTS:
        connection.execute(text(statement))


def rebuild(connection) -> None:
    """Index everything visible again from scratch."""
    if connection.dialect.name != "sqlite":
        return
    for statement in REBUILD:
        connection.execute(text(statement))


def purge(connection) -> None:
    """Merge the index's storage, so that words of deleted posts leave it entirely
    (FTS5 otherwise keeps them until segments merge on their own)."""
    if connection.dialect.name != "sqlite":
        return
    connection.execute(text("INSERT INTO search_index (search_index) VALUES ('optimize')"))


@event.listens_for(Engine, "connect")
def _add_plain_words(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("plain_words", 1, plain_words, deterministic=True)


def reinstall(connection) -> None:
    """Replace the index and its triggers with the ones above, and index everything again."""
    if connection.dialect.name != "sqlite":
        return
    for statement in DROP:
        connection.execute(text(statement))
    install(connection)
    rebuild(connection)


# Tests and new databases made with create_all get the index too.
event.listen(db.metadata, "after_create", lambda target, connection, **kw: install(connection))


def match_expression(query: str) -> str | None:
    """What people typed, as a safe FTS5 query: every word quoted, all of them required.

    Operators, quotes, stars and NEAR become plain words, so no input is a syntax
    error; None when nothing searchable is left.
    """
    query = (query or "")[:MAX_QUERY_LENGTH]
    # "title:garden" is FTS5's column syntax; people mean the word after it.
    query = re.sub(r"\b\w+:", " ", query)
    words = re.findall(r"\w+", query)[:MAX_TERMS]
    return " ".join(f'"{word}"' for word in words) or None


@dataclass
class Hit:
    kind: str
    target_id: int
    snippet: Markup
    title_html: Markup
    author: object = None  # filled in by the page that shows it
    discussion: str | None = None  # for a comment: the title of what it is on
    url: str | None = None  # where it is shown on the board

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _highlight(fragment: str) -> Markup:
    """Escape a snippet, then turn its markers into <mark>."""
    html = str(escape(fragment))
    return Markup(html.replace(_START, "<mark>").replace(_END, "</mark>"))


def _where(kinds: tuple[str, ...], only_ids: dict[str, str] | None) -> str:
    conditions = ["search_index MATCH :expression",
                  f"kind IN ({', '.join(repr(kind) for kind in kinds)})"]
    for kind, subquery in (only_ids or {}).items():
        conditions.append(f"(kind != '{kind}' OR target_id IN ({subquery}))")
    return " AND ".join(conditions)


def search(expression: str, *, kinds: tuple[str, ...], only_ids: dict[str, str] | None = None,
           limit: int, offset: int, params: dict | None = None) -> list[Hit]:
    """The best matches first (a title match counts ten times a body match).

    `kinds` and `only_ids` come from the code, never from the request: `only_ids`
    narrows a kind to the ids an SQL subquery gives (filters by topic, area, status),
    whose values are bound from `params`.
    """
    rows = db.session.execute(
        text(
            "SELECT kind, target_id, "
            f"snippet(search_index, 1, '{_START}', '{_END}', '…', 16), "
            f"highlight(search_index, 0, '{_START}', '{_END}') "
            f"FROM search_index WHERE {_where(kinds, only_ids)} "
            "ORDER BY bm25(search_index, 10.0, 1.0), rowid DESC LIMIT :limit OFFSET :offset"
        ),
        {"expression": expression, "limit": limit, "offset": offset, **(params or {})},
    ).all()
    return [Hit(kind, int(target_id), _highlight(snippet), _highlight(title))
            for kind, target_id, snippet, title in rows]


def count(expression: str, *, kinds: tuple[str, ...], only_ids: dict[str, str] | None = None,
          params: dict | None = None) -> int:
    return db.session.execute(
        text(f"SELECT count(*) FROM search_index WHERE {_where(kinds, only_ids)}"),
        {"expression": expression, **(params or {})},
    ).scalar_one()
