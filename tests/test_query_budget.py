"""Every page makes a small, fixed number of SQL queries, whatever the number of rows it shows.

Each page is requested on a board with one of everything and on a board with many,
and must make the same number of queries on both, within its budget. A query run
once per row (N+1) shows up here as a difference between the two boards.
"""

from __future__ import annotations

import pytest

from board.extensions import db
from board.models import DuplicateProposal, HelpRequest, Idea, IdeaStatus, User, utcnow
from board.photos import add_photo, remake
from helpers import PASSWORD_HASH, count_queries, make_test_app

MANY = 50

# page -> at most this many queries, loading the signed-in person included. Not counted:
# the settings' version stamp, which every request reads through the database driver
# alone, on the request's connection or, before it has one, on its own (tests/test_page_cache.py
# checks it is all a kept page asks of the database).
BUDGETS = {
    "/": 5,
    "/ideas": 2,
    "/ideas?sort=popular": 2,
    "/ideas?page=99": 4,  # past the end: a count, then the last page
    # With its photos, help requests and the team helping: a post reads each only when its
    # own row says there are some (the boards here have all three). Topics come with the post.
    "/ideas/{idea}": 8,
    "/ideas/{idea}/edit": 6,  # one more: the idea's photos, which the form offers to remove
    "/help": 3,
    "/help?status=open": 3,
    "/help/{request}": 6,  # with its photos, as above
    "/help/new": 4,
    "/ideas/new": 3,
    "/users/owner": 7,
    "/dashboard": 6,
    "/account": 5,
    "/notifications": 3,
    "/account/notifications": 2,
    "/comments/{comment}/edit": 3,
    "/search?q=idea": 3,
    "/skills/van": 5,
    "/ideas?sort=trending": 2,
    "/help?skill=van&status=open": 4,
    "/stats": 9,
    "/ideas?clock=awaiting": 2,
    "/ideas?sort=waiting": 2,
}


def _a_picture() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def build_board(path, rows: int):
    """A board where the owner has `rows` of everything on each page."""
    app = make_test_app(path)
    with app.app_context():
        db.create_all()
        owner = User(username="owner", email="owner@example.org", password_hash=PASSWORD_HASH)
        people = [
            User(username=f"neighbour{i}", email=f"n{i}@example.org", password_hash=PASSWORD_HASH)
            for i in range(rows)
        ]
        db.session.add_all([owner, *people])
        db.session.flush()
        owner.set_skills(["carpentry", "van"])
        ideas = [Idea.post(owner, f"Idea {i}", "Some **detail**.") for i in range(rows)]
        idea = ideas[0]
        requests = [
            HelpRequest.post(owner, f"Request {i}", "Details.", ["van", f"skill {i}"], idea=idea)
            for i in range(rows)
        ]
        help_request = requests[0]
        # A photo on every idea and request: cards show the first one small.
        photo = remake(_a_picture())
        for post in (*ideas, *requests):
            add_photo(post, photo, f"Photo of {post.title}", by=owner)
        for person in people:
            idea.toggle_support(person)
            idea.add_comment(person, "Count me in.")
            help_request.add_comment(person, "Me too.")
            offer = help_request.make_offer(person, "I can help.")
            if person is people[0]:
                help_request.accept(offer, by=owner)
            # Offers the owner made, so their dashboard and profile list many.
            theirs = HelpRequest.post(person, f"Their request {person.id}", "Details.", ["van"])
            theirs.make_offer(owner, "Happy to.")
            # Ideas said to duplicate the owner's: one waiting for them, one joined with it.
            waiting, joined = (Idea.post(person, f"Same as idea 0, {n}", "Yes.") for n in (1, 2))
            joined.status, joined.duplicate_of_id = IdeaStatus.DUPLICATE, idea.id
            db.session.add_all([
                DuplicateProposal(idea=waiting, target=idea, proposed_by=person),
                DuplicateProposal(idea=joined, target=idea, proposed_by=person, decided_at=utcnow(),
                                  decision="accepted", decided_by=owner),
            ])
        comment = idea.add_comment(owner, "Thanks all.")
        db.session.commit()
        ids = {"idea": idea.id, "request": help_request.id, "comment": comment.id,
               "owner": owner.get_id()}
    return app, ids


@pytest.fixture(scope="module")
def boards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("budget")
    return {rows: build_board(folder / f"board{rows}.db", rows) for rows in (1, MANY)}


def queries_for(app, ids, page: str) -> int:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = ids["owner"]
    url = page.format(**ids)
    client.get(url)  # warm up: first requests load things once per process
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.mark.parametrize("page", BUDGETS)
def test_every_page_makes_a_fixed_small_number_of_queries(boards, page):
    few = queries_for(*boards[1], page)
    many = queries_for(*boards[MANY], page)
    assert few == many, f"{page}: {few} queries with 1 row, {many} with {MANY}"
    assert many <= BUDGETS[page], f"{page}: {many} queries, budget {BUDGETS[page]}"
