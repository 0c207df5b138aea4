"""Moving a board to another database: `flask board copy-to URL`.

A board that outgrows its SQLite file moves to PostgreSQL by copying every table,
ids kept, into an empty database that the migrations have just built. Rows go over in
batches in the order foreign keys need; each id sequence is then set past the largest
id copied, the search index is rebuilt from what was copied, and every table's rows
are counted on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, Integer, bindparam, func, inspect, select, text, update

from .extensions import db
from .search.index import rebuild

BATCH_SIZE = 2000
# Photos carry their pictures (up to a few hundred kB each): fewer at a time, to keep memory low.
PHOTO_BATCH_SIZE = 20


class TargetNotEmpty(Exception):
    """The target database already holds tables: it is never written over."""


@dataclass
class CopiedTable:
    name: str
    source_rows: int
    target_rows: int

    @property
    def complete(self) -> bool:
        return self.source_rows == self.target_rows


def ensure_empty(target: Engine) -> None:
    tables = inspect(target).get_table_names()
    if tables:
        raise TargetNotEmpty(
            f"The target database already holds {len(tables)} tables "
            f"({', '.join(sorted(tables)[:3])}{', ...' if len(tables) > 3 else ''}): "
            "copy-to only fills an empty database."
        )


def copy_rows(source: Engine, target: Engine, progress=lambda table, rows: None) -> list[CopiedTable]:
    """Copy every table of the board from `source` into `target`, which has the schema
    and no rows. Returns what each table holds on both sides afterwards."""
    tables = db.metadata.sorted_tables
    # Tables in the order foreign keys need. A row may point at a later row of its own
    # table (an idea joined with a newer one): such columns are copied empty, then filled.
    with source.connect() as reading, target.begin() as writing:
        for table in tables:
            copied = 0
            order = list(table.primary_key.columns) or list(table.columns)
            own = [key.parent.name for key in table.foreign_keys if key.column.table is table]
            later = []
            result = reading.execution_options(stream_results=True).execute(
                select(table).order_by(*order)
            )
            size = PHOTO_BATCH_SIZE if table.name == "photos" else BATCH_SIZE
            for batch in result.mappings().partitions(size):
                rows = [dict(row) for row in batch]
                for row in rows:
                    if any(row[name] is not None for name in own):
                        later.append({"_id": row["id"], **{name: row[name] for name in own}})
                        row.update(dict.fromkeys(own))
                writing.execute(table.insert(), rows)
                copied += len(batch)
            if later:
                writing.execute(
                    update(table).where(table.c.id == bindparam("_id"))
                    .values({name: bindparam(name) for name in own}),
                    later,
                )
            progress(table.name, copied)
        if target.dialect.name == "postgresql":
            _set_sequences_past_ids(writing, tables)
        rebuild(writing)
    with source.connect() as reading, target.connect() as written:
        return [
            CopiedTable(
                table.name,
                reading.scalar(select(func.count()).select_from(table)),
                written.scalar(select(func.count()).select_from(table)),
            )
            for table in tables
        ]


def _set_sequences_past_ids(connection, tables) -> None:
    """New rows must not collide with copied ids: each id sequence starts after the largest."""
    for table in tables:
        id_column = table.columns.get("id")
        if id_column is None or not id_column.primary_key or not isinstance(id_column.type, Integer):
            continue
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                     {"table": table.name})
        if sequence is None:
            continue
        largest = connection.scalar(select(func.max(id_column)))
        # setval(seq, n, false): the next id handed out is n itself.
        connection.execute(text("SELECT setval(:sequence, :next, false)"),
                           {"sequence": sequence, "next": (largest or 0) + 1})
