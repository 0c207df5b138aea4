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


def test_upgrading_a_board_with_content_keeps_every_row(tmp_path):
    """Batch migrations rebuild tables; foreign keys must not cascade the copy's
    DROP TABLE into the tables that point at them."""
    path = tmp_path / "old.db"
    app = make_test_app(path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "9032fc3dfb8c"]).exit_code == 0  # the first board
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run("PRAGMA foreign_keys = ON")
        run("INSERT INTO users (id, username, email, password_hash, created_at, last_active_at)"
            " VALUES (1, 'amina', 'amina@example.org', 'x', '2026-01-01', '2026-01-01'),"
            " (2, 'ben', 'ben@example.org', 'x', '2026-01-01', '2026-01-01')")
        run("INSERT INTO ideas (id, title, body, body_html, created_at, author_id, supporters_count,"
            " comments_count, last_activity_at) VALUES (1, 'Fridge', 'b', 'b', '2026-01-02', 1, 1, 1, '2026-01-03')")
        run("INSERT INTO supports (user_id, idea_id, created_at) VALUES (2, 1, '2026-01-03')")
        run("INSERT INTO comments (id, body, body_html, created_at, author_id, idea_id)"
            " VALUES (1, 'Yes', 'Yes', '2026-01-03', 2, 1)")
        run("INSERT INTO help_requests (id, title, body, body_html, created_at, author_id, status,"
            " offers_count, comments_count) VALUES (1, 'Van', 'b', 'b', '2026-01-04', 1, 'open', 1, 0)")
        run("INSERT INTO offers (id, help_request_id, helper_id, message, status, created_at)"
            " VALUES (1, 1, 2, 'Me', 'pending', '2026-01-05')")
    engine.dispose()

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output

    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        def count(table):
            return connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()

        assert [count(t) for t in ("users", "ideas", "supports", "comments", "help_requests", "offers")] \
            == [2, 1, 1, 1, 1, 1]
        # People follow what they took part in before following existed.
        follows = connection.exec_driver_sql(
            "SELECT user_id, idea_id, help_request_id FROM follows ORDER BY user_id, id"
        ).all()
        assert sorted(follows, key=str) == sorted(
            [(1, 1, None), (1, None, 1), (2, 1, None), (2, None, 1)], key=str
        )
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    engine.dispose()
