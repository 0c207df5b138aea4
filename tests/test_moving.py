"""`flask board copy-to`: a live SQLite board moves into an empty database (PostgreSQL
when the tests have one) with every row and id, and the copy serves the same pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from board.admin.models import BoardSettings
from board.demo import fill_demo_board
from board.extensions import db
from board.mail.models import OutboxMessage
from board.models import Idea, IdeaStatus, User
from board.moderation.models import ModerationAction, Report
from helpers import make_test_app, text_of

PAGES = ["/", "/ideas", "/ideas?sort=popular", "/help", "/ideas/1", "/ideas/2", "/help/1",
         "/users/amina", "/api/v1/ideas", "/api/v1/help-requests", "/ideas.atom", "/data/ideas.csv"]


@pytest.fixture
def sqlite_board(tmp_path):
    """A SQLite board with every kind of content: the demo, plus reports, moderation and mail."""
    app = make_test_app(tmp_path / "source.db")
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        fill_demo_board("demo-password")
        db.session.flush()
        ruth = User.by_username("ruth")
        amina = User.by_username("amina")
        idea = db.session.scalars(select(Idea).order_by(Idea.id)).first()
        db.session.add(Report(reporter_id=amina.id, target_kind="idea", target_id=idea.id,
                              reason="Off topic"))
        db.session.add(ModerationAction(moderator_id=ruth.id, action="lock", target_kind="idea",
                                        target_id=idea.id, target_summary=idea.title, reason="Heated"))
        # An idea joined with a newer one: a row pointing at a later row of its own table.
        older, newer = (Idea.post(amina, title, "Same.") for title in ("Older", "Newer"))
        db.session.flush()
        older.status, older.duplicate_of_id = IdeaStatus.DUPLICATE, newer.id
        db.session.add(OutboxMessage(to_address=amina.email, subject="Waiting",
                                     text_body="Still waiting to be sent.", html_body="<p>Waiting</p>"))
        settings = db.session.get(BoardSettings, 1) or BoardSettings(
            id=1, registration_mode="open", allowed_domains="")
        settings.name, settings.contact_email = "Elm Park Ideas", "ideas@example.org"
        settings.set_texts("Ideas for **Elm Park**.", "Be kind.")
        db.session.add(settings)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def _page(app, path: str) -> str:
    response = app.test_client().get(path)
    assert response.status_code == 200, path
    # Dates of "now" move on between the two reads; everything else must be equal.
    return re.sub(r"\d+ (seconds?|minutes?) ago|just now", "", text_of(response))


def _links(app, path: str) -> set[str]:
    html = app.test_client().get(path).get_data(as_text=True)
    return set(re.findall(r'href="(/(?:ideas|help)/\d+[^"]*)"', html))


def test_copy_to_moves_every_row_and_the_copy_serves_the_same_pages(sqlite_board, empty_database_url):
    result = sqlite_board.test_cli_runner().invoke(args=["board", "copy-to", empty_database_url])
    assert result.exit_code == 0, result.output
    assert "every table's count matches" in result.output

    copy = make_test_app(empty_database_url)
    assert _counts(copy) == _counts(sqlite_board)
    empty = [table for table in ("users", "ideas", "supports", "comments", "help_requests",
             "offers", "help_messages", "notifications", "outbox", "board_settings", "reports",
             "moderation_actions", "events", "follows") if not _counts(copy)[table]]
    assert empty == []
    for path in PAGES:
        assert _page(copy, path) == _page(sqlite_board, path), path
    # Each engine quotes its own snippets, but finds the same posts.
    found = _links(sqlite_board, "/search?q=garden")
    assert found and _links(copy, "/search?q=garden") == found

    # New rows get new ids after the copied ones.
    with copy.app_context():
        largest = db.session.scalar(select(func.max(Idea.id)))
        idea = Idea.post(User.by_username("amina"), "After the move", "A new idea on the new database.")
        db.session.commit()
        assert idea.id == largest + 1
        db.engine.dispose()


def test_copy_to_refuses_a_database_that_already_holds_a_board(sqlite_board, empty_database_url):
    runner = sqlite_board.test_cli_runner()
    assert runner.invoke(args=["board", "copy-to", empty_database_url]).exit_code == 0
    again = runner.invoke(args=["board", "copy-to", empty_database_url])
    assert again.exit_code != 0
    assert "copy-to only fills an empty database" in again.output
    assert _counts(make_test_app(empty_database_url))["ideas"] == _counts(sqlite_board)["ideas"]


def test_copy_to_an_address_that_cannot_be_reached_says_so(sqlite_board):
    result = sqlite_board.test_cli_runner().invoke(
        args=["board", "copy-to", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
    )
    assert result.exit_code != 0
    assert "Cannot reach" in result.output
    assert "Traceback" not in result.output
