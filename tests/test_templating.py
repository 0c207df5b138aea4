"""Addresses the templates and the API build: the same as Flask's url_for gives, every time."""

from __future__ import annotations

import pytest
from flask import url_for

from board.templating import remembered_url_for

AWKWARD_WORDS = ["neighbour1", "first aid/CPR", "café & crêpes", "a b+c", "50%?x=1#top", "Ŵyn", "'quoted'"]

ASKED = [
    ("ideas.detail", {"idea_id": 1}),
    ("ideas.detail", {"idea_id": 2_147_483_647}),
    ("ideas.detail", {"idea_id": 5, "_anchor": "comment-7"}),
    ("ideas.detail", {"idea_id": 5, "_external": True}),
    ("ideas.index", {"sort": "popular", "page": 3}),
    ("ideas.index", {"page": 3, "sort": "popular"}),
    ("ideas.index", {"page": "3"}),
    ("help.index", {"page": 2, "status": "open"}),
    ("feeds.idea_activity", {"idea_id": 9, "_external": True}),
    ("languages.choose", {"code": "cy", "next": "/ideas?page=2&sort=popular"}),
    ("languages.choose", {"code": "xx", "next": "/"}),
    ("home.index", {}),
    ("home.index", {"_external": True}),
    ("static", {"filename": "css/board.css"}),
    *[("people.profile", {"username": word}) for word in AWKWARD_WORDS],
    *[("people.skill", {"name": word}) for word in AWKWARD_WORDS],
    *[("auth.login", {"next": word}) for word in AWKWARD_WORDS],
    *[("ideas.index", {"topic": word, "page": 2}) for word in AWKWARD_WORDS],
]


def flask_would_give(endpoint, values):
    try:
        return url_for(endpoint, **values)
    except Exception as error:  # noqa: BLE001 - the same failure is what is compared
        return type(error)


def remembered(endpoint, values):
    try:
        return remembered_url_for(endpoint, **values)
    except Exception as error:  # noqa: BLE001
        return type(error)


@pytest.mark.parametrize("host", ["localhost", "board.example.org:8443"])
def test_every_address_is_the_one_flask_builds_the_first_time_and_after(app, host):
    scheme = "https" if ":" in host else "http"
    with app.test_request_context("/", base_url=f"{scheme}://{host}/"):
        for round_ in range(2):
            for endpoint, values in ASKED:
                expected = flask_would_give(endpoint, values)
                assert remembered(endpoint, values) == expected, (round_, endpoint, values)


def test_an_address_follows_its_values_not_the_first_ones_asked_for(app):
    with app.test_request_context("/"):
        first = remembered_url_for("people.skill", name="sewing")
        second = remembered_url_for("people.skill", name="first aid/CPR")
        by_number = remembered_url_for("ideas.index", sort="new", page=7)
        by_word = remembered_url_for("ideas.index", sort="new", page="seven")
    assert first == "/skills/sewing"
    assert second == "/skills/first%20aid/CPR"
    assert by_number == "/ideas?sort=new&page=7"
    assert by_word == "/ideas?sort=new&page=seven"


def test_a_value_flask_leaves_out_does_not_stop_later_addresses_being_right(app):
    with app.test_request_context("/"):
        assert remembered_url_for("ideas.index", topic=None, page=2) == url_for("ideas.index", topic=None, page=2)
        assert remembered_url_for("ideas.index", topic="parks", page=2) == "/ideas?topic=parks&page=2"
        assert remembered_url_for("ideas.index", topic="parks", page=3) == "/ideas?topic=parks&page=3"


WRITTEN_WHOLE = ("{{ url_for('static', filename='css/board.css') }}|{{ url_for('ideas.index') }}|"
                 "{{ url_for('ideas.index', sort='popular', page=2) }}|{{ url_for('people.skill', name='first aid/CPR') }}")


@pytest.mark.parametrize("root", ["", "/board"])
def test_an_address_written_whole_in_a_template_is_the_one_flask_builds_under_any_root(app, root):
    # Built once as the template is compiled, at whichever root asks first: both orders.
    for asked_at in (root, "/elsewhere" if root else "/board", root):
        with app.test_request_context("/", base_url=f"http://localhost{asked_at}/"):
            rendered = app.jinja_env.from_string(WRITTEN_WHOLE).render()
            expected = "|".join([url_for("static", filename="css/board.css"), url_for("ideas.index"),
                                 url_for("ideas.index", sort="popular", page=2),
                                 url_for("people.skill", name="first aid/CPR")]).replace("&", "&amp;")
        assert rendered == expected
        assert rendered.startswith(f"{asked_at}/static/css/board.css|{asked_at}/ideas|")


def test_a_board_served_under_a_path_links_every_page_under_it(client):
    page = client.get("/ideas", base_url="http://localhost/board/")
    assert page.status_code == 200
    assert 'href="/board/static/css/board.css"' in page.text
    assert 'href="/board/ideas" aria-current="page"' in page.text
    assert 'href="/board/privacy"' in page.text
    assert 'href="/ideas"' not in page.text
