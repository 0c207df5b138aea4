"""The read-only JSON API: filters and sorts as on the lists, cursors, conditional
requests, CORS, rate limits, and nothing private ever in it."""

from __future__ import annotations

import pytest

from board.extensions import db
from board.models import Area, HelpRequest, Idea, Topic, User, utcnow
from helpers import make_test_app


def ids(response) -> list[int]:
    return [item["id"] for item in response.json["data"]]


def test_ideas_list_newest_first_with_authors_and_no_email(client, make_user, make_idea):
    amina = make_user(display_name="Amina")
    first = make_idea(author=amina, title="Fridge")
    second = make_idea(title="Benches")
    response = client.get("/api/v1/ideas")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert ids(response) == [second.id, first.id]
    fridge = response.json["data"][1]
    assert fridge["author"]["name"] == "Amina" and fridge["author"]["username"] == amina.username
    assert fridge["url"].endswith(f"/ideas/{first.id}")
    assert "@" not in response.get_data(as_text=True)


def test_ideas_filter_and_sort_like_the_list(app, client, make_user, make_idea):
    with app.app_context():
        db.session.add_all([Topic.named("Transport"), Area.named("Elm Park")])
        db.session.commit()
    plain = make_idea(title="Plain")
    placed = make_idea(title="Placed")
    with app.app_context():
        idea = db.session.get(Idea, placed.id)
        idea.place(Area.by_slug("elm-park"), [Topic.by_slug("transport")])
        idea.status = "done"
        supporters = [User(username=f"fan{i}", email=f"fan{i}@example.org", password_hash="x")
                      for i in range(2)]
        db.session.add_all(supporters)
        db.session.flush()
        for supporter in supporters:
            idea.toggle_support(supporter)
        db.session.commit()
    assert ids(client.get("/api/v1/ideas?topic=transport")) == [placed.id]
    assert ids(client.get("/api/v1/ideas?area=elm-park&status=done")) == [placed.id]
    assert ids(client.get("/api/v1/ideas?status=new")) == [plain.id]
    assert ids(client.get("/api/v1/ideas?sort=popular")) == [placed.id, plain.id]
    assert ids(client.get("/api/v1/ideas?sort=trending")) == [placed.id, plain.id]
    assert ids(client.get("/api/v1/ideas?sort=trending&status=new")) == [plain.id]
    assert ids(client.get("/api/v1/ideas?topic=no-such-topic")) == []


def test_bad_parameters_get_400_with_a_json_message(client):
    for query in ("limit=0", "limit=101", "limit=ten", "limit=", "limit=1&limit=2", "sort=random",
                  "status=maybe", "cursor=not-a-cursor"):
        response = client.get(f"/api/v1/ideas?{query}")
        assert response.status_code == 400, query
        assert response.json["error"]["status"] == 400
    assert client.get("/api/v1/ideas/999").json["error"]["status"] == 404


def test_cursors_stay_stable_while_new_ideas_arrive(client, make_idea):
    made = [make_idea(title=f"Idea {i}") for i in range(5)]
    first = client.get("/api/v1/ideas?limit=2")
    assert ids(first) == [made[4].id, made[3].id]
    next_url = first.json["links"]["next"]
    assert first.headers["Link"] == f'<{next_url}>; rel="next"'
    make_idea(title="Newer than all")  # arrives while someone pages through
    second = client.get(next_url)
    assert ids(second) == [made[2].id, made[1].id]
    third = client.get(second.json["links"]["next"])
    assert ids(third) == [made[0].id]
    assert third.json["links"]["next"] is None and "Link" not in third.headers


def test_cursors_work_for_every_sort(client, make_idea):
    made = [make_idea(title=f"Idea {i}") for i in range(5)]
    for sort in ("new", "popular", "active", "trending"):
        seen, url = [], f"/api/v1/ideas?sort={sort}&limit=2"
        while url:
            response = client.get(url)
            seen += ids(response)
            url = response.json["links"]["next"]
        assert sorted(seen) == sorted(i.id for i in made), sort
        assert len(seen) == len(set(seen)), sort


def test_trending_pages_through_every_idea_latest_supported_first_without_gaps_or_repeats(
    app, client, make_user, make_idea
):
    made = [make_idea(title=f"Idea {i}") for i in range(7)]
    fan = make_user()
    with app.app_context():
        for n in (2, 5, 0, 3):  # supported in this order: the last supported comes first
            db.session.get(Idea, made[n].id).toggle_support(db.session.get(User, fan.id))
            db.session.commit()
    expected = [made[n].id for n in (3, 0, 5, 2, 6, 4, 1)]
    for limit in (1, 2, 3, 4, 10):
        seen, url = [], f"/api/v1/ideas?sort=trending&limit={limit}"
        while url:
            response = client.get(url)
            assert response.status_code == 200
            seen += ids(response)
            url = response.json["links"]["next"]
        assert seen == expected, limit


def test_conditional_requests_get_304(client, make_idea, make_comment):
    idea = make_idea()
    response = client.get(f"/api/v1/ideas/{idea.id}")
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert client.get(f"/api/v1/ideas/{idea.id}", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/api/v1/ideas/{idea.id}",
                      headers={"If-Modified-Since": modified}).status_code == 304
    make_comment(on=idea)
    changed = client.get(f"/api/v1/ideas/{idea.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["comments_count"] == 1


def test_cors_is_open_for_reading(client, make_idea):
    make_idea()
    response = client.get("/api/v1/ideas", headers={"Origin": "https://maps.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/ideas", headers={
        "Origin": "https://maps.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match",
    })
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "if-none-match" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert client.post("/api/v1/ideas").status_code == 405


def test_the_api_is_rate_limited_per_client_with_retry_after(tmp_path):
    app = make_test_app(tmp_path / "board.db", RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/topics").status_code == 200
    response = client.get("/api/v1/topics")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["status"] == 429
    other = app.test_client()
    assert other.get("/api/v1/topics", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_an_idea_lists_its_official_responses_latest_first_and_its_visible_help_requests(
    app, client, make_user, make_idea, make_help_request
):
    quiet = make_idea(title="Quiet")
    author = make_user()
    idea = make_idea(author=author, title="Crossing")
    officer = make_user("officer", display_name="Council Officer", role="moderator")
    needed = make_help_request(author=author, title="Lollipop person", idea=idea)
    hidden = make_help_request(author=author, title="Gone", idea=idea)
    with app.app_context():
        answered = db.session.get(Idea, idea.id)
        by = db.session.get(User, officer.id)
        answered.answer("under_consideration", "We are looking at it.", by=by)
        answered.answer("in_progress", "Works start in May.", by=by)
        db.session.get(HelpRequest, hidden.id).hidden_at = utcnow()
        db.session.commit()

    body = client.get(f"/api/v1/ideas/{idea.id}").json
    assert [(r["status"], r["response"], r["by"]["name"]) for r in body["official_responses"]] == [
        ("in_progress", "Works start in May.", "Council Officer"),
        ("under_consideration", "We are looking at it.", "Council Officer"),
    ]
    assert [r["id"] for r in body["help_requests"]] == [needed.id]
    assert body["status"] == "in_progress"

    nothing = client.get(f"/api/v1/ideas/{quiet.id}").json
    assert nothing["official_responses"] == [] and nothing["help_requests"] == []


def test_addresses_follow_the_host_and_scheme_each_request_asked_for(client, make_user, make_idea):
    # The API's full addresses are remembered per worker (board/templating.py): a board
    # reached by two names must give each asker addresses on the name they used.
    idea = make_idea(author=make_user("amina"))
    for base in ("http://localhost", "https://ideas.example.org", "http://localhost"):
        body = client.get("/api/v1/ideas", base_url=base).json
        item = body["data"][0]
        assert item["url"] == f"{base}/ideas/{idea.id}"
        assert item["api_url"] == f"{base}/api/v1/ideas/{idea.id}"
        assert item["author"]["url"] == f"{base}/users/amina"


def test_hidden_content_never_appears(app, client, make_user, make_idea, make_comment, make_help_request):
    idea = make_idea(title="Visible idea")
    hidden = make_idea(title="Hidden idea")
    comment = make_comment(on=idea, body="Hidden comment")
    make_comment(on=idea, body="Shown comment")
    hidden_request = make_help_request(title="Hidden request")
    with app.app_context():
        for model, thing in ((Idea, hidden), (HelpRequest, hidden_request)):
            db.session.get(model, thing.id).hidden_at = utcnow()
        from board.models import Comment
        db.session.get(Comment, comment.id).hidden_at = utcnow()
        db.session.commit()
    everything = "".join(client.get(url).get_data(as_text=True) for url in (
        "/api/v1/ideas", f"/api/v1/ideas/{idea.id}", f"/api/v1/ideas/{idea.id}/comments",
        "/api/v1/help-requests", "/api/v1/ideas?sort=active"))
    assert "Visible idea" in everything and "Shown comment" in everything
    for secret in ("Hidden idea", "Hidden comment", "Hidden request"):
        assert secret not in everything
    assert client.get(f"/api/v1/ideas/{hidden.id}").status_code == 404
    assert client.get(f"/api/v1/help-requests/{hidden_request.id}").status_code == 404


def test_help_requests_filter_by_status_skill_and_kind(app, client, make_help_request):
    van = make_help_request(title="Van", skills=("van",))
    time = make_help_request(title="Time", skills=("patience",))
    with app.app_context():
        db.session.get(HelpRequest, time.id).kind = "time"
        db.session.get(HelpRequest, van.id).status = "closed"
        db.session.commit()
    assert ids(client.get("/api/v1/help-requests")) == [time.id, van.id]  # open first
    assert ids(client.get("/api/v1/help-requests?skill=VAN ")) == [van.id]
    assert ids(client.get("/api/v1/help-requests?kind=time")) == [time.id]
    assert ids(client.get("/api/v1/help-requests?status=closed")) == [van.id]
    item = client.get(f"/api/v1/help-requests/{van.id}").json
    assert item["skills"] == ["van"] and item["status"] == "closed"


def test_profiles_show_public_things_only(client, make_user):
    make_user(username="rosa", email="rosa@secret.example", bio="Gardener", display_name="Rosa")
    response = client.get("/api/v1/people/ROSA")
    assert response.status_code == 200
    assert response.json["name"] == "Rosa" and response.json["bio"] == "Gardener"
    assert "secret.example" not in response.get_data(as_text=True)
    assert client.get("/api/v1/people/nobody").status_code == 404


def test_private_messages_never_appear(client, auth, make_user, make_help_request, make_offer):
    requester = make_user()
    help_request = make_help_request(author=requester)
    offer = make_offer(help_request)
    auth.sign_in(requester)
    client.post(f"/help/{help_request.id}/offers/{offer.id}/accept")
    client.post(f"/help/{help_request.id}/offers/{offer.id}/messages", data={"body": "Private plan"})
    everything = "".join(client.get(url).get_data(as_text=True) for url in (
        "/api/v1/help-requests", f"/api/v1/help-requests/{help_request.id}",
        f"/api/v1/help-requests/{help_request.id}/comments"))
    assert "Private plan" not in everything


@pytest.mark.parametrize("path", ["/api/v1/topics", "/api/v1/areas", "/api/v1/statuses",
                                  "/api/v1/skills", "/api/v1/openapi.json"])
def test_the_small_lists_and_the_document_answer(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.is_json


def test_the_openapi_document_lists_every_operation(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/ideas", "/api/v1/ideas/{idea_id}", "/api/v1/help-requests",
            "/api/v1/people/{username}", "/api/v1/skills"} <= set(document["paths"])


def test_lists_carry_each_description_as_the_single_items_do_without_a_query_per_row(
    app, client, make_user, make_idea, make_help_request
):
    from helpers import count_queries

    author = make_user()
    make_idea(author, title="Fridge", body="Share **food**.")
    make_help_request(author, title="Van", body="Move _benches_.")
    for path, one in (("/api/v1/ideas", "/api/v1/ideas/{}"), ("/api/v1/help-requests", "/api/v1/help-requests/{}")):
        [item] = client.get(path).json["data"]
        single = client.get(one.format(item["id"])).json
        assert item["body"] == single["body"] and item["body_html"] == single["body_html"]
        assert "<strong>food</strong>" in item["body_html"] or "<em>benches</em>" in item["body_html"]
    with count_queries(app) as few:
        client.get("/api/v1/ideas")
    for number in range(5):
        make_idea(author, title=f"Idea {number}", body="More.")
    with count_queries(app) as many:
        client.get("/api/v1/ideas")
    assert len(many) == len(few)
    document = client.get("/api/v1/openapi.json").json
    for name in ("Idea", "HelpRequest"):
        assert {"body", "body_html"} <= set(document["components"]["schemas"][name]["properties"])


def test_the_api_front_door_links_every_list_the_openapi_document_and_the_licence(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    links = response.json["links"]
    for name, path in {"ideas": "/api/v1/ideas", "help_requests": "/api/v1/help-requests",
                       "topics": "/api/v1/topics", "areas": "/api/v1/areas",
                       "statuses": "/api/v1/statuses", "skills": "/api/v1/skills",
                       "openapi": "/api/v1/openapi.json"}.items():
        assert links[name] == f"http://localhost{path}"
        assert client.get(links[name]).status_code == 200, name
    assert response.json["licence"] == {"name": "Open Government Licence v3.0",
                                        "url": links["licence"]}
    assert links["licence"].startswith("https://")
    assert "/api/v1/" in client.get("/api/v1/openapi.json").json["paths"]
