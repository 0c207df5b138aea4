"""Full-text search on SQLite: an FTS5 table kept in step by triggers.

The triggers on the tables it indexes update it in the same transaction as every
create, edit, hide, restore and delete (cascades included, and bulk inserts such as
`board generate`). Each row's FTS rowid is the content's id times four plus its kind,
so a trigger finds its row directly instead of scanning the index. The index holds
each post's title and its plain words (`search_text`), never its Markdown.
"""

from __future__ import annotations

import re

from sqlalchemy import inspect, text

from .common import KINDS, MAX_QUERY_LENGTH, MAX_TERMS, START, STOP, Hit, highlight

NAME = "SQLite FTS5"
TABLES = {"idea": ("ideas", "title"), "help_request": ("help_requests", "title"),
          "comment": ("comments", "''")}

_DDL = """CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
    title, body, kind UNINDEXED, target_id UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2')"""


def _triggers(kind: str) -> list[str]:
    table, title = TABLES[kind]
    code = KINDS[kind]
    new_title = "new.title" if title == "title" else title
    add = (f"INSERT INTO search_index (rowid, title, body, kind, target_id) "
           f"SELECT new.id * 4 + {code}, {new_title}, new.search_text, '{kind}', new.id "
           f"WHERE new.hidden_at IS NULL;")
    return [
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"""CREATE TRIGGER IF NOT EXISTS search_{table}_update
            AFTER UPDATE OF {'title, ' if title == 'title' else ''}search_text, hidden_at ON {table} BEGIN
            DELETE FROM search_index WHERE rowid = old.id * 4 + {code}; {add} END""",
        f"""CREATE TRIGGER IF NOT EXISTS search_{table}_delete AFTER DELETE ON {table} BEGIN
            DELETE FROM search_index WHERE rowid = old.id * 4 + {code}; END""",
    ]


INSTALL = [_DDL, *(statement for kind in KINDS for statement in _triggers(kind))]
REBUILD = ["DELETE FROM search_index", *(
    f"INSERT INTO search_index (rowid, title, body, kind, target_id) "
    f"SELECT id * 4 + {KINDS[kind]}, {title}, search_text, '{kind}', id FROM {table} "
    f"WHERE hidden_at IS NULL"
    for kind, (table, title) in TABLES.items()
)]
DROP = [
    *(f"DROP TRIGGER IF EXISTS search_{table}_{when}"
      for table, _ in TABLES.values() for when in ("insert", "update", "delete")),
    "DROP TABLE IF EXISTS search_index",
]


def install(connection) -> None:
    for statement in INSTALL:
        connection.execute(text(statement))


def installed(connection) -> bool:
    return inspect(connection).has_table("search_index")


def rebuild(connection) -> None:
    for statement in REBUILD:
        connection.execute(text(statement))


def uninstall(connection) -> None:
    for statement in DROP:
        connection.execute(text(statement))


def purge(connection) -> None:
    """Merge the index's storage, so that words of deleted posts leave it entirely
    (FTS5 otherwise keeps them until segments merge on their own)."""
    connection.execute(text("INSERT INTO search_index (search_index) VALUES ('optimize')"))


def match_expression(query: str) -> str | None:
    """What people typed, as a safe FTS5 query: every word quoted, all of them required.

    Operators, quotes, stars and NEAR become plain words, so no input is a syntax
    error; None when nothing searchable is left.
    """
    query = query[:MAX_QUERY_LENGTH]
    # "title:garden" is FTS5's column syntax; people mean the word after it.
    query = re.sub(r"\b\w+:", " ", query)
    words = re.findall(r"\w+", query)[:MAX_TERMS]
    return " ".join(f'"{word}"' for word in words) or None


# A row's kind and content id, read from its rowid (id * 4 + kind): asking for its kind or
# target_id column makes FTS5 read each match's stored row, its whole text with it, which
# for a common word cost more than the search itself.
_KIND = "search_index.rowid % 4"
_TARGET_ID = "search_index.rowid / 4"
_KIND_NAMES = {code: kind for kind, code in KINDS.items()}


def _where(kinds: tuple[str, ...], only_ids: dict[str, str]) -> str:
    conditions = ["search_index MATCH :expression"]
    if set(kinds) != set(KINDS):
        conditions.append(f"{_KIND} IN ({', '.join(str(KINDS[kind]) for kind in kinds)})")
    for kind, subquery in only_ids.items():
        conditions.append(f"({_KIND} != {KINDS[kind]} OR {_TARGET_ID} IN ({subquery}))")
    return " AND ".join(conditions)


def search(session, expression: str, kinds, only_ids, limit: int, offset: int, params: dict) -> list[Hit]:
    rows = session.execute(
        text(
            f"SELECT {_KIND}, {_TARGET_ID}, "
            f"snippet(search_index, 1, '{START}', '{STOP}', '…', 16), "
            f"highlight(search_index, 0, '{START}', '{STOP}') "
            f"FROM search_index WHERE {_where(kinds, only_ids)} "
            # A title match counts ten times a body match.
            "ORDER BY bm25(search_index, 10.0, 1.0), rowid DESC LIMIT :limit OFFSET :offset"
        ),
        {"expression": expression, "limit": limit, "offset": offset, **params},
    ).all()
    return [Hit(_KIND_NAMES[kind], target_id, highlight(snippet), highlight(title))
            for kind, target_id, snippet, title in rows]


def count(session, expression: str, kinds, only_ids, params: dict) -> int:
    return session.execute(
        text(f"SELECT count(*) FROM search_index WHERE {_where(kinds, only_ids)}"),
        {"expression": expression, **params},
    ).scalar_one()


def any_word(words: list[str]) -> str | None:
    """Words as an FTS5 query that any one of them matches."""
    return " OR ".join(f'"{word}"' for word in words) or None


def similar_ideas(session, expression: str, closed: tuple[str, ...], limit: int) -> list[int]:
    closed_list = ", ".join(f"'{status}'" for status in closed)
    return session.execute(
        text(
            f"SELECT ideas.id FROM search_index JOIN ideas ON ideas.id = {_TARGET_ID} "
            f"WHERE search_index MATCH :expression AND {_KIND} = {KINDS['idea']} "
            "AND ideas.hidden_at IS NULL AND ideas.duplicate_of_id IS NULL "
            f"ORDER BY CASE WHEN ideas.status IN ({closed_list}) THEN 1 ELSE 0 END, "
            "bm25(search_index, 10.0, 1.0), ideas.id DESC LIMIT :limit"
        ),
        {"expression": expression, "limit": limit},
    ).scalars().all()
