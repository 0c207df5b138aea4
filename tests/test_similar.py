"""Before an idea is posted, the ideas like it: found by full-text search on either
engine, shown in a step that keeps everything typed, and never in the way of posting."""

from __future__ import annotations

from sqlalchemy import select

from board.extensions import db
from board.ideas.similar import meaningful_words, similar_ideas
from board.models import Idea, IdeaStatus, Support, utcnow
from helpers import count_rows, input_value, text_of, textarea_value


def _set(app, idea, **values):
    with app.app_context():
        row = db.session.get(Idea, idea.id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def _titles(app, title, description=""):
    with app.app_context():
        return [idea.title for idea in similar_ideas(title, description)]


def test_the_meaningful_words_leave_out_stop_words_and_repeats():
    assert meaningful_words("A bench for the park", "The park needs a BENCH and shade.") == [
        "bench", "park", "shade"]


def test_similar_ideas_are_found_by_the_words_of_the_title_and_description(app, make_idea):
    make_idea(title="Benches in Victoria Park", body="Somewhere to sit near the pond.")
    make_idea(title="A community fridge", body="Share food, waste less.")
    assert _titles(app, "More benches please") == ["Benches in Victoria Park"]
    assert _titles(app, "Something else", "Food that would be wasted") == ["A community fridge"]
    assert _titles(app, "Street lights", "Brighter lamps on dark corners") == []


def test_open_ideas_come_before_closed_ones(app, make_idea):
    done = make_idea(title="Benches by the pond", body="Benches benches benches.")
    open_one = make_idea(title="A swing in the park", body="Near the benches.")
    _set(app, done, status=IdeaStatus.DONE)
    assert _titles(app, "Benches by the pond") == [open_one.title, done.title]


def test_hidden_and_joined_ideas_are_never_shown(app, make_idea):
    hidden = make_idea(title="Benches by the pond")
    joined = make_idea(title="Benches near the pond")
    target = make_idea(title="Seats by the water")
    _set(app, hidden, hidden_at=utcnow())
    _set(app, joined, status=IdeaStatus.DUPLICATE, duplicate_of_id=target.id)
    assert _titles(app, "Benches by the pond") == []


def test_at_most_the_setting_s_number_of_ideas_is_shown(app, make_idea):
    for number in range(4):
        make_idea(title=f"Benches number {number}")
    app.config["SIMILAR_IDEAS_SHOWN"] = 2
    assert len(_titles(app, "Benches")) == 2


def test_posting_with_nothing_similar_posts_at_once(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = client.post("/ideas/new", data={"title": "Street lights", "description": "Brighter lamps."})
    assert response.status_code == 302
    assert count_rows(app, Idea) == 1


def test_the_similar_ideas_step_shows_them_and_keeps_what_i_typed(app, client, make_user, make_idea, auth):
    other = make_idea(title="Benches in Victoria Park", body="Somewhere to sit.")
    auth.sign_in(make_user())
    typed = {"title": "Benches by the pond", "description": "Three benches, **by the water**.\nPlease."}
    response = client.post("/ideas/new", data=typed)
    assert response.status_code == 200
    assert count_rows(app, Idea) == 1  # nothing posted yet
    page = text_of(response)
    assert "Ideas like yours are already on the board" in page
    assert "Benches in Victoria Park" in page and "0 supporters" in page
    html = response.get_data(as_text=True)
    assert f'href="/ideas/{other.id}"' in html
    assert f'action="/ideas/{other.id}/support"' in html
    assert f'href="/ideas/{other.id}#comments-heading"' in html
    assert input_value(response, "title") == typed["title"]
    assert textarea_value(response, "description") == typed["description"]
    assert input_value(response, "similar_seen") == "1"
    assert "Post mine anyway" in page


def test_post_mine_anyway_posts_the_idea(app, client, make_user, make_idea, auth):
    make_idea(title="Benches in Victoria Park")
    auth.sign_in(make_user())
    response = client.post("/ideas/new", data={
        "title": "Benches by the pond", "description": "Three benches.", "similar_seen": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Idea).order_by(Idea.id.desc())).title == "Benches by the pond"


def test_a_form_with_mistakes_shows_its_errors_before_any_similar_ideas(client, make_user, make_idea, auth):
    make_idea(title="Benches in Victoria Park")
    auth.sign_in(make_user())
    response = client.post("/ideas/new", data={"title": "Benches", "description": ""})
    assert response.status_code == 422
    assert "Ideas like yours" not in text_of(response)
    assert input_value(response, "title") == "Benches"


def test_supporting_one_instead_supports_it_and_posts_nothing(app, client, make_user, make_idea, auth):
    other = make_idea(title="Benches in Victoria Park")
    me = make_user()
    auth.sign_in(me)
    client.post("/ideas/new", data={"title": "Benches by the pond", "description": "Three benches."})
    response = client.post(f"/ideas/{other.id}/support")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{other.id}#support"
    assert count_rows(app, Idea) == 1
    assert count_rows(app, Support, Support.user_id == me.id, Support.idea_id == other.id) == 1


def test_an_idea_i_support_already_says_so_instead_of_a_button(client, make_user, make_idea, auth, app):
    other = make_idea(title="Benches in Victoria Park")
    me = make_user()
    auth.sign_in(me)
    client.post(f"/ideas/{other.id}/support")
    response = client.post("/ideas/new", data={"title": "Benches by the pond", "description": "Benches."})
    assert "You support this idea." in text_of(response)
    assert f'action="/ideas/{other.id}/support"' not in response.get_data(as_text=True)


def test_the_form_s_script_gets_the_same_similar_ideas_as_json(app, client, make_idea):
    other = make_idea(title="Benches in Victoria Park")
    response = client.get("/ideas/similar.json?title=Benches+by+the+pond&description=")
    assert response.status_code == 200
    assert response.json == {"ideas": [{
        "id": other.id, "title": "Benches in Victoria Park", "url": f"/ideas/{other.id}",
        "status": "new", "summary": "New · 0 supporters"}]}
    assert client.get("/ideas/similar.json").json == {"ideas": []}
    assert client.get("/ideas/similar.json?title=" + "x" * 100_000).status_code == 200


def test_the_new_idea_form_has_a_place_for_ideas_found_as_i_type(client, make_user, auth):
    auth.sign_in(make_user())
    html = client.get("/ideas/new").get_data(as_text=True)
    assert 'data-similar-url="/ideas/similar.json"' in html and "js/similar.js" in html
