"""/stats, its downloads and the API publish the board's record: every figure checked
against a small board whose answer and match times are known."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import datetime

import pytest
from test_pledge import make_pledge

from board.extensions import db
from board.models import Area, HelpRequest, Idea, Topic, User, utcnow
from helpers import count_queries


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def known_board(app, make_user):
    """Ideas and help requests in January and February 2026, with known waits."""
    author, helper = make_user("amina"), make_user("ben")
    with app.app_context():
        author, helper = db.session.get(User, author.id), db.session.get(User, helper.id)
        parks, north = Topic.named("Parks"), Area.named("North")
        db.session.add_all([parks, north])

        def idea(title, posted, reached=None, answered=None, topics=(), area=None, hidden=False):
            row = Idea.post(author, title, "Details.")
            row.place(area, list(topics))
            row.created_at, row.pledge_reached_at, row.answered_at = at(posted), reached and at(reached), answered and at(answered)
            row.hidden_at = utcnow() if hidden else None

        idea("Within", "2026-01-05", "2026-01-06", "2026-01-10", [parks], north)  # 4 days
        idea("Late", "2026-01-20", "2026-01-21", "2026-02-05", [parks])  # 15 days
        idea("Waiting", "2026-02-03", "2026-02-04", None, [], north)
        idea("Too few", "2026-02-10")
        idea("Hidden", "2026-02-11", "2026-02-11", None, hidden=True)

        def request(title, posted, matched=None):
            row = HelpRequest.post(author, title, "Details.", ["van"])
            row.created_at = at(posted)
            if matched:
                offer = row.make_offer(helper, "I can.")
                row.accept(offer, by=author)
                offer.decided_at = at(matched)

        request("Van", "2026-01-02", "2026-01-05")  # 3 days
        request("Ladder", "2026-01-10", "2026-01-11")  # 1 day
        request("Hall", "2026-02-01")
        db.session.commit()
    make_pledge(app, supporters=1, days=10)


def rows_of(page: str, table_id: str) -> list[list[str]]:
    table = page[page.index(f'id="{table_id}"'):]
    table = table[:table.index("</table>")]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)][1:]


def test_stats_shows_every_figure_of_a_board_with_known_answer_times(client, known_board, engine):
    response = client.get("/stats")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Our pledge: every idea with at least 1 supporters gets an official answer within 10 days." in page
    assert rows_of(page, "table-ideas") == [
        ["2026-01", "2", "2", "1", "1", "0"],
        ["2026-02", "2", "1", "0", "0", "1"],
        ["Total", "4", "3", "1", "1", "1"],
    ]
    assert ("Ideas in total: 4 posted, 3 reached the pledge, 1 answered within it, 1 answered late, "
            "1 still waiting.") in page
    assert rows_of(page, "table-topics") == [["Parks", "9.5", "2"]]
    assert rows_of(page, "table-areas") == [["North", "4.0", "1"]]
    assert "Half of all answered ideas had their official answer within 9.5 days." in page
    assert rows_of(page, "table-help") == [
        ["2026-01", "2", "2", "2.0"], ["2026-02", "1", "0", "–"], ["Total", "3", "2", "2.0"],
    ]


def test_each_chart_has_a_title_a_text_alternative_and_its_numbers_beside_it(client, known_board, engine):
    page = client.get("/stats").get_data(as_text=True)
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page)
    assert len(images) == 4
    svg = base64.b64decode(images[0][0]).decode()
    assert "Ideas by the month they were posted" in svg
    assert "2026-01" in svg and "2026-02" in svg and "Answered late" in svg
    for table in ("table-ideas", "table-topics", "table-areas", "table-help"):
        assert f'id="{table}"' in page  # the numbers beside each chart


def test_stats_filter_by_topic_and_area_in_the_address(client, known_board, engine):
    page = client.get("/stats?topic=parks").get_data(as_text=True)
    assert rows_of(page, "table-ideas")[-1] == ["Total", "2", "2", "1", "1", "0"]
    page = client.get("/stats?area=north").get_data(as_text=True)
    assert rows_of(page, "table-ideas")[-1] == ["Total", "2", "2", "1", "0", "1"]
    assert 'value="north" selected' in page
    assert client.get("/stats?topic=nothing&area=%00").status_code == 200


def test_the_same_figures_download_as_csv_and_json_and_come_from_the_api(client, known_board, engine):
    assert "/data/record.csv" in client.get("/data").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/data/record.csv").get_data(as_text=True))))
    assert [r["month"] for r in rows] == ["2026-01", "2026-02", "total"]
    assert rows[-1]["ideas_answered_late"] == "1" and rows[0]["median_days_to_match"] == "2.0"
    times = client.get("/data/answer-times.json").get_json()["answer_times"]
    assert {"by": "topic", "name": "Parks", "median_days_to_answer": 9.5, "ideas_answered": 2} in times
    record = client.get("/api/v1/stats?area=north").get_json()
    assert record["ideas_total"] == {"posted": 2, "reached_pledge": 2, "answered_within_pledge": 1,
                                     "answered_late": 0, "still_waiting": 1}
    assert record["filters"] == {"topic": None, "area": "north"}
    assert client.get("/stats.json").get_json()["help_requests_total"] == {
        "posted": 3, "matched": 2, "median_days_to_match": 2.0}


def test_stats_makes_the_same_few_queries_whatever_the_size_of_the_board(app, client, known_board, engine):
    client.get("/stats")
    with count_queries(app) as few:
        client.get("/stats")
    with app.app_context():
        author = db.session.scalar(db.select(User).where(User.username == "amina"))
        for number in range(30):
            Idea.post(author, f"More {number}", "Details.")
        db.session.commit()
    with count_queries(app) as many:
        client.get("/stats")
    assert len(few) == len(many) <= 10
