"""Open data at /data: what each download holds, under which licence, and what never
leaves the board (email addresses, hidden or deleted posts)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

from sqlalchemy import insert

from board.admin import forget_board_settings
from board.admin.models import BoardSettings
from board.extensions import db
from board.models import Area, HelpRequest, Idea, Topic, User, idea_topics, utcnow
from board.opendata.export import neutralise
from helpers import count_queries, text_of

DOWNLOADS = ("ideas", "help-requests", "statistics")
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def all_downloads(client) -> dict[str, bytes]:
    return {url: client.get(url).get_data()
            for url in (f"/data/{name}.{ext}" for name in DOWNLOADS for ext in ("csv", "json"))}


def make_moderator(make_user):
    return make_user("officer", role="moderator", is_official=True)


def place(app, thing, area: str | None = None, topics=()):
    with app.app_context():
        found = db.session.get(type(thing), thing.id)
        existing = {t.name: t for t in Topic.all()}
        labels = [existing.get(name) or Topic.named(name) for name in topics]
        found.place(Area.by_slug(area.lower().replace(" ", "-")) or Area.named(area) if area else None,
                    labels)
        db.session.commit()


def answer(app, idea, officer, status: str, response: str, at: datetime | None = None):
    with app.app_context():
        update = db.session.get(Idea, idea.id).answer(status, response,
                                                      by=db.session.get(User, officer.id))
        if at:
            update.created_at = at
        db.session.commit()


def hide(app, thing):
    with app.app_context():
        db.session.get(type(thing), thing.id).hidden_at = utcnow()
        db.session.commit()


# --- The page ----------------------------------------------------------------------------


def test_the_page_lists_every_download_and_the_default_licence(client):
    response = client.get("/data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    page = text_of(response)
    assert "under the Open Government Licence v3.0" in page
    assert f'<a href="{OGL_URL}" rel="license">Open Government Licence v3.0</a>' in html
    for name in DOWNLOADS:
        for ext in ("csv", "json"):
            assert f'href="/data/{name}.{ext}"' in html
    for holds in ("Ideas", "Help requests", "Statistics by month", "official response",
                  "skills", "median days"):
        assert holds in page
    assert "Email addresses" in page and "hidden" in page and "Private messages" in page
    assert 'href="/api/v1/openapi.json"' in html


def test_a_licence_the_admin_sets_shows_on_the_page_in_the_json_and_the_link_header(
        app, client):
    cc_by = "https://creativecommons.org/licenses/by/4.0/"
    with app.app_context():
        db.session.add(BoardSettings(id=1, name="Elm Park ideas",
                                     data_licence_name="CC BY 4.0", data_licence_url=cc_by))
        db.session.commit()
        forget_board_settings()
    page = client.get("/data")
    assert "under the CC BY 4.0" in text_of(page)
    assert f'<a href="{cc_by}" rel="license">CC BY 4.0</a>' in page.get_data(as_text=True)
    assert "Open Government Licence" not in text_of(page)
    for ext in ("csv", "json"):
        with client.get(f"/data/ideas.{ext}") as response:
            assert response.headers["Link"] == f'<{cc_by}>; rel="license"'
    assert client.get("/data/statistics.json").json["licence"] == {"name": "CC BY 4.0", "url": cc_by}


# --- Ideas ---------------------------------------------------------------------------------


def test_ideas_csv_holds_topics_area_status_supporters_and_the_latest_response(
        app, client, make_user, make_idea, make_comment):
    officer = make_moderator(make_user)
    amina = make_user("amina")
    fridge = make_idea(author=amina, title="A community fridge")
    plain = make_idea(title="More benches")
    place(app, fridge, area="Elm Park", topics=["Food", "Environment"])
    supporters = [make_user(), make_user()]
    with app.app_context():
        idea = db.session.get(Idea, fridge.id)
        for supporter in supporters:
            idea.toggle_support(db.session.get(User, supporter.id))
        db.session.commit()
    make_comment(on=fridge)
    answer(app, fridge, officer, "under_consideration", "We are looking at it.",
           at=datetime(2026, 3, 1, 9, 0))
    answer(app, fridge, officer, "in_progress", "The fridge arrives in May.",
           at=datetime(2026, 3, 8, 10, 30))

    response = client.get("/data/ideas.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=ideas.csv"
    rows = rows_of(response)
    assert [row["id"] for row in rows] == [str(fridge.id), str(plain.id)]
    assert rows[0] == {
        "id": str(fridge.id),
        "title": "A community fridge",
        "url": f"http://localhost/ideas/{fridge.id}",
        "author": "amina",
        "created_at": fridge.created_at.isoformat(timespec="seconds") + "Z",
        "status": "in_progress",
        "area": "Elm Park",
        "topics": "Environment; Food",
        "supporters_count": "2",
        "comments_count": "1",
        "official_response": "The fridge arrives in May.",
        "official_response_at": "2026-03-08T10:30:00Z",
    }
    assert rows[1]["status"] == "new" and rows[1]["topics"] == rows[1]["area"] == ""
    assert rows[1]["official_response"] == rows[1]["official_response_at"] == ""


def test_ideas_json_holds_the_same_as_the_csv(app, client, make_user, make_idea):
    officer = make_moderator(make_user)
    first = make_idea(title="Street trees")
    make_idea(title="A repair café")
    place(app, first, area="Riverside", topics=["Environment", "Transport"])
    answer(app, first, officer, "done", "Planted in March.")

    response = client.get("/data/ideas.json")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Disposition"] == "attachment; filename=ideas.json"
    body = response.json
    assert body["licence"] == {"name": "Open Government Licence v3.0", "url": OGL_URL}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["generated_at"])
    assert body["ideas"][0]["topics"] == ["Environment", "Transport"]

    def as_csv_cell(value):
        return "; ".join(value) if isinstance(value, list) else "" if value is None else str(value)

    from_json = [{key: as_csv_cell(value) for key, value in idea.items()} for idea in body["ideas"]]
    assert from_json == rows_of(client.get("/data/ideas.csv"))


# --- Help requests -----------------------------------------------------------------------


def test_help_request_downloads_hold_skills_status_and_offers(
        app, client, make_user, make_idea, make_help_request, make_offer):
    sam = make_user("sam")
    idea = make_idea(author=sam, title="Benches by the pond")
    van = make_help_request(author=sam, title="A van on Saturday", skills=("van", "lifting"), idea=idea)
    place(app, van, area="Elm Park", topics=["Transport"])
    offers = [make_offer(van), make_offer(van)]
    with app.app_context():
        need = db.session.get(HelpRequest, van.id)
        need.accept(db.session.get(type(offers[0]), offers[0].id), by=db.session.get(User, sam.id))
        db.session.commit()
    unlinked = make_help_request(title="Someone to paint", skills=("painting",))

    response = client.get("/data/help-requests.csv")
    assert response.headers["Content-Disposition"] == "attachment; filename=help-requests.csv"
    rows = rows_of(response)
    assert rows[0] == {
        "id": str(van.id),
        "title": "A van on Saturday",
        "url": f"http://localhost/help/{van.id}",
        "author": "sam",
        "created_at": van.created_at.isoformat(timespec="seconds") + "Z",
        "status": "matched",
        "kind": "skills",
        "skills": "lifting; van",
        "area": "Elm Park",
        "topics": "Transport",
        "offers_count": "2",
        "comments_count": "0",
        "idea_id": str(idea.id),
    }
    assert (rows[1]["id"], rows[1]["status"], rows[1]["skills"], rows[1]["offers_count"],
            rows[1]["idea_id"]) == (str(unlinked.id), "open", "painting", "0", "")

    items = client.get("/data/help-requests.json").json["help_requests"]
    assert [(i["id"], i["status"], i["skills"], i["offers_count"], i["idea_id"]) for i in items] == [
        (van.id, "matched", ["lifting", "van"], 2, idea.id),
        (unlinked.id, "open", ["painting"], 0, None),
    ]


# --- What never leaves the board ---------------------------------------------------------


def test_hidden_and_deleted_posts_never_appear_in_any_download(
        app, client, make_user, make_idea, make_help_request):
    author = make_user()
    shown = make_idea(author=author, title="Shown idea")
    hidden_idea = make_idea(author=author, title="Hidden idea")
    deleted_idea = make_idea(author=author, title="Deleted idea")
    hidden_request = make_help_request(author=author, title="Hidden request")
    # Linked to a hidden idea: the request shows, the link does not.
    linked = make_help_request(author=author, title="Shown request", idea=hidden_idea)
    hide(app, hidden_idea)
    hide(app, hidden_request)
    with app.app_context():
        db.session.delete(db.session.get(Idea, deleted_idea.id))
        db.session.commit()

    downloads = all_downloads(client)
    for url, body in downloads.items():
        for title in (b"Hidden idea", b"Deleted idea", b"Hidden request"):
            assert title not in body, (url, title)
    assert [row["title"] for row in rows_of(client.get("/data/ideas.csv"))] == ["Shown idea"]
    requests = rows_of(client.get("/data/help-requests.csv"))
    assert [(r["id"], r["idea_id"]) for r in requests] == [(str(linked.id), "")]
    month = client.get("/data/statistics.json").json["months"][-1]
    assert (month["ideas_posted"], month["help_requests_posted"]) == (1, 1)
    assert shown.id in [i["id"] for i in client.get("/data/ideas.json").json["ideas"]]


def test_no_email_address_or_erased_username_appears_in_any_download(
        app, client, make_user, make_idea, make_help_request, make_offer, make_comment):
    officer = make_moderator(make_user)
    author = make_user("writer", email="writer@example.org")
    gone = make_user("gone_person", email="gone@example.org")
    idea = make_idea(author=author)
    kept = make_idea(author=gone, title="Kept after erasure")
    need = make_help_request(author=author, idea=idea)
    make_offer(need, make_user(email="helper@example.org"), message="Mail me at helper@example.org")
    make_comment(on=idea, body="Ask me: writer@example.org")
    answer(app, idea, officer, "under_consideration", "Thank you.")
    with app.app_context():
        db.session.get(User, gone.id).erased_at = utcnow()
        db.session.commit()

    for url, body in all_downloads(client).items():
        assert b"@example.org" not in body, url
        assert b"gone_person" not in body, url
    ideas = {row["id"]: row for row in rows_of(client.get("/data/ideas.csv"))}
    assert ideas[str(kept.id)]["author"] == "" and ideas[str(idea.id)]["author"] == "writer"


# --- Formula injection ---------------------------------------------------------------------


def test_cells_that_could_start_a_formula_are_neutralised():
    for dangerous in ("=1+1", "+1", "-1", "@SUM(1)", "\tcmd", "\rcmd",
                      '=HYPERLINK("http://evil","x")'):
        assert neutralise(dangerous) == "'" + dangerous
    for safe in ("A fridge", "1 + 1", "e=mc2", "", " =padded", "'quoted"):
        assert neutralise(safe) == safe
    assert neutralise(-3) == -3 and neutralise(None) is None


def test_csv_downloads_neutralise_formulas_in_titles_topics_and_skills(
        app, client, make_idea, make_help_request):
    title = '=HYPERLINK("http://evil","x")'
    idea = make_idea(title=title)
    place(app, idea, topics=["@SUM(1)", "Parks"])
    make_help_request(title="-2+3 volunteers", skills=("+cmd",))

    row = rows_of(client.get("/data/ideas.csv"))[0]
    assert row["title"] == "'" + title
    assert row["topics"] == "'@SUM(1); Parks"
    request_row = rows_of(client.get("/data/help-requests.csv"))[0]
    assert request_row["title"] == "'-2+3 volunteers" and request_row["skills"] == "'+cmd"
    # JSON is read by programs, not spreadsheets: it keeps the text as written.
    assert client.get("/data/ideas.json").json["ideas"][0]["title"] == title


# --- Statistics ----------------------------------------------------------------------------


def test_statistics_count_ideas_posted_and_answered_each_month_with_the_median_wait(
        app, client, make_user, make_idea, make_help_request):
    officer = make_moderator(make_user)
    posted = {
        "quick": datetime(2025, 1, 5, 12, 0),
        "slow": datetime(2025, 1, 10, 12, 0),
        "slower": datetime(2025, 1, 20, 0, 0),
        "waiting": datetime(2025, 2, 3, 8, 0),
        "hidden": datetime(2025, 1, 6, 8, 0),
    }
    ideas = {name: make_idea(title=name) for name in posted}
    request = make_help_request()
    with app.app_context():
        for name, moment in posted.items():
            db.session.get(Idea, ideas[name].id).created_at = moment
        db.session.get(HelpRequest, request.id).created_at = datetime(2025, 2, 14)
        db.session.commit()
    answer(app, ideas["quick"], officer, "under_consideration", "", at=datetime(2025, 1, 7, 12, 0))
    # A second answer is not a first answer: February does not count it.
    answer(app, ideas["quick"], officer, "done", "Done.", at=datetime(2025, 2, 10))
    answer(app, ideas["slow"], officer, "in_progress", "", at=datetime(2025, 2, 14, 12, 0))
    answer(app, ideas["slower"], officer, "done", "", at=datetime(2025, 2, 21, 9, 36))
    answer(app, ideas["hidden"], officer, "done", "", at=datetime(2025, 1, 8, 8, 0))
    hide(app, ideas["hidden"])

    rows = rows_of(client.get("/data/statistics.csv"))
    assert rows[0] == {"month": "2025-01", "ideas_posted": "3", "ideas_answered": "1",
                       "median_days_to_answer": "2.0", "help_requests_posted": "0"}
    # 35 and 32.4 days: the median is 33.7.
    assert rows[1] == {"month": "2025-02", "ideas_posted": "1", "ideas_answered": "2",
                       "median_days_to_answer": "33.7", "help_requests_posted": "1"}
    assert rows[2] == {"month": "2025-03", "ideas_posted": "0", "ideas_answered": "0",
                       "median_days_to_answer": "", "help_requests_posted": "0"}
    now = utcnow()
    assert rows[-1]["month"] == f"{now.year:04d}-{now.month:02d}"
    assert len(rows) == (now.year - 2025) * 12 + now.month

    months = client.get("/data/statistics.json").json["months"]
    assert months[1] == {"month": "2025-02", "ideas_posted": 1, "ideas_answered": 2,
                         "median_days_to_answer": 33.7, "help_requests_posted": 1}
    assert months[2]["median_days_to_answer"] is None


# --- Streaming, and a big board ------------------------------------------------------------


def test_downloads_stream_to_anyone_and_only_answer_get(client, make_idea):
    make_idea()
    for name in DOWNLOADS:
        for ext in ("csv", "json"):
            with client.get(f"/data/{name}.{ext}") as response:
                assert response.status_code == 200
                assert response.is_streamed
                assert response.headers["Link"] == f'<{OGL_URL}>; rel="license"'
            assert client.post(f"/data/{name}.{ext}").status_code == 405
    assert client.get("/data/everything.csv").status_code == 404
    assert client.get("/data/ideas.xml").status_code == 404


def test_an_empty_board_downloads_headers_and_empty_lists(client):
    assert client.get("/data/ideas.csv").get_data(as_text=True) == (
        "id,title,url,author,created_at,status,area,topics,supporters_count,comments_count,"
        "official_response,official_response_at\r\n")
    assert rows_of(client.get("/data/statistics.csv")) == []
    assert client.get("/data/help-requests.json").json["help_requests"] == []
    assert client.get("/data/statistics.json").json["months"] == []


def test_a_board_of_2500_ideas_exports_every_row_in_a_few_queries_per_thousand(
        app, client, make_user):
    author = make_user()
    start = datetime(2025, 6, 1)
    with app.app_context():
        topic = Topic.named("Parks")
        db.session.add(topic)
        db.session.flush()
        db.session.execute(insert(Idea), [
            {"title": f"Idea {n}", "body": "Text", "body_html": "<p>Text</p>",
             "author_id": author.id, "created_at": start + timedelta(minutes=n),
             "last_activity_at": start + timedelta(minutes=n)}
            for n in range(2500)
        ])
        ids = db.session.scalars(db.select(Idea.id)).all()
        db.session.execute(insert(idea_topics), [{"idea_id": i, "topic_id": topic.id} for i in ids])
        db.session.commit()

    with count_queries(app) as queries:
        response = client.get("/data/ideas.csv")
        rows = rows_of(response)
    assert len(rows) == 2500
    assert len({row["id"] for row in rows}) == 2500
    assert rows[-1]["title"] == "Idea 2499" and rows[-1]["topics"] == "Parks"
    # Three batches of up to 1,000, each with its topics and official responses,
    # and the board's settings: not one query per row.
    assert len(queries) <= 12, queries

    with count_queries(app) as queries:
        items = client.get("/data/ideas.json").json["ideas"]
    assert len(items) == 2500 and len(queries) <= 12
