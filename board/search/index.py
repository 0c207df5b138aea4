"""Full-text search over ideas, help requests and comments, on whichever engine the
board runs: SQLite's FTS5 (sqlite_fts.py) or PostgreSQL's own (postgres_fts.py).

Both index a post's title and its plain words (`search_text`, written with the body:
board/text.py), in the same transaction as every change, and both offer the same
functions, so the search page and the migrations never ask which engine they are on.
"""

from __future__ import annotations

from sqlalchemy import event

from ..extensions import db
from . import postgres_fts, sqlite_fts
from .common import KIND_LABELS, KINDS, Hit  # noqa: F401  (what callers need of a search)

_ENGINES = {"sqlite": sqlite_fts, "postgresql": postgres_fts}


def _engine(connection=None):
    return _ENGINES[(connection or db.engine).dialect.name]


def outside_the_index(name, type_, parent_names) -> bool:
    """For Alembic: what the search engines make themselves (`install`) is not in the models."""
    if type_ == "table":
        return not (name and name.startswith("search_index"))
    if type_ == "column":
        return name != "search_vector"
    if type_ == "index":
        return not (name and name.startswith("search_"))
    return True


def install(connection) -> None:
    """Create the search index and what keeps it in step (migrations and `create_all` call this)."""
    _engine(connection).install(connection)


def installed(connection) -> str | None:
    """Which search index the database holds ("SQLite FTS5"), or None when it has none."""
    engine = _engine(connection)
    return engine.NAME if engine.installed(connection) else None


def rebuild(connection) -> None:
    """Index everything visible again from scratch."""
    _engine(connection).rebuild(connection)


def uninstall(connection) -> None:
    _engine(connection).uninstall(connection)


def purge(connection) -> None:
    """Make sure no words of deleted posts stay behind in the index's storage."""
    _engine(connection).purge(connection)


# Tests and new databases made with create_all get the index too.
event.listen(db.metadata, "after_create", lambda target, connection, **kw: install(connection))


def match_expression(query: str | None) -> str | None:
    """What people typed, as the engine's safe query; None when nothing searchable is left."""
    return _engine().match_expression(query or "")


def search(expression: str, *, kinds: tuple[str, ...], only_ids: dict[str, str] | None = None,
           limit: int, offset: int, params: dict | None = None) -> list[Hit]:
    """The best matches first (a title match counts ten times a body match).

    `kinds` and `only_ids` come from the code, never from the request: `only_ids`
    narrows a kind to the ids an SQL subquery gives (filters by topic, area, status),
    whose values are bound from `params`.
    """
    return _engine().search(
        db.session, expression, kinds, only_ids or {}, limit, offset, params or {}
    )


def count(expression: str, *, kinds: tuple[str, ...], only_ids: dict[str, str] | None = None,
          params: dict | None = None) -> int:
    return _engine().count(
        db.session, expression, kinds, only_ids or {}, params or {}
    )


def similar_idea_ids(words: list[str], *, closed: tuple[str, ...], limit: int) -> list[int]:
    """Visible ideas, not joined to another, matching any of `words`: those still open
    first (not in `closed`), then the best matches first."""
    engine = _engine()
    expression = engine.any_word(words)
    if not expression:
        return []
    return engine.similar_ideas(db.session, expression, closed, limit)
