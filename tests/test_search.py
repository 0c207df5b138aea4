"""Search: finding ideas, help requests and comments from the box in every page's header.

What a person sees: the result cards (their links, titles, <mark> highlights and
snippets), the filters that narrow them, the pages, and a helpful message instead
of an error whatever they type. The index is kept in step with every change, so
each test changes the board the way people do and searches again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import pytest

from board.extensions import db
from board.models import Area, Idea, IdeaStatus, Topic, User
from helpers import count_queries, text_of

GARDEN_TITLE = "A community garden"
GARDEN_BODY = "Grow vegetables together on the empty plot behind the library."


# --- Reading the results page ----------------------------------------------------


@dataclass
class Result:
    meta: str  # "Idea · by alice", "Comment on “…” · by bob"
    href: str
    title_html: str
    title: str
    snippet_html: str


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def results_html(response) -> str:
    """The list of result cards, or "" when the page shows none."""
    match = re.search(r'<ol class="cards search-results">(.*?)</ol>', response.get_data(as_text=True), re.S)
    return match.group(1) if match else ""


def results(response) -> list[Result]:
    """The result cards in the order the page shows them."""
    found = []
    for card in re.findall(r'<li class="card">(.*?)</li>', results_html(response), re.S):
        meta = re.search(r'<p class="card__meta">(.*?)</p>', card, re.S)
        link = re.search(r'<h3 class="card__title">\s*<a href="([^"]+)">(.*?)</a>', card, re.S)
        snippet = re.search(r'<p class="search-results__snippet">(.*?)</p>', card, re.S)
        assert meta and link and snippet, f"a result card is missing a part: {card}"
        found.append(Result(_plain(meta.group(1)), unescape(link.group(1)), link.group(2),
                            _plain(link.group(2)), snippet.group(1)))
    return found


def links(response) -> list[str]:
    return [result.href for result in results(response)]


def search(client, q, **params):
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200, f"/search?q={q!r} {params}: {response.status_code}"
    return response


def found(client, q, **params) -> list[str]:
    """The links of the results for this search."""
    return links(search(client, q, **params))


def idea_url(thing) -> str:
    return f"/ideas/{thing.id}"


def help_url(thing) -> str:
    return f"/help/{thing.id}"


def comment_url(thing) -> str:
    """A comment in its place: on its idea's or help request's page, at its anchor."""
    page = f"/ideas/{thing.idea_id}" if thing.idea_id else f"/help/{thing.help_request_id}"
    return f"{page}#comment-{thing.id}"


HELPFUL_MESSAGES = (
    "Type a word or two to find ideas, help requests and comments.",
    "We could not find any words to search for in",
    "Nothing matches",
)


def shows_a_helpful_message(response) -> bool:
    text = text_of(response)
    return any(message in text for message in HELPFUL_MESSAGES)


# --- Changing the board ------------------------------------------------------------


@pytest.fixture
def garden(make_idea):
    return make_idea(title=GARDEN_TITLE, body=GARDEN_BODY)


@pytest.fixture
def moderator(make_user):
    return make_user("mod", role="moderator")


def client_as(app, user):
    """A client of its own, signed in as this person (a User, or a user's id)."""
    if not isinstance(user, User):
        with app.app_context():
            user = db.session.get(User, user)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def make_label(app, model, name):
    with app.app_context():
        label = model.named(name)
        db.session.add(label)
        db.session.commit()
        return label.id, label.slug


def place(app, thing, area_id=None, topic_ids=()):
    with app.app_context():
        row = db.session.get(type(thing), thing.id)
        row.place(db.session.get(Area, area_id) if area_id else None,
                  [db.session.get(Topic, topic_id) for topic_id in topic_ids])
        db.session.commit()


def answer(app, idea, status, by):
    with app.app_context():
        db.session.get(Idea, idea.id).answer(status, "We looked at it.", db.session.get(User, by.id))
        db.session.commit()


def post_many_ideas(app, author, count, title, body="Plenty to say.", area_id=None, topic_ids=()):
    """`count` ideas by one author, in one go; their ids, oldest first."""
    with app.app_context():
        person = db.session.get(User, author.id)
        area = db.session.get(Area, area_id) if area_id else None
        topics = [db.session.get(Topic, topic_id) for topic_id in topic_ids]
        ideas = []
        for number in range(count):
            idea = Idea.post(person, f"{title} {number}", body)
            idea.place(area, topics)
            ideas.append(idea)
        db.session.commit()
        return [idea.id for idea in ideas]


def moderate_through_page(app, moderator, kind, thing, action):
    response = client_as(app, moderator).post(
        f"/moderation/{kind}/{thing.id}", data={"action": action, "reason": "Testing search."}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


# --- The search box in the header ----------------------------------------------------


def header_search_form(response) -> str:
    html = response.get_data(as_text=True)
    header = re.search(r'<header class="site-header">(.*?)</header>', html, re.S)
    assert header, "the page has no header"
    form = re.search(r'<form class="site-search"[^>]*>.*?</form>', header.group(1), re.S)
    assert form, "the header has no search form"
    return form.group(0)


@pytest.mark.parametrize("path", [
    "/", "/ideas", "/help", "/search", "/search?q=garden", "/login", "/register",
    "/code-of-conduct", "{idea}", "/no-such-page",
])
def test_every_page_has_a_labelled_search_box_in_its_header_that_submits_to_search(app, client, garden, path):
    path = path.format(idea=idea_url(garden))
    response = client.get(path)
    assert response.status_code == (404 if path == "/no-such-page" else 200), path
    form = header_search_form(response)
    assert re.search(r'<form[^>]*\baction="/search"', form)
    assert re.search(r'<form[^>]*\bmethod="get"', form)
    field = re.search(r'<input[^>]*\bname="q"[^>]*>', form)
    assert field, "the search form has no q field"
    field_id = re.search(r'\bid="([^"]+)"', field.group(0)).group(1)
    label = re.search(rf'<label[^>]*\bfor="{field_id}"[^>]*>(.*?)</label>', form, re.S)
    assert label and _plain(label.group(1)) == "Search the board"


def test_the_header_search_box_takes_people_to_their_results(client, garden):
    form = header_search_form(client.get("/"))
    action = re.search(r'\baction="([^"]+)"', form).group(1)
    name = re.search(r'<input[^>]*\bname="([^"]+)"', form).group(1)
    response = client.get(action, query_string={name: "garden"})  # what a browser sends
    assert response.status_code == 200
    assert links(response) == [idea_url(garden)]


# --- Finding things --------------------------------------------------------------


def test_a_search_for_a_word_in_a_title_finds_the_idea(client, garden, make_idea):
    make_idea(title="A repair café", body="Fix toasters and bikes.")
    response = search(client, "garden")
    [result] = results(response)
    assert result.href == idea_url(garden)
    assert result.title == GARDEN_TITLE
    assert result.meta.startswith("Idea")


def test_a_search_for_a_word_in_a_description_finds_the_idea(client, make_idea):
    idea = make_idea(title="Saturday mornings", body="Weeding the allotments with neighbours.")
    make_idea(title="A repair café", body="Fix toasters and bikes.")
    assert found(client, "allotments") == [idea_url(idea)]


def test_a_search_finds_help_requests_and_links_to_them(client, make_help_request):
    wanted = make_help_request(title="A ladder for the mural", body="Three metres at least.")
    make_help_request(title="A van on Saturday", body="To move benches.")
    [result] = results(search(client, "ladder"))
    assert result.href == help_url(wanted)
    assert result.title == "A ladder for the mural"
    assert result.meta.startswith("Help request")
    assert client.get(result.href).status_code == 200


def test_an_idea_result_links_to_the_ideas_page(client, garden):
    [href] = found(client, "garden")
    page = client.get(href)
    assert page.status_code == 200
    assert GARDEN_TITLE in text_of(page)


def test_a_search_finds_comments_on_ideas_and_the_result_names_the_idea(client, garden, make_comment):
    comment = make_comment(garden, body="I have spare compost bins.")
    [result] = results(search(client, "compost"))
    assert result.href == comment_url(comment)
    assert result.meta.startswith(f"Comment on “{GARDEN_TITLE}”")
    assert result.title == f"Comment on {GARDEN_TITLE}"
    assert "<mark>compost</mark>" in result.snippet_html


def test_a_comment_result_links_straight_to_the_comment_on_its_ideas_page(client, garden, make_comment):
    comment = make_comment(garden, body="I have spare compost bins.")
    [href] = found(client, "compost")
    assert href == f"/ideas/{garden.id}#comment-{comment.id}"
    page = client.get(href)
    assert page.status_code == 200
    assert f'id="comment-{comment.id}"' in page.get_data(as_text=True)
    assert "spare compost bins" in text_of(page)


def test_a_comment_result_in_a_long_discussion_links_to_the_page_it_is_on(app, client, garden, make_comment):
    app.config["COMMENTS_PER_PAGE"] = 2
    for _ in range(2):
        make_comment(garden, body="Lovely.")
    comment = make_comment(garden, body="I have spare compost bins.")
    [href] = found(client, "compost")
    assert href == f"/ideas/{garden.id}?page=2#comment-{comment.id}"
    assert "spare compost bins" in text_of(client.get(href))


def test_a_comment_on_a_help_request_is_found_and_leads_to_its_page(client, make_help_request, make_comment):
    wanted = make_help_request(title="A van on Saturday", body="To move benches.")
    comment = make_comment(wanted, body="My trailer could carry them.")
    [result] = results(search(client, "trailer"))
    assert result.href == f"/help/{wanted.id}#comment-{comment.id}"
    assert result.meta.startswith("Comment on “A van on Saturday”")
    page = client.get(result.href)
    assert page.status_code == 200 and "My trailer could carry them." in text_of(page)


def test_a_search_finds_every_kind_of_thing_that_mentions_the_word(client, garden, make_help_request, make_comment):
    wanted = make_help_request(title="Spades for the garden", body="Any size.")
    comment = make_comment(garden, body="The garden could have a pond.")
    unrelated = make_help_request(title="A van on Saturday", body="To move benches.")
    hrefs = found(client, "garden")
    assert sorted(hrefs) == sorted([idea_url(garden), help_url(wanted), comment_url(comment)])
    assert help_url(unrelated) not in hrefs


def test_a_search_needs_every_word_it_is_given(client, garden, make_idea):
    make_idea(title="A rooftop garden", body="On the car park.")
    assert found(client, "garden library") == [idea_url(garden)]


def test_a_search_that_matches_nothing_says_so(client, garden):
    response = search(client, "submarine")
    assert results(response) == []
    assert "Nothing matches “submarine”" in text_of(response)


def test_the_search_page_without_a_query_invites_people_to_type(client, garden):
    response = client.get("/search")
    assert response.status_code == 200
    assert results(response) == []
    assert "Type a word or two to find ideas, help requests and comments." in text_of(response)


# --- Ranking -------------------------------------------------------------------------


def test_an_idea_with_the_word_in_its_title_comes_before_one_with_it_only_in_its_body(client, make_idea):
    in_title = make_idea(title="Beehives on the roof", body="Honey for the street.")
    in_body = make_idea(title="Wildflower verges", body="Food for bees and beehives too.")
    assert found(client, "beehives") == [idea_url(in_title), idea_url(in_body)]


def test_a_title_match_wins_whichever_was_posted_first(client, make_idea):
    in_body = make_idea(title="Wildflower verges", body="Food for bees and beehives too.")
    in_title = make_idea(title="Beehives on the roof", body="Honey for the street.")
    assert found(client, "beehives") == [idea_url(in_title), idea_url(in_body)]


# --- Stemming and accents ------------------------------------------------------------


def test_a_search_for_garden_finds_gardening_and_gardens(client, make_idea):
    gardening = make_idea(title="Gardening club", body="Every Sunday.")
    gardens = make_idea(title="Pocket parks", body="Small gardens on corners.")
    make_idea(title="A repair café", body="Fix toasters and bikes.")
    assert sorted(found(client, "garden")) == sorted([idea_url(gardening), idea_url(gardens)])


def test_a_search_for_gardening_finds_garden(client, garden):
    assert found(client, "gardening") == [idea_url(garden)]


def test_a_search_for_cafe_finds_cafe_with_an_accent(client, make_idea):
    cafe = make_idea(title="A repair café", body="Fix toasters and bikes.")
    make_idea(title="A community fridge", body="Share food.")
    assert found(client, "cafe") == [idea_url(cafe)]


def test_a_search_with_an_accent_finds_words_written_without_one(client, make_idea):
    cafe = make_idea(title="A repair cafe", body="Fix toasters and bikes.")
    assert found(client, "café") == [idea_url(cafe)]


@pytest.mark.parametrize(("written", "searched"), [
    ("Gwirfoddolwyr i lanhau'r afon a'r dŵr", "dwr"),  # Welsh circumflex
    ("Diwrnod glanhau'r afon a'r dwr", "dŵr"),
    ("Cyngor y tŷ cymunedol", "ty"),
    ("Aide aux élèves après l'école", "eleves"),  # French accents, grave and acute
    ("Aide aux eleves apres l'ecole", "élèves"),
    ("Une fête de quartier à Noël", "Noel"),
])
def test_french_and_welsh_words_are_found_with_or_without_their_accents(client, make_idea, written, searched):
    idea = make_idea(title=written, body="…")
    make_idea(title="A community fridge", body="Share food.")
    assert found(client, searched) == [idea_url(idea)]


def test_a_search_ignores_capitals(client, garden):
    assert found(client, "GARDEN") == [idea_url(garden)]


# --- Highlighting and snippets -------------------------------------------------------


def test_matched_words_in_a_title_are_marked(client, garden):
    [result] = results(search(client, "garden"))
    assert result.title_html == "A community <mark>garden</mark>"


def test_the_marked_word_is_the_word_as_written_even_when_stemmed(client, make_idea):
    make_idea(title="Gardening club", body="Every Sunday in the gardens.")
    [result] = results(search(client, "garden"))
    assert result.title_html == "<mark>Gardening</mark> club"
    assert "<mark>gardens</mark>" in result.snippet_html


def test_a_snippet_of_the_body_is_shown_around_the_matched_word(client, make_idea):
    before = " ".join(f"before{n}" for n in range(40))
    after = " ".join(f"after{n}" for n in range(40))
    make_idea(title="A long read", body=f"{before} the greenhouse {after}")
    [result] = results(search(client, "greenhouse"))
    assert "<mark>greenhouse</mark>" in result.snippet_html
    snippet = _plain(result.snippet_html)
    assert "…" in snippet
    assert "before0 " not in snippet and "after39" not in snippet  # a part, not the whole body
    assert len(snippet.split()) <= 20


def test_a_title_only_match_still_shows_the_start_of_the_body(client, garden):
    [result] = results(search(client, "community"))
    assert "Grow vegetables together" in _plain(result.snippet_html)
    assert "<mark>" not in result.snippet_html


def test_html_typed_by_people_appears_escaped_in_titles_and_snippets(
    client, make_idea, make_help_request, make_comment
):
    idea = make_idea(title="<script>alert('t')</script> garden <b>bold</b>",
                     body="A garden <script>alert('b')</script> <img src=x onerror=alert(1)>")
    make_help_request(title="<script>alert('h')</script> garden tools", body="<script>x</script> garden")
    make_comment(idea, body="<script>alert('c')</script> my garden")
    response = search(client, "garden")
    assert len(results(response)) == 3
    listed = results_html(response)
    assert "<script" not in listed
    assert "<img" not in listed and "<b>" not in listed
    assert "&lt;script&gt;" in listed
    [idea_result] = [r for r in results(response) if r.href == idea_url(idea)]
    assert "&lt;script&gt;" in idea_result.title_html and "&lt;script&gt;" in idea_result.snippet_html
    assert "<mark>garden</mark>" in idea_result.title_html


MARKDOWN_BODY = """# Compost corner

Let us put **three compost bins** behind the _library_, see [the plan](https://example.org/plan).

- turn it `weekly`
- keep it damp &amp; warm &copy; 2026

```
bins = 3
```

<b>Bold</b> words and <span class="x">spans</span>"""


def test_a_snippet_shows_plain_words_with_the_match_marked_and_nothing_of_the_markdown(client, make_idea):
    make_idea(title="Shared compost", body=MARKDOWN_BODY)
    expected = {
        "bins": "Let us put three compost <mark>bins</mark> behind the library, see the plan.",
        "weekly": "turn it <mark>weekly</mark> keep it damp &amp; warm © 2026",
        "words": "&lt;b&gt;Bold&lt;/b&gt; <mark>words</mark> and &lt;span",
    }
    for word, shown in expected.items():
        [result] = results(search(client, word))
        snippet = re.sub(r"\s+", " ", result.snippet_html)
        assert shown in snippet, f"{word}: {snippet!r}"
        for mark in ("**", "_library_", "](", "example.org", "# ", "- turn", "`", "&amp;amp;", "&amp;copy;"):
            assert mark not in snippet, f"{mark!r} shows in {snippet!r}"
        # The only tags are the highlight; what the post says in HTML is shown as text.
        assert re.findall(r"<(/?\w+)", snippet) == ["mark", "/mark"]


def test_only_the_words_people_read_are_found_not_the_markdown_around_them(client, make_idea):
    make_idea(title="Shared compost", body=MARKDOWN_BODY)
    assert found(client, "library") and found(client, "bins")
    for hidden in ("https", "example", "plan", "amp", "copy"):
        assert len(found(client, hidden)) == (1 if hidden == "plan" else 0), hidden


def test_html_in_a_discussions_title_is_escaped_in_its_comments_result(client, make_idea, make_comment):
    idea = make_idea(title="<script>alert(1)</script> Benches", body="Somewhere to sit.")
    make_comment(idea, body="The seats could be oak.")
    response = search(client, "oak")
    [result] = results(response)
    assert "<script" not in results_html(response)
    assert result.meta.startswith("Comment on “<script>alert(1)</script> Benches”")


def test_the_query_itself_is_shown_escaped(client, garden):
    response = search(client, "<script>alert(1)</script>")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_control_characters_typed_in_a_post_never_become_highlight_markup(app, make_user):
    client = client_as(app, make_user())
    response = client.post("/ideas/new", data={"title": "Seed \x02swap",
                                               "description": "Bring \x03seeds \x02and cuttings."})
    assert response.status_code == 302
    [result] = results(search(client, "seed"))
    assert re.findall(r"</?mark>", result.title_html) == ["<mark>", "</mark>"]
    assert re.findall(r"<mark>(.*?)</mark>", result.title_html) == ["Seed"]
    assert re.findall(r"</?mark>", result.snippet_html) == ["<mark>", "</mark>"]
    assert re.findall(r"<mark>(.*?)</mark>", result.snippet_html) == ["seeds"]


# --- Filters ---------------------------------------------------------------------------


@pytest.fixture
def mixed(app, make_user, make_idea, make_help_request, make_comment):
    """An idea, a help request and a comment on each, all mentioning "bench"."""
    author = make_user("alice")
    idea = make_idea(author, title="A bench by the pond", body="Somewhere to rest.")
    wanted = make_help_request(author, title="Carry a bench", body="Two people needed.")
    on_idea = make_comment(idea, body="Make the bench wide.")
    on_request = make_comment(wanted, body="I can carry the bench.")
    return idea, wanted, on_idea, on_request


def test_kind_idea_narrows_the_results_to_ideas(client, mixed):
    idea, *_ = mixed
    assert found(client, "bench", kind="idea") == [idea_url(idea)]


def test_kind_help_request_narrows_the_results_to_help_requests(client, mixed):
    _, wanted, *_ = mixed
    assert found(client, "bench", kind="help_request") == [help_url(wanted)]


def test_kind_comment_narrows_the_results_to_comments(client, mixed):
    *_, on_idea, on_request = mixed
    assert sorted(found(client, "bench", kind="comment")) == sorted([comment_url(on_idea), comment_url(on_request)])


def test_kind_all_or_an_unknown_kind_shows_everything(client, mixed):
    expected = sorted([idea_url(mixed[0]), help_url(mixed[1]), comment_url(mixed[2]), comment_url(mixed[3])])
    assert sorted(found(client, "bench")) == expected
    assert sorted(found(client, "bench", kind="all")) == expected
    assert sorted(found(client, "bench", kind="users")) == expected


def test_the_chosen_kind_stays_selected_in_the_form(client, mixed):
    html = search(client, "bench", kind="comment").get_data(as_text=True)
    assert '<option value="comment" selected>' in html


def test_a_topic_narrows_ideas_and_help_requests_and_leaves_out_comments(app, client, mixed, make_idea, make_help_request):
    idea, wanted, *_ = mixed
    topic_id, slug = make_label(app, Topic, "Parks")
    make_label(app, Topic, "Transport")
    place(app, idea, topic_ids=[topic_id])
    place(app, wanted, topic_ids=[topic_id])
    elsewhere = make_idea(title="A bench at the bus stop", body="For waiting.")
    elsewhere_request = make_help_request(title="Paint a bench", body="Green.")
    hrefs = found(client, "bench", topic=slug)
    assert sorted(hrefs) == sorted([idea_url(idea), help_url(wanted)])
    assert idea_url(elsewhere) not in hrefs and help_url(elsewhere_request) not in hrefs


def test_an_area_narrows_ideas_and_help_requests_and_leaves_out_comments(app, client, mixed, make_idea):
    idea, wanted, *_ = mixed
    area_id, slug = make_label(app, Area, "Northside")
    make_label(app, Area, "Southside")
    place(app, idea, area_id=area_id)
    place(app, wanted, area_id=area_id)
    elsewhere = make_idea(title="A bench at the bus stop", body="For waiting.")
    assert sorted(found(client, "bench", area=slug)) == sorted([idea_url(idea), help_url(wanted)])
    assert idea_url(elsewhere) not in found(client, "bench", area=slug)


def test_a_topic_with_kind_comment_finds_nothing_and_says_so(app, client, mixed):
    topic_id, slug = make_label(app, Topic, "Parks")
    place(app, mixed[0], topic_ids=[topic_id])
    response = search(client, "bench", kind="comment", topic=slug)
    assert results(response) == []
    assert "Nothing matches “bench” with these filters" in text_of(response)


def test_a_status_narrows_to_ideas_with_that_official_status(app, client, mixed, make_idea, moderator):
    idea, *_ = mixed
    other = make_idea(title="A bench at the bus stop", body="For waiting.")
    answer(app, idea, IdeaStatus.IN_PROGRESS, moderator)
    assert found(client, "bench", status="in_progress") == [idea_url(idea)]
    assert found(client, "bench", status="new") == [idea_url(other)]
    assert found(client, "bench", status="done") == []


def test_an_unknown_status_or_topic_is_ignored(client, mixed):
    everything = sorted(found(client, "bench"))
    assert sorted(found(client, "bench", status="sideways")) == everything
    assert sorted(found(client, "bench", topic="no-such-topic", area="nowhere")) == everything


def test_filters_combine(app, client, make_user, make_idea, make_help_request, moderator):
    topic_id, topic = make_label(app, Topic, "Parks")
    area_id, area = make_label(app, Area, "Northside")
    other_area_id, _ = make_label(app, Area, "Southside")
    both = make_idea(title="A bench in the park", body="North.")
    topic_only = make_idea(title="A bench by the lake", body="South.")
    area_only = make_idea(title="A bench on the high street", body="North.")
    both_request = make_help_request(title="Carry a bench", body="To the park.")
    place(app, both, area_id, [topic_id])
    place(app, topic_only, other_area_id, [topic_id])
    place(app, area_only, area_id, [])
    place(app, both_request, area_id, [topic_id])
    assert sorted(found(client, "bench", topic=topic, area=area)) == sorted([idea_url(both), help_url(both_request)])
    assert found(client, "bench", topic=topic, area=area, kind="idea") == [idea_url(both)]
    answer(app, both, IdeaStatus.DONE, moderator)
    answer(app, area_only, IdeaStatus.DONE, moderator)
    # A status applies to ideas only, so the help request drops out.
    assert found(client, "bench", topic=topic, area=area, status="done") == [idea_url(both)]
    assert found(client, "bench", topic=topic, area=area, status="in_progress") == []


def test_the_chosen_filters_stay_selected_in_the_form(app, client, mixed):
    topic_id, topic = make_label(app, Topic, "Parks")
    area_id, area = make_label(app, Area, "Northside")
    html = search(client, "bench", topic=topic, area=area, status="done").get_data(as_text=True)
    assert f'<option value="{topic}" selected>' in html
    assert f'<option value="{area}" selected>' in html
    assert '<option value="done" selected>' in html


# --- Pages of results ----------------------------------------------------------------


def next_link(response) -> str | None:
    match = re.search(r'<a class="pagination__link" rel="next" href="([^"]+)"', response.get_data(as_text=True))
    return unescape(match.group(1)) if match else None


def test_more_than_twenty_results_come_in_pages_with_a_next_link(app, client, make_user):
    ids = post_many_ideas(app, make_user(), 25, "Tulips")
    first = search(client, "tulips")
    assert len(results(first)) == 20
    following = next_link(first)
    assert following
    second = client.get(following)
    assert second.status_code == 200
    assert len(results(second)) == 5
    assert next_link(second) is None
    shown = links(first) + links(second)
    assert sorted(shown) == sorted(f"/ideas/{idea_id}" for idea_id in ids)


def test_twenty_results_fit_on_one_page_without_a_next_link(app, client, make_user):
    post_many_ideas(app, make_user(), 20, "Tulips")
    response = search(client, "tulips")
    assert len(results(response)) == 20
    assert next_link(response) is None


def test_the_next_link_keeps_the_query_and_the_filters(app, client, make_user, make_idea):
    topic_id, topic = make_label(app, Topic, "Parks")
    area_id, area = make_label(app, Area, "Northside")
    ids = post_many_ideas(app, make_user(), 23, "Tulips", area_id=area_id, topic_ids=[topic_id])
    post_many_ideas(app, make_user(), 5, "Tulips")  # elsewhere: filtered out
    first = search(client, "tulips", kind="idea", topic=topic, area=area, status="new")
    following = next_link(first)
    assert following and following.startswith("/search?")
    for part in ("q=tulips", "kind=idea", f"topic={topic}", f"area={area}", "status=new", "page=2"):
        assert part in following.split("?", 1)[1].split("&"), f"{part} missing from {following}"
    second = client.get(following)
    assert sorted(links(first) + links(second)) == sorted(f"/ideas/{idea_id}" for idea_id in ids)


def test_a_page_past_the_end_shows_the_last_page(app, client, make_user):
    post_many_ideas(app, make_user(), 25, "Tulips")
    response = search(client, "tulips", page="9")
    assert len(results(response)) == 5
    assert "Page 2" in text_of(response)


def test_a_page_that_is_not_a_number_shows_the_first(app, client, make_user):
    post_many_ideas(app, make_user(), 25, "Tulips")
    assert len(results(search(client, "tulips", page="two"))) == 20


# --- In step with the board ----------------------------------------------------------


def test_editing_an_ideas_title_makes_the_new_word_findable_and_the_old_one_not(app, garden):
    client = client_as(app, garden.author_id)
    response = client.post(f"/ideas/{garden.id}/edit", data={"title": "A community orchard", "description": GARDEN_BODY})
    assert response.status_code == 302
    assert found(client, "orchard") == [idea_url(garden)]
    assert found(client, "garden") == []


def test_editing_an_ideas_description_updates_what_is_found(app, garden):
    client = client_as(app, garden.author_id)
    client.post(f"/ideas/{garden.id}/edit", data={"title": GARDEN_TITLE, "description": "Plant apple trees."})
    assert found(client, "apple") == [idea_url(garden)]
    assert found(client, "vegetables") == []


def test_editing_a_comment_updates_what_is_found(app, garden, make_comment):
    comment = make_comment(garden, body="I have spare compost bins.")
    client = client_as(app, comment.author_id)
    assert client.post(f"/comments/{comment.id}/edit", data={"comment": "I have spare watering cans."}).status_code == 302
    assert found(client, "watering") == [comment_url(comment)]
    assert found(client, "compost") == []


def test_deleting_an_idea_removes_it_and_its_comments_from_the_results(app, garden, make_comment):
    comment = make_comment(garden, body="The garden needs a shed.")
    client = client_as(app, garden.author_id)
    assert sorted(found(client, "garden")) == sorted([idea_url(garden), comment_url(comment)])
    assert client.post(f"/ideas/{garden.id}/delete").status_code == 302
    response = search(client, "garden")
    assert results(response) == []
    assert "Nothing matches" in text_of(response)
    assert found(client, "shed") == []


def test_deleting_a_comment_removes_it_from_the_results(app, garden, make_comment):
    comment = make_comment(garden, body="I have spare compost bins.")
    client = client_as(app, comment.author_id)
    assert found(client, "compost") == [comment_url(comment)]
    assert client.post(f"/comments/{comment.id}/delete").status_code == 302
    assert found(client, "compost") == []
    assert found(client, "garden") == [idea_url(garden)]


@pytest.fixture(params=["idea", "help_request", "comment"])
def hideable(request, app, garden, make_help_request, make_comment):
    """Something mentioning "marigolds" that a moderator can hide: (kind, thing, its link)."""
    if request.param == "idea":
        thing = garden
        with app.app_context():
            db.session.get(Idea, garden.id).edit("Marigolds for the garden", GARDEN_BODY)
            db.session.commit()
        return "idea", thing, idea_url(thing)
    if request.param == "help_request":
        thing = make_help_request(title="Marigolds wanted", body="Seedlings for the verge.")
        return "help_request", thing, help_url(thing)
    thing = make_comment(garden, body="Marigolds keep the pests away.")
    return "comment", thing, comment_url(thing)


def test_a_moderator_hiding_something_removes_it_from_results_for_everyone(app, client, moderator, hideable):
    kind, thing, link = hideable
    assert found(client, "marigolds") == [link]
    moderate_through_page(app, moderator, kind, thing, "hide")
    for viewer in (client, client_as(app, thing.author_id), client_as(app, moderator)):
        response = search(viewer, "marigolds")
        assert results(response) == []
        assert "Nothing matches" in text_of(response)


def test_restoring_something_hidden_brings_it_back_into_the_results(app, client, moderator, hideable):
    kind, thing, link = hideable
    moderate_through_page(app, moderator, kind, thing, "hide")
    assert found(client, "marigolds") == []
    moderate_through_page(app, moderator, kind, thing, "restore")
    assert found(client, "marigolds") == [link]


def test_a_hidden_ideas_title_does_not_show_in_the_results_of_its_comments(app, client, moderator, garden, make_comment):
    make_comment(garden, body="I have spare compost bins.")
    moderate_through_page(app, moderator, "idea", garden, "hide")
    response = search(client, "compost")
    assert len(results(response)) == 1  # the discussion stays readable, as on the idea's page
    assert "community garden" not in results_html(response).lower()


def test_an_idea_posted_through_the_form_is_found_at_once(app, make_user):
    author = make_user()
    client = client_as(app, author)
    response = client.post("/ideas/new", data={"title": "Swap shop for toys", "description": "Once a month, in the hall."})
    assert response.status_code == 302
    idea_path = response.headers["Location"]
    assert found(client, "toys") == [idea_path]
    assert found(client, "month") == [idea_path]


def test_a_comment_posted_through_the_form_is_found_at_once(app, garden, make_user):
    client = client_as(app, make_user())
    response = client.post(f"/ideas/{garden.id}/comments", data={"comment": "Rainwater butts would help."})
    assert response.status_code == 302
    comment_id = int(response.headers["Location"].rsplit("-", 1)[1])
    assert found(client, "rainwater") == [f"/ideas/{garden.id}#comment-{comment_id}"]


# --- Whatever people type --------------------------------------------------------------


HOSTILE = [
    '"', 'garden"', "*", "garden*", "NEAR", "NEAR(a b)", "-", "- garden", "AND", "OR NOT", "()", ":",
    "^garden", "x" * 10000, "🌻🌼🌷🌹🥀", "🌻 garden", "\x00", "garden\x00", "   ", "", "_", "garden _",
    "ñandú ünïcödé 𝔤𝔞𝔯𝔡𝔢𝔫 " * 1000, "一个社区花园" * 2000, "\x02garden\x03", "'; DROP TABLE ideas; --",
]
FINDS_THE_GARDEN = {'garden"', "garden*", "- garden", "^garden", "🌻 garden", "garden\x00", "garden _",
                    "\x02garden\x03"}


@pytest.mark.parametrize("query", HOSTILE, ids=[repr(q[:20]) for q in HOSTILE])
def test_no_query_gives_an_error_only_results_or_a_helpful_message(client, garden, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    if query in FINDS_THE_GARDEN:
        assert links(response) == [idea_url(garden)]
    else:
        assert results(response) == [] and shows_a_helpful_message(response)


# A NUL is dropped as the request is read, so a query of one is an empty one.
@pytest.mark.parametrize("query", ["", "   ", "\t\n", "\x00"])
def test_an_empty_query_invites_people_to_type_words(client, garden, query):
    response = search(client, query)
    assert "Type a word or two to find ideas, help requests and comments." in text_of(response)


@pytest.mark.parametrize("query", ['"', "*", "-", "()", ":", "🌻🌼🌷"])
def test_a_query_without_words_says_so_and_suggests_one(client, garden, query):
    response = search(client, query)
    assert "We could not find any words to search for in" in text_of(response)
    assert 'href="/search?q=garden"' in response.get_data(as_text=True)


def test_the_example_suggested_for_a_query_without_words_finds_something(client, garden):
    response = search(client, "*")
    suggestion = re.search(r'Try letters or numbers, for example <a href="([^"]+)">', response.get_data(as_text=True))
    assert suggestion
    assert links(client.get(unescape(suggestion.group(1)))) == [idea_url(garden)]


def test_operators_are_searched_as_plain_words(client, make_idea):
    near = make_idea(title="Near the river", body="A path.")
    make_idea(title="A path by the canal", body="Lamps.")
    assert found(client, "NEAR") == [idea_url(near)]
    assert found(client, "NEAR path") == [idea_url(near)]
    # "or" is a word like any other: both words must be there, on every engine.
    assert found(client, "river OR canal") == []


def test_a_query_of_ten_thousand_characters_still_shows_a_page(client, garden):
    response = search(client, "garden " + "x" * 10000)
    assert shows_a_helpful_message(response)


def test_a_search_for_title_colon_garden_finds_the_garden_idea(client, garden):
    assert found(client, "title:garden") == [idea_url(garden)]


# --- Query budget ----------------------------------------------------------------------


def queries_for(app, client, url) -> int:
    client.get(url)  # warm up: caches and first-use queries are not the search's
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_one_result_and_twenty_results_take_the_same_number_of_queries(app, client, make_user):
    author = make_user()
    post_many_ideas(app, author, 1, "Orchard")
    post_many_ideas(app, author, 20, "Meadow")
    one = queries_for(app, client, "/search?q=orchard")
    twenty = queries_for(app, client, "/search?q=meadow")
    assert len(results(client.get("/search?q=meadow"))) == 20
    assert one == twenty, f"{one} queries for 1 result, {twenty} for 20"


def test_a_page_of_mixed_results_takes_as_many_queries_as_one_of_each_kind(
    app, client, make_user, make_idea, make_help_request, make_comment
):
    author = make_user()
    few_idea = make_idea(author, title="Orchard", body="Apples.")
    make_help_request(author, title="Orchard ladders", body="Tall.")
    make_comment(few_idea, author, body="Orchard pears too.")
    many_idea = make_idea(author, title="Meadow", body="Grass.")
    for number in range(7):
        make_idea(author, title=f"Meadow {number}", body="Grass.")
        make_help_request(author, title=f"Meadow mowing {number}", body="Scythes.")
        make_comment(many_idea, make_user(), body=f"Meadow flowers {number}.")
    one_each = queries_for(app, client, "/search?q=orchard")
    page_full = queries_for(app, client, "/search?q=meadow")
    assert len(results(client.get("/search?q=meadow"))) == 20
    assert one_each == page_full, f"{one_each} queries for 3 results, {page_full} for 20"


def test_the_same_search_by_someone_signed_in_makes_no_query_per_result(app, make_user):
    author = make_user()
    post_many_ideas(app, author, 1, "Orchard")
    post_many_ideas(app, author, 20, "Meadow")
    client = client_as(app, make_user())
    assert queries_for(app, client, "/search?q=orchard") == queries_for(app, client, "/search?q=meadow")
