"""Full-text search on PostgreSQL: a tsvector on each searchable row, with a GIN index.

Each of ideas, help requests and comments carries `search_vector`, a generated column
made from its title (weight A) and its plain words (`search_text`, weight B), so the
database keeps it in step in the same transaction as every create and edit; hidden
rows are left out by the partial indexes' condition, and deleted ones go with their
row. Words are stemmed as English and compared without accents (the `simpl` text
search configuration, with the unaccent extension), so `cafe` finds `café`. What people
type is read by websearch_to_tsquery, which never fails on any input.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from .common import KINDS, MAX_QUERY_LENGTH, MAX_TERMS, START, STOP, Hit, highlight

NAME = "PostgreSQL full-text search"
CONFIGURATION = "simpl"
TABLES = {"idea": ("ideas", "title"), "help_request": ("help_requests", "title"),
          "comment": ("comments", "''")}
# ts_rank's weights for D, C, B and A: a title match counts ten times a body match.
WEIGHTS = "'{0.1, 0.1, 0.1, 1.0}'"
SNIPPET = f'StartSel="{START}", StopSel="{STOP}", MaxWords=16, MinWords=8, ShortWord=2, MaxFragments=1'
TITLE = f'StartSel="{START}", StopSel="{STOP}", HighlightAll=true'


def _document(title: str) -> str:
    body = f"setweight(to_tsvector('{CONFIGURATION}', search_text), 'B')"
    if title == "''":
        return body
    return f"setweight(to_tsvector('{CONFIGURATION}', {title}), 'A') || {body}"


def install(connection) -> None:
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    if not connection.scalar(text("SELECT 1 FROM pg_ts_config WHERE cfgname = :name"),
                             {"name": CONFIGURATION}):
        connection.execute(text(f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = english)"))
        connection.execute(text(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
        ))
    for table, title in TABLES.values():
        connection.execute(text(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS ({_document(title)}) STORED"
        ))
        connection.execute(text(
            f"CREATE INDEX IF NOT EXISTS search_{table} ON {table} USING gin (search_vector) "
            "WHERE hidden_at IS NULL"
        ))


def installed(connection) -> bool:
    columns = connection.scalar(text(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE column_name = 'search_vector' AND table_name IN ('ideas', 'help_requests', 'comments') "
        "AND table_schema = current_schema()"
    ))
    return columns == len(TABLES)


def rebuild(connection) -> None:
    """Nothing to do: each row's vector is generated from the row itself."""


def uninstall(connection) -> None:
    for table, _ in TABLES.values():
        connection.execute(text(f"DROP INDEX IF EXISTS search_{table}"))
        connection.execute(text(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector"))
    connection.execute(text(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIGURATION}"))


def purge(connection) -> None:
    """Nothing to do: a deleted row's words go with it (VACUUM reclaims its space)."""


def match_expression(query: str) -> str | None:
    """What people typed, as words for websearch_to_tsquery, all of them required.

    As on SQLite, operators, quotes and "title:" are read as the words around them,
    so a search means the same on both engines; None when no word is left.
    """
    query = re.sub(r"\b\w+:", " ", query[:MAX_QUERY_LENGTH])
    # Each word quoted, so that "or" is a word here too, never websearch's operator.
    return " ".join(f'"{word}"' for word in re.findall(r"\w+", query)[:MAX_TERMS]) or None


def _matches(kinds, only_ids) -> str:
    """One SELECT per kind of post, each served by its own GIN index."""
    parts = []
    for kind in kinds:
        table, title = TABLES[kind]
        narrowed = f" AND id IN ({only_ids[kind]})" if kind in only_ids else ""
        parts.append(
            f"SELECT '{kind}' AS kind, id AS target_id, id * 4 + {KINDS[kind]} AS rowid, "
            f"{title} AS title, search_text, ts_rank({WEIGHTS}, search_vector, typed.query) AS rank "
            f"FROM {table}, typed WHERE hidden_at IS NULL AND search_vector @@ typed.query{narrowed}"
        )
    return " UNION ALL ".join(parts)


_TYPED = f"typed AS (SELECT websearch_to_tsquery('{CONFIGURATION}', :expression) AS query)"


# ts_headline drops whatever looks like an HTML tag; people's "<b>" is text to show, so
# "<" stands in disguise while the headline is made (forms drop control characters).
_LT = "\x01"
_EDGE = 40  # characters of the text's start and end, to tell whether a snippet is cut


def _headline(column: str, options: str) -> str:
    return f"ts_headline('{CONFIGURATION}', replace({column}, '<', chr(1)), typed.query, {options})"


def search(session, expression: str, kinds, only_ids, limit: int, offset: int, params: dict) -> list[Hit]:
    # Snippets are made only for the page's rows, after ranking every match.
    rows = session.execute(
        text(
            f"WITH {_TYPED}, page AS ({_matches(kinds, only_ids)} "
            "ORDER BY rank DESC, rowid DESC LIMIT :limit OFFSET :offset) "
            f"SELECT kind, target_id, {_headline('search_text', ':snippet')}, "
            f"{_headline('title', ':title')}, left(search_text, {_EDGE}), right(search_text, {_EDGE}) "
            "FROM page, typed ORDER BY rank DESC, rowid DESC"
        ),
        {"expression": expression, "limit": limit, "offset": offset, "snippet": SNIPPET,
         "title": TITLE, **params},
    ).all()
    return [Hit(kind, int(target_id), highlight(_with_ellipses(snippet.replace(_LT, "<"), first, last)),
                highlight(title.replace(_LT, "<")))
            for kind, target_id, snippet, title, first, last in rows]


def _with_ellipses(snippet: str, first: str, last: str) -> str:
    """An ellipsis where the snippet cuts the text, as SQLite's snippets have."""
    words = snippet.replace(START, "").replace(STOP, "")
    if not words:
        return snippet
    if not first.startswith(words[:_EDGE].rstrip()[: len(first)]):
        snippet = "…" + snippet
    if not last.endswith(words[-_EDGE:].lstrip()[-len(last):]):
        snippet += "…"
    return snippet


def count(session, expression: str, kinds, only_ids, params: dict) -> int:
    return session.execute(
        text(f"WITH {_TYPED} SELECT count(*) FROM ({_matches(kinds, only_ids)}) AS matches"),
        {"expression": expression, **params},
    ).scalar_one()


def any_word(words: list[str]) -> str | None:
    """Words for websearch_to_tsquery that any one of them matches (each quoted, so that
    a word "or" is a word); stop words left in are ignored by the configuration."""
    return " or ".join(f'"{word}"' for word in words) or None


def similar_ideas(session, expression: str, closed: tuple[str, ...], limit: int) -> list[int]:
    closed_list = ", ".join(f"'{status}'" for status in closed)
    return session.execute(
        text(
            f"WITH {_TYPED} SELECT id FROM ideas, typed "
            "WHERE hidden_at IS NULL AND duplicate_of_id IS NULL AND search_vector @@ typed.query "
            f"ORDER BY CASE WHEN status IN ({closed_list}) THEN 1 ELSE 0 END, "
            f"ts_rank({WEIGHTS}, search_vector, typed.query) DESC, id DESC LIMIT :limit"
        ),
        {"expression": expression, "limit": limit},
    ).scalars().all()
