"""PostgreSQL for the tests, on the server that TEST_DATABASE_URL names.

Each test process keeps one database with the board's schema and empties it before
each test (rows deleted, id sequences restarted): much quicker than making a database
per test. Tests that need a database with nothing in it (migrations, `board copy-to`)
get a new one of their own.
"""

from __future__ import annotations

import itertools
import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
NOT_CONFIGURED = (
    "PostgreSQL run skipped: set TEST_DATABASE_URL=postgresql+psycopg://USER@127.0.0.1:PORT/postgres "
    "to run the tests on PostgreSQL too (.ci/run starts a server and does)"
)


class Server:
    """Makes and drops databases; their names start with this test process's own prefix."""

    def __init__(self, url: str):
        self.url = make_url(url)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.prefix = f"simpl_test_{os.getpid()}_{worker}"
        self._admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._numbers = itertools.count(1)
        self._board: str | None = None
        self._emptying = ""

    def url_of(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(statement))

    def empty_database(self) -> str:
        name = f"{self.prefix}_{next(self._numbers)}"
        self._execute(f'CREATE DATABASE "{name}"')
        return name

    def database_with_schema(self, build_schema) -> str:
        """The process's board database, emptied; `build_schema(url)` makes it the first time."""
        if self._board is None:
            name = f"{self.prefix}_board"
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{name}"')
            build_schema(self.url_of(name))
            self._board = name
            self._emptying = self._emptying_statement(name)
        engine = create_engine(self.url_of(self._board), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with engine.connect() as connection:
            # Leftovers of a test that ended badly must not hold locks on what is emptied.
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ))
            connection.exec_driver_sql(self._emptying)
        engine.dispose()
        return self._board

    def _emptying_statement(self, name: str) -> str:
        engine = create_engine(self.url_of(name), poolclass=NullPool)
        with engine.connect() as connection:
            tables = connection.scalars(text(
                "SELECT quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )).all()
            sequences = connection.scalars(text(
                "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'"
            )).all()
        engine.dispose()
        # Foreign keys are not checked while every table is emptied, in any order.
        return "; ".join([
            "SET session_replication_role = replica",
            *(f"DELETE FROM {table}" for table in tables),
            "SET session_replication_role = DEFAULT",
            *(f"ALTER SEQUENCE {sequence} RESTART" for sequence in sequences),
        ])

    def drop(self, name: str) -> None:
        if name != self._board:  # emptied before its next use instead
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        if self._board:
            self._execute(f'DROP DATABASE IF EXISTS "{self._board}" WITH (FORCE)')
        self._admin.dispose()
