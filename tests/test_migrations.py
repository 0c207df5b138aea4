"""`flask db upgrade` on an empty database builds exactly the schema the models describe."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from board.extensions import db
from board.search.index import outside_the_index
from helpers import make_test_app


def upgraded_app(tmp_path, runner_command="upgrade"):
    path = tmp_path / "migrated.db"
    app = make_test_app(path)
    result = app.test_cli_runner().invoke(args=["db", runner_command])
    assert result.exit_code == 0, result.output
    return app, path


def test_upgrade_builds_exactly_the_models_schema(tmp_path):
    app, path = upgraded_app(tmp_path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection, warnings.catch_warnings():
        # Expression indexes cannot be compared by autogenerate; checked below instead.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": outside_the_index}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    engine.dispose()


def test_upgrade_makes_usernames_unique_whatever_their_case(tmp_path):
    app, path = upgraded_app(tmp_path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'uq_users_username_lower'"
        ).scalar()
    assert sql.startswith("CREATE UNIQUE INDEX") and "lower(username)" in sql
    engine.dispose()


def test_downgrade_removes_everything_and_upgrade_rebuilds_it(tmp_path):
    app, path = upgraded_app(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    engine = create_engine(f"sqlite:///{path}")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    engine = create_engine(f"sqlite:///{path}")
    assert {"users", "ideas", "help_requests", "offers", "comments"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
