"""Organising the board: topics and areas, filters and sorts, skills, and official statuses."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, update

from board.extensions import db
from board.models import (
    Area,
    HelpRequest,
    HelpStatus,
    Idea,
    Skill,
    StatusUpdate,
    Support,
    Topic,
    User,
    utcnow,
)
from board.templating import format_date
from helpers import count_rows, fetch, field_error, saved, signed_in, text_of

# --- Helpers -------------------------------------------------------------------------


def make_label(app, model, name: str):
    with app.app_context():
        return saved(model.named(name))


def names_of(app, model) -> list[str]:
    with app.app_context():
        return [label.name for label in model.all()]


def place(app, thing, area=None, topics=()) -> None:
    """Put an idea or help request in an area and under topics, as its form would."""
    with app.app_context():
        found = db.session.get(type(thing), thing.id)
        found.place(db.session.get(Area, area.id) if area else None,
                    [db.session.get(Topic, topic.id) for topic in topics])
        db.session.commit()


def set_status(app, thing, status: str) -> None:
    with app.app_context():
        db.session.get(type(thing), thing.id).status = status
        db.session.commit()


def placed(app, thing) -> tuple[str | None, list[str]]:
    """The area name and topic names an idea or help request has in the database."""
    with app.app_context():
        found = db.session.get(type(thing), thing.id)
        return (found.area.name if found.area else None), [t.name for t in found.topics]


def card_titles(response) -> list[str]:
    """The titles a list shows, in the order a person reads them."""
    html = response.get_data(as_text=True)
    return [unescape(t) for t in re.findall(r'class="card__title"><a href="[^"]+">(.*?)</a>', html)]


def link_args(href: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(unescape(href)).query).items()}


def next_page_href(response) -> str | None:
    match = re.search(r'<a class="pagination__link" rel="next" href="([^"]+)"', response.get_data(as_text=True))
    return unescape(match.group(1)) if match else None


def select_options(response, name: str) -> list[tuple[str, bool]]:
    """The options of a <select>: (label, selected)."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', html, re.S)
    if match is None:
        return []
    return [(unescape(label), "selected" in attrs)
            for attrs, label in re.findall(r"<option([^>]*)>(.*?)</option>", match.group(1), re.S)]


def checkboxes(response, name: str) -> list[tuple[str, bool]]:
    """The checkboxes called `name`: (the text of their label, checked)."""
    html = response.get_data(as_text=True)
    found = []
    for tag in re.findall(rf'<input[^>]*type="checkbox"[^>]*\bname="{name}"[^>]*>', html):
        box_id = re.search(r'\bid="([^"]+)"', tag).group(1)
        label = re.search(rf'<label for="{re.escape(box_id)}"[^>]*>(.*?)</label>', html, re.S)
        found.append((unescape(label.group(1).strip()) if label else None, " checked" in tag))
    return found


def option_value(response, name: str, label: str) -> str:
    html = response.get_data(as_text=True)
    select_html = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(rf'<option[^>]*value="([^"]+)"[^>]*>{re.escape(label)}</option>', select_html).group(1)


IDEA = {"title": "Plant fruit trees", "description": "Along the canal path."}
HELP = {"title": "Build a bench", "details": "For the park.", "skills": "carpentry", "idea": "0"}


# --- Admins manage topics and areas ----------------------------------------------------

KINDS = [("topics", Topic, "Transport", "Travel"), ("areas", Area, "Camden Town", "Kentish Town")]


@pytest.mark.parametrize("kind, model, name, new_name", KINDS)
def test_admins_add_rename_and_remove_topics_and_areas(app, make_user, kind, model, name, new_name):
    admin = signed_in(app, make_user("root", role="admin"))
    assert admin.get(f"/admin/{kind}").status_code == 200
    assert "None yet." in text_of(admin.get(f"/admin/{kind}"))

    response = admin.post(f"/admin/{kind}", data={"name": f"  {name} "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/{kind}"
    assert names_of(app, model) == [name]
    page = admin.get(f"/admin/{kind}")
    assert name in text_of(page) and "added the" in text_of(page).lower()

    with app.app_context():
        item_id = db.session.scalar(select(model.id).where(model.name == name))
    form = admin.get(f"/admin/{kind}/{item_id}")
    assert form.status_code == 200
    assert f"Rename the {kind[:-1]} “{name}”" in text_of(form)

    response = admin.post(f"/admin/{kind}/{item_id}", data={"name": new_name})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/{kind}"
    assert names_of(app, model) == [new_name]
    with app.app_context():
        assert db.session.get(model, item_id).slug == new_name.lower().replace(" ", "-")
    assert f"Renamed the {kind[:-1]} to “{new_name}”" in text_of(admin.get(f"/admin/{kind}"))

    response = admin.post(f"/admin/{kind}/{item_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/{kind}"
    assert names_of(app, model) == []
    page = text_of(admin.get(f"/admin/{kind}"))
    assert f"Removed the {kind[:-1]} “{new_name}”" in page


@pytest.mark.parametrize("kind, model, name, _", KINDS)
@pytest.mark.parametrize("typed, message", [
    ("", "Enter a name."),
    ("   ", "Enter a name."),
    ("{name}", "There is already one called “{name}”."),
    ("{lower}", "There is already one called “{name}”."),
    ("{upper}  ", "There is already one called “{name}”."),
])
def test_an_empty_or_duplicate_name_is_refused_next_to_the_field(
    app, make_user, kind, model, name, _, typed, message
):
    make_label(app, model, name)
    admin = signed_in(app, make_user("root", role="admin"))
    typed = typed.format(name=name, lower=name.lower(), upper=name.upper())

    response = admin.post(f"/admin/{kind}", data={"name": typed})
    assert response.status_code == 422
    assert field_error(response, "name") == "Error: " + message.format(name=name)
    assert names_of(app, model) == [name]


def test_different_names_in_a_non_latin_script_are_not_duplicates(app, make_user):
    admin = signed_in(app, make_user("root", role="admin"))
    assert admin.post("/admin/areas", data={"name": "Київ"}).status_code == 302
    response = admin.post("/admin/areas", data={"name": "Львів"})
    assert response.status_code == 302, field_error(response, "name")
    assert sorted(names_of(app, Area)) == sorted(["Київ", "Львів"])


@pytest.mark.parametrize("kind, model, name, other", KINDS)
def test_renaming_to_another_ones_name_is_refused_but_changing_case_is_not(
    app, make_user, kind, model, name, other
):
    first = make_label(app, model, name)
    second = make_label(app, model, other)
    admin = signed_in(app, make_user("root", role="admin"))

    response = admin.post(f"/admin/{kind}/{second.id}", data={"name": name.upper()})
    assert response.status_code == 422
    assert field_error(response, "name") == f"Error: There is already one called “{name}”."
    response = admin.post(f"/admin/{kind}/{second.id}", data={"name": ""})
    assert response.status_code == 422
    assert field_error(response, "name") == "Error: Enter a name."
    assert sorted(names_of(app, model)) == sorted([name, other])

    response = admin.post(f"/admin/{kind}/{first.id}", data={"name": name.lower()})
    assert response.status_code == 302
    assert sorted(names_of(app, model)) == sorted([name.lower(), other])


def test_removing_a_topic_or_area_leaves_its_ideas_and_requests_on_the_board(
    app, client, make_user, make_idea, make_help_request
):
    transport = make_label(app, Topic, "Transport")
    parks = make_label(app, Topic, "Parks")
    camden = make_label(app, Area, "Camden Town")
    idea = make_idea(title="Safer crossings")
    help_request = make_help_request(title="A van for the clean-up")
    place(app, idea, camden, [transport, parks])
    place(app, help_request, camden, [transport])

    admin = signed_in(app, make_user("root", role="admin"))
    assert admin.post(f"/admin/topics/{transport.id}/delete").status_code == 302
    assert admin.post(f"/admin/areas/{camden.id}/delete").status_code == 302

    assert count_rows(app, Idea) == 1 and count_rows(app, HelpRequest) == 1
    assert placed(app, idea) == (None, ["Parks"])
    assert placed(app, help_request) == (None, [])
    assert card_titles(client.get("/ideas")) == ["Safer crossings"]
    assert card_titles(client.get("/help")) == ["A van for the clean-up"]
    page = client.get(f"/ideas/{idea.id}")
    assert page.status_code == 200
    assert "Transport" not in text_of(page) and "Camden Town" not in text_of(page)
    assert "Parks" in text_of(page)


def topic_links(response) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]*\?topic=[^"]*)">([^<]*)</a>', response.get_data(as_text=True))


def test_an_idea_and_a_help_request_show_their_topics_by_name_linked_to_their_lists(
    app, client, make_idea, make_help_request
):
    parks, transport, youth = (make_label(app, Topic, name) for name in ("Parks", "Transport", "Youth"))
    idea = make_idea(title="Safer crossings")
    help_request = make_help_request(title="A van for the clean-up")
    place(app, idea, None, [youth, parks])
    place(app, help_request, None, [transport, parks])

    page = client.get(f"/ideas/{idea.id}")
    assert topic_links(page) == [("/ideas?topic=parks", "Parks"), ("/ideas?topic=youth", "Youth")]
    page = client.get(f"/help/{help_request.id}")
    assert topic_links(page) == [("/help?topic=parks", "Parks"), ("/help?topic=transport", "Transport")]
    assert "Youth" not in text_of(page)


def label_requests(topic_id: int, area_id: int):
    for kind, item_id in (("topics", topic_id), ("areas", area_id)):
        yield "get", f"/admin/{kind}", None
        yield "post", f"/admin/{kind}", {"name": "Sneaky"}
        yield "get", f"/admin/{kind}/{item_id}", None
        yield "post", f"/admin/{kind}/{item_id}", {"name": "Sneaky"}
        yield "post", f"/admin/{kind}/{item_id}/delete", None


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_members_and_moderators_cannot_manage_topics_or_areas(app, make_user, role):
    topic = make_label(app, Topic, "Transport")
    area = make_label(app, Area, "Camden Town")
    browser = signed_in(app, make_user("someone", role=role))
    for method, url, data in label_requests(topic.id, area.id):
        response = getattr(browser, method)(url, data=data)
        assert response.status_code == 403, (method, url)
    assert names_of(app, Topic) == ["Transport"]
    assert names_of(app, Area) == ["Camden Town"]


def test_visitors_are_sent_to_sign_in_for_topics_and_areas(app, client):
    topic = make_label(app, Topic, "Transport")
    area = make_label(app, Area, "Camden Town")
    for method, url, data in label_requests(topic.id, area.id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next=")
    assert names_of(app, Topic) == ["Transport"]


def test_admin_pages_for_topics_and_areas_404_for_unknown_ones(app, make_user):
    admin = signed_in(app, make_user("root", role="admin"))
    assert admin.get("/admin/topics/999").status_code == 404
    assert admin.post("/admin/areas/999", data={"name": "X"}).status_code == 404
    assert admin.post("/admin/topics/999/delete").status_code == 404
    assert admin.get("/admin/colours").status_code == 404


# --- Areas and topics on the idea and help request forms -----------------------------------


FORMS = [("/ideas/new", IDEA, Idea), ("/help/new", HELP, HelpRequest)]


@pytest.mark.parametrize("url, _, __", FORMS)
def test_the_forms_offer_areas_and_topics_once_the_board_has_them(app, make_user, url, _, __):
    browser = signed_in(app, make_user("sam"))
    empty = browser.get(url)
    assert empty.status_code == 200
    assert select_options(empty, "area") == []
    assert checkboxes(empty, "topics") == []

    make_label(app, Area, "Kentish Town")
    make_label(app, Area, "Camden Town")
    make_label(app, Topic, "Transport")
    make_label(app, Topic, "Parks")

    page = browser.get(url)
    assert re.search(r'<label for="area"[^>]*>Area</label>', page.get_data(as_text=True))
    assert select_options(page, "area") == [
        ("No particular area", True), ("Camden Town", False), ("Kentish Town", False)
    ]
    assert checkboxes(page, "topics") == [("Parks", False), ("Transport", False)]
    assert "<legend class=\"label\">Topics</legend>" in page.get_data(as_text=True)


@pytest.mark.parametrize("url, data, model", FORMS)
def test_posting_saves_the_area_and_topics_chosen(app, make_user, url, data, model):
    camden = make_label(app, Area, "Camden Town")
    make_label(app, Area, "Kentish Town")
    transport = make_label(app, Topic, "Transport")
    parks = make_label(app, Topic, "Parks")
    make_label(app, Topic, "Schools")
    browser = signed_in(app, make_user("sam"))

    response = browser.post(url, data={**data, "area": str(camden.id),
                                       "topics": [str(transport.id), str(parks.id)]})
    assert response.status_code == 302
    with app.app_context():
        thing = db.session.scalars(select(model)).one()
    assert placed(app, thing) == ("Camden Town", ["Parks", "Transport"])
    listed = browser.get("/ideas" if model is Idea else "/help")
    assert re.search(r'class="card__meta">(?:(?!</p>).)*· Camden Town</p>', listed.get_data(as_text=True), re.S)


def test_an_ideas_page_shows_its_area_and_topics_with_links_to_their_lists(app, client, make_idea):
    idea = make_idea(title="Safer crossings")
    place(app, idea, make_label(app, Area, "Camden Town"), [make_label(app, Topic, "Young people")])
    page = client.get(f"/ideas/{idea.id}")
    assert "Camden Town" in text_of(page)
    assert '<a href="/ideas?topic=young-people">Young people</a>' in page.get_data(as_text=True)


def test_a_help_requests_page_shows_its_area_and_topics(app, client, make_help_request):
    help_request = make_help_request(title="Build a bench")
    place(app, help_request, make_label(app, Area, "Camden Town"), [make_label(app, Topic, "Young people")])
    page = text_of(client.get(f"/help/{help_request.id}"))
    assert "Camden Town" in page
    assert "Young people" in page


def test_an_idea_posted_without_area_or_topics_has_none(app, make_user):
    make_label(app, Area, "Camden Town")
    make_label(app, Topic, "Transport")
    browser = signed_in(app, make_user("sam"))
    assert browser.post("/ideas/new", data={**IDEA, "area": "0"}).status_code == 302
    with app.app_context():
        idea = db.session.scalars(select(Idea)).one()
    assert placed(app, idea) == (None, [])


@pytest.mark.parametrize("kind", ["idea", "help"])
def test_editing_shows_the_area_and_topics_and_changes_them(
    app, make_user, make_idea, make_help_request, kind
):
    camden = make_label(app, Area, "Camden Town")
    kentish = make_label(app, Area, "Kentish Town")
    transport = make_label(app, Topic, "Transport")
    parks = make_label(app, Topic, "Parks")
    schools = make_label(app, Topic, "Schools")
    sam = make_user("sam")
    if kind == "idea":
        thing, data = make_idea(author=sam), IDEA
        url = f"/ideas/{thing.id}/edit"
    else:
        thing, data = make_help_request(author=sam), HELP
        url = f"/help/{thing.id}/edit"
    place(app, thing, camden, [transport, parks])
    browser = signed_in(app, sam)

    form = browser.get(url)
    assert form.status_code == 200
    assert ("Camden Town", True) in select_options(form, "area")
    assert ("Kentish Town", False) in select_options(form, "area")
    assert checkboxes(form, "topics") == [("Parks", True), ("Schools", False), ("Transport", True)]

    response = browser.post(url, data={**data, "area": str(kentish.id), "topics": [str(schools.id)]})
    assert response.status_code == 302
    assert placed(app, thing) == ("Kentish Town", ["Schools"])

    form = browser.get(url)
    assert ("Kentish Town", True) in select_options(form, "area")
    assert checkboxes(form, "topics") == [("Parks", False), ("Schools", True), ("Transport", False)]

    # No area and no topics at all: both are taken away.
    assert browser.post(url, data={**data, "area": "0"}).status_code == 302
    assert placed(app, thing) == (None, [])


@pytest.mark.parametrize("url, data, model", FORMS)
@pytest.mark.parametrize("field, value, message", [
    ("area", "999", "Choose one of the areas listed."),
    ("topics", ["999"], "Choose topics from the list."),
])
def test_an_unknown_area_or_topic_is_refused_and_nothing_is_saved(
    app, make_user, url, data, model, field, value, message
):
    make_label(app, Area, "Camden Town")
    transport = make_label(app, Topic, "Transport")
    browser = signed_in(app, make_user("sam"))
    extra = {field: value}
    if field == "topics":
        extra["topics"] = [str(transport.id), *value]
    response = browser.post(url, data={**data, **extra})
    assert response.status_code == 422
    assert field_error(response, field) == "Error: " + message
    assert count_rows(app, model) == 0


@pytest.mark.parametrize("field, value, message", [
    ("area", "999", "Choose one of the areas listed."),
    ("topics", ["999"], "Choose topics from the list."),
])
def test_editing_with_an_unknown_area_or_topic_changes_nothing(
    app, make_user, make_idea, field, value, message
):
    camden = make_label(app, Area, "Camden Town")
    transport = make_label(app, Topic, "Transport")
    sam = make_user("sam")
    idea = make_idea(author=sam, title="Old title")
    place(app, idea, camden, [transport])
    browser = signed_in(app, sam)

    response = browser.post(f"/ideas/{idea.id}/edit", data={**IDEA, field: value})
    assert response.status_code == 422
    assert field_error(response, field) == "Error: " + message
    assert fetch(app, Idea, idea.id).title == "Old title"
    assert placed(app, idea) == ("Camden Town", ["Transport"])


# --- Lists filter by topic, area, status and skill ---------------------------------------


@pytest.fixture
def board(app, make_user, make_idea):
    """Four ideas across two topics, two areas and two statuses."""
    transport = make_label(app, Topic, "Transport")
    young = make_label(app, Topic, "Young people")
    camden = make_label(app, Area, "Camden Town")
    kentish = make_label(app, Area, "Kentish Town")
    author = make_user("sam")
    bus = make_idea(author=author, title="Later buses")
    bikes = make_idea(author=author, title="Bike racks")
    playground = make_idea(author=author, title="A new playground")
    bench = make_idea(author=author, title="Benches by the pond")
    place(app, bus, camden, [transport])
    place(app, bikes, kentish, [transport, young])
    place(app, playground, camden, [young])
    set_status(app, bikes, "in_progress")
    set_status(app, playground, "in_progress")
    set_status(app, bench, "done")
    return {"transport": transport, "young": young, "camden": camden, "kentish": kentish}


@pytest.mark.parametrize("query, titles, showing", [
    ("topic=transport", ["Bike racks", "Later buses"], "Showing topic Transport"),
    ("topic=young-people", ["A new playground", "Bike racks"], "Showing topic Young people"),
    ("area=camden-town", ["A new playground", "Later buses"], "Showing area Camden Town"),
    ("status=in_progress", ["A new playground", "Bike racks"], "Showing status In progress"),
    ("status=done", ["Benches by the pond"], "Showing status Done"),
    ("topic=transport&status=in_progress", ["Bike racks"], "Showing topic Transport"),
    ("topic=young-people&area=camden-town", ["A new playground"], "area Camden Town"),
    ("topic=transport&area=camden-town&status=new", ["Later buses"], "status New"),
])
def test_the_ideas_list_filters_by_topic_area_and_status(client, board, query, titles, showing):
    response = client.get(f"/ideas?{query}")
    assert response.status_code == 200
    assert card_titles(response) == titles
    assert showing in text_of(response)
    assert "Clear filters" in text_of(response)


def test_the_ideas_list_offers_the_filters_with_the_chosen_ones_selected(client, board):
    response = client.get("/ideas?topic=transport&area=kentish-town&status=done")
    assert select_options(response, "topic") == [
        ("All topics", False), ("Transport", True), ("Young people", False)
    ]
    assert select_options(response, "area") == [
        ("All areas", False), ("Camden Town", False), ("Kentish Town", True)
    ]
    assert ("Done", True) in select_options(response, "status")


def test_a_filtered_ideas_list_with_no_match_says_so(client, board):
    response = client.get("/ideas?topic=young-people&area=kentish-town&status=done")
    assert response.status_code == 200
    assert card_titles(response) == []
    assert "No ideas match these filters." in text_of(response)


@pytest.mark.parametrize("query", [
    "topic=nope", "area=nowhere", "status=bogus", "status=open", "topic=", "area=%00",
    "topic=' OR 1=1 --", "topic=%C3%BC" + "x" * 300, "topic=transport&topic=x", "sort=bogus&status=",
    "page=abc&topic=nope", "page=-1", "page=99999999999",
])
def test_an_unknown_filter_on_ideas_is_ignored_and_everything_shows(client, board, query):
    response = client.get(f"/ideas?{query}")
    assert response.status_code == 200
    titles = card_titles(response)
    if query == "topic=transport&topic=x":  # the first value counts
        assert titles == ["Bike racks", "Later buses"]
    else:
        assert sorted(titles) == sorted(["Later buses", "Bike racks", "A new playground", "Benches by the pond"])
        assert "Clear filters" not in text_of(response)


def test_filters_stay_in_the_ideas_pagination_and_sort_links(app, client, make_user, make_idea):
    app.config["PER_PAGE"] = 2
    transport = make_label(app, Topic, "Transport")
    author = make_user("sam")
    for n in range(3):
        place(app, make_idea(author=author, title=f"Transport idea {n}"), None, [transport])
    make_idea(author=author, title="Something else")

    response = client.get("/ideas?topic=transport&sort=popular")
    assert len(card_titles(response)) == 2
    href = next_page_href(response)
    assert link_args(href) == {"topic": "transport", "sort": "popular", "page": "2"}
    second = client.get(href)
    assert len(card_titles(second)) == 1
    assert card_titles(second)[0].startswith("Transport idea")
    prev = re.search(r'rel="prev" href="([^"]+)"', second.get_data(as_text=True)).group(1)
    assert link_args(prev) == {"topic": "transport", "sort": "popular", "page": "1"}

    html = response.get_data(as_text=True)
    sort_links = re.findall(r'<a class="tabs__link" href="([^"]+)"', html)
    assert [link_args(h)["sort"] for h in sort_links] == ["new", "popular", "active", "trending"]
    assert all(link_args(h)["topic"] == "transport" for h in sort_links)
    # The filter form keeps the sort.
    assert '<input type="hidden" name="sort" value="popular">' in html


def test_a_page_past_the_end_of_a_filtered_list_shows_its_last_page(
    app, client, board, make_user, make_help_request
):
    app.config["PER_PAGE"] = 1
    people = [make_user() for _ in range(2)]
    with app.app_context():
        ideas = {i.title: i for i in db.session.scalars(select(Idea))}
    support_as(app, ideas["Later buses"], *people, days_ago=1)
    support_as(app, ideas["Bike racks"], people[0], days_ago=1)
    support_as(app, ideas["A new playground"], people[1], days_ago=1)

    response = client.get("/ideas?sort=trending&topic=transport&page=9")
    assert response.status_code == 200
    assert card_titles(response) == ["Later buses"]  # Bike racks' support came later
    assert "Page 2" in text_of(response)

    for n in range(3):
        make_help_request(title=f"Carpentry job {n}", skills=("carpentry",))
    make_help_request(title="A van", skills=("van",))
    response = client.get("/help?skill=carpentry&page=9")
    assert card_titles(response) == ["Carpentry job 0"]
    assert "Page 3" in text_of(response)


@pytest.fixture
def help_board(app, make_user, make_help_request):
    """Help requests needing different skills, in different topics, areas and states."""
    transport = make_label(app, Topic, "Transport")
    camden = make_label(app, Area, "Camden Town")
    author = make_user("sam")
    shelves = make_help_request(author=author, title="Put up shelves", skills=("carpentry", "drill"))
    bench = make_help_request(author=author, title="Mend a bench", skills=("carpentry",))
    van = make_help_request(author=author, title="A van on Saturday", skills=("van",))
    gate = make_help_request(author=author, title="Fix the gate", skills=("carpentry",))
    place(app, shelves, camden, [transport])
    place(app, van, None, [transport])
    place(app, gate, camden, [])
    set_status(app, bench, HelpStatus.MATCHED)
    set_status(app, gate, HelpStatus.CLOSED)
    return {"transport": transport, "camden": camden}


@pytest.mark.parametrize("query, titles", [
    ("skill=carpentry", ["Put up shelves", "Mend a bench", "Fix the gate"]),
    ("skill=Carpentry%20", ["Put up shelves", "Mend a bench", "Fix the gate"]),
    ("skill=%20%20CARPENTRY", ["Put up shelves", "Mend a bench", "Fix the gate"]),
    ("skill=van", ["A van on Saturday"]),
    ("topic=transport", ["A van on Saturday", "Put up shelves"]),
    ("area=camden-town", ["Put up shelves", "Fix the gate"]),
    ("status=open", ["A van on Saturday", "Put up shelves"]),
    ("status=matched", ["Mend a bench"]),
    ("status=closed", ["Fix the gate"]),
    ("skill=carpentry&status=open", ["Put up shelves"]),
    ("skill=carpentry&area=camden-town&topic=transport", ["Put up shelves"]),
])
def test_the_help_list_filters_by_skill_topic_area_and_status(client, help_board, query, titles):
    response = client.get(f"/help?{query}")
    assert response.status_code == 200
    assert card_titles(response) == titles


def test_the_help_list_says_which_skill_it_shows(client, help_board):
    response = client.get("/help?skill=Carpentry%20")
    assert "Help wanted: carpentry" in text_of(response)
    assert "Showing skill carpentry" in text_of(response)


def test_a_filtered_help_list_with_no_match_says_so(client, help_board):
    response = client.get("/help?skill=van&status=closed")
    assert response.status_code == 200
    assert card_titles(response) == []
    assert "No help requests match these filters." in text_of(response)


@pytest.mark.parametrize("query", [
    "skill=juggling", "skill=", "skill=%00", "topic=nope", "area=nowhere", "status=done",
    "status=bogus", "skill=" + "x" * 500, "page=0",
])
def test_an_unknown_filter_on_help_is_ignored_and_everything_shows(client, help_board, query):
    response = client.get(f"/help?{query}")
    assert response.status_code == 200
    assert sorted(card_titles(response)) == sorted(
        ["Put up shelves", "Mend a bench", "A van on Saturday", "Fix the gate"]
    )


def test_filters_stay_in_the_help_pagination_and_status_links(app, client, make_user, make_help_request):
    app.config["PER_PAGE"] = 2
    author = make_user("sam")
    for n in range(3):
        make_help_request(author=author, title=f"Carpentry job {n}", skills=("carpentry",))
    make_help_request(author=author, title="A van", skills=("van",))

    response = client.get("/help?skill=carpentry&status=open")
    assert len(card_titles(response)) == 2
    href = next_page_href(response)
    assert link_args(href) == {"skill": "carpentry", "status": "open", "page": "2"}
    second = client.get(href)
    assert [t for t in card_titles(second)] == ["Carpentry job 0"]

    html = response.get_data(as_text=True)
    status_links = re.findall(r'<a class="tabs__link" href="([^"]+)"', html)
    assert all(link_args(h).get("skill") == "carpentry" for h in status_links)
    assert [link_args(h).get("status") for h in status_links] == [None, "open", "matched", "closed"]


# --- Sorts ---------------------------------------------------------------------------------


def support_as(app, idea, *people, days_ago: float | None = None) -> None:
    """People support an idea; with `days_ago`, as if they had done it that long ago."""
    with app.app_context():
        found = db.session.get(Idea, idea.id)
        for user in people:
            found.toggle_support(db.session.get(User, user.id))
        if days_ago is not None:
            db.session.execute(
                update(Support)
                .where(Support.idea_id == idea.id, Support.user_id.in_([u.id for u in people]))
                .values(created_at=utcnow() - timedelta(days=days_ago))
            )
            # As toggle_support keeps it: when the latest standing support was given.
            found.last_supported_at = (
                select(func.max(Support.created_at)).where(Support.idea_id == idea.id).scalar_subquery()
            )
        db.session.commit()


def test_ideas_sort_newest_first_by_default(client, make_user, make_idea):
    author = make_user("sam")
    for title in ("First", "Second", "Third"):
        make_idea(author=author, title=title)
    assert card_titles(client.get("/ideas")) == ["Third", "Second", "First"]
    assert card_titles(client.get("/ideas?sort=new")) == ["Third", "Second", "First"]
    assert 'aria-current="true">Newest' in client.get("/ideas").get_data(as_text=True)


def test_ideas_sort_by_most_supported(app, client, make_user, make_idea):
    author = make_user("sam")
    one, two, three = (make_idea(author=author, title=t) for t in ("One", "Two", "Three"))
    people = [make_user() for _ in range(3)]
    support_as(app, one, *people[:2])
    support_as(app, two, *people)
    response = client.get("/ideas?sort=popular")
    assert card_titles(response) == ["Two", "One", "Three"]
    assert 'aria-current="true">Most supported' in response.get_data(as_text=True)


def test_ideas_sort_by_latest_activity(app, client, make_user, make_idea, make_comment):
    author = make_user("sam")
    old, middle, new = (make_idea(author=author, title=t) for t in ("Old", "Middle", "New"))
    assert card_titles(client.get("/ideas?sort=active")) == ["New", "Middle", "Old"]
    make_comment(old)
    assert card_titles(client.get("/ideas?sort=active")) == ["Old", "New", "Middle"]
    make_comment(middle)
    assert card_titles(client.get("/ideas?sort=active")) == ["Middle", "Old", "New"]


def trending_board(app, make_user, make_idea) -> list[str]:
    """Five ideas, oldest first: two supported in the last fortnight, two only before it."""
    author = make_user("sam")
    classic, rising, steady, never, fresh = (
        make_idea(author=author, title=title)
        for title in ("Old favourite", "Rising star", "Steady one", "Never supported", "Fresh one")
    )
    people = [make_user() for _ in range(5)]
    support_as(app, classic, *people, days_ago=15)  # five, but all before the fortnight
    support_as(app, rising, *people[:3], days_ago=2)
    support_as(app, steady, *people[3:], days_ago=20)
    support_as(app, steady, people[0], days_ago=0.5)  # fewer supporters, but the latest support
    support_as(app, fresh, people[1], days_ago=14.5)
    return ["Steady one", "Rising star", "Fresh one", "Never supported", "Old favourite"]


def test_trending_shows_every_idea_newest_first_when_none_was_supported_lately(
    app, client, make_user, make_idea
):
    first, second, third = (make_idea(title=t) for t in ("First", "Second", "Third"))
    support_as(app, second, make_user(), days_ago=30)
    response = client.get("/ideas?sort=trending")
    assert response.status_code == 200
    assert card_titles(response) == ["Third", "Second", "First"]


def test_trending_puts_the_latest_supported_first_then_every_other_idea_newest_first(
    app, client, make_user, make_idea
):
    expected = trending_board(app, make_user, make_idea)
    assert card_titles(client.get("/ideas?sort=trending")) == expected
    # The all-time order is different.
    assert card_titles(client.get("/ideas?sort=popular"))[:3] == ["Old favourite", "Steady one", "Rising star"]


def test_taking_back_the_latest_support_moves_an_idea_back_to_its_earlier_support(
    app, client, make_user, make_idea
):
    author = make_user("sam")
    older, newer = make_idea(author=author, title="Older"), make_idea(author=author, title="Newer")
    early, late = make_user(), make_user()
    support_as(app, older, early, days_ago=3)
    support_as(app, newer, early, late, days_ago=2)  # more supporters, but earlier
    support_as(app, older, late, days_ago=1)
    assert card_titles(client.get("/ideas?sort=trending")) == ["Older", "Newer"]
    support_as(app, older, late)  # taken back: its latest support is now three days old
    assert card_titles(client.get("/ideas?sort=trending")) == ["Newer", "Older"]


def test_trending_pages_count_every_visible_idea(app, client, make_user, make_idea):
    app.config["PER_PAGE"] = 2
    expected = trending_board(app, make_user, make_idea)
    hidden = make_idea(title="Hidden by a moderator")
    support_as(app, hidden, make_user(), days_ago=0.1)
    with app.app_context():
        db.session.get(Idea, hidden.id).hidden_at = utcnow()
        db.session.commit()

    pages = [card_titles(client.get(f"/ideas?sort=trending&page={n}")) for n in (1, 2, 3)]
    assert pages == [expected[:2], expected[2:4], expected[4:]]
    past_the_end = client.get("/ideas?sort=trending&page=9")
    assert card_titles(past_the_end) == expected[4:]
    assert "Page 3" in text_of(past_the_end)


def test_sorts_combine_with_filters(app, client, board, make_user):
    people = [make_user() for _ in range(3)]
    with app.app_context():
        ideas = {i.title: i for i in db.session.scalars(select(Idea))}
    support_as(app, ideas["Later buses"], *people, days_ago=1)
    support_as(app, ideas["Bike racks"], people[0], days_ago=1)
    support_as(app, ideas["A new playground"], *people[:2], days_ago=1)
    assert card_titles(client.get("/ideas?sort=popular&topic=transport")) == ["Later buses", "Bike racks"]
    assert card_titles(client.get("/ideas?sort=trending&status=in_progress")) == ["A new playground", "Bike racks"]
    assert card_titles(client.get("/ideas?sort=active&area=kentish-town")) == ["Bike racks"]


# --- Skills ------------------------------------------------------------------------------


def test_skills_typed_differently_are_one_skill(app, make_user):
    browser = signed_in(app, make_user("sam"))
    assert browser.post("/help/new", data={**HELP, "title": "Shelves", "skills": "Carpentry , Van"}).status_code == 302
    assert browser.post("/help/new", data={**HELP, "title": "Bench", "skills": "carpentry,  CARPENTRY"}).status_code == 302
    assert browser.post("/account", data={"display_name": "", "bio": "", "skills": "  carpentry  "}).status_code == 302

    with app.app_context():
        names = db.session.scalars(select(Skill.name).order_by(Skill.name)).all()
        bench = db.session.scalar(select(HelpRequest).where(HelpRequest.title == "Bench"))
        bench_skills = [s.name for s in bench.skills]
    assert names == ["carpentry", "van"]
    assert bench_skills == ["carpentry"]


def test_a_skill_page_lists_open_requests_needing_it_and_people_offering_it(
    app, client, make_user, make_help_request
):
    author = make_user("sam")
    make_help_request(author=author, title="Put up shelves", skills=("carpentry", "drill"))
    matched = make_help_request(author=author, title="Mend a bench", skills=("carpentry",))
    closed = make_help_request(author=author, title="Fix the gate", skills=("carpentry",))
    make_help_request(author=author, title="A van on Saturday", skills=("van",))
    set_status(app, matched, HelpStatus.MATCHED)
    set_status(app, closed, HelpStatus.CLOSED)
    joiner = make_user("joiner", display_name="Jo the Joiner")
    driver = make_user("driver", display_name="Dee Driver")
    response = signed_in(app, joiner).post(
        "/account", data={"display_name": "Jo the Joiner", "bio": "", "skills": "Carpentry , first aid"})
    assert response.status_code == 302
    response = signed_in(app, driver).post(
        "/account", data={"display_name": "Dee Driver", "bio": "", "skills": "van"})
    assert response.status_code == 302

    response = client.get("/skills/carpentry")
    assert response.status_code == 200
    assert card_titles(response) == ["Put up shelves"]
    page = text_of(response)
    assert "Jo the Joiner" in page
    assert "Dee Driver" not in page
    assert "Mend a bench" not in page and "Fix the gate" not in page

    assert card_titles(client.get("/skills/Carpentry%20")) == ["Put up shelves"]
    van = client.get("/skills/van")
    assert card_titles(van) == ["A van on Saturday"]
    assert "Dee Driver" in text_of(van) and "Jo the Joiner" not in text_of(van)


def test_a_skill_nobody_needs_or_offers_yet_says_so(app, client, make_user, make_help_request):
    closed = make_help_request(title="Fix the gate", skills=("welding",))
    set_status(app, closed, HelpStatus.CLOSED)
    page = text_of(client.get("/skills/welding"))
    assert "No open request needs it right now." in page
    assert "Nobody has listed it yet." in page


@pytest.mark.parametrize("name", ["juggling", "%20", "a/b"])
def test_an_unknown_skill_page_is_404(client, make_help_request, name):
    make_help_request(skills=("carpentry",))
    assert client.get(f"/skills/{name}").status_code == 404


# --- Official statuses --------------------------------------------------------------------


def answer(browser, idea, status="under_consideration", response="We will look at this in June."):
    return browser.post(f"/ideas/{idea.id}/status", data={"status": status, "response": response})


def section(response, section_id: str) -> str:
    html = response.get_data(as_text=True)
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def words(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def updates_of(app, idea) -> list[tuple[str, str]]:
    with app.app_context():
        return [(u.status, u.response) for u in db.session.scalars(
            select(StatusUpdate).where(StatusUpdate.idea_id == idea.id).order_by(StatusUpdate.id))]


def test_staff_see_the_answer_form_and_members_do_not(app, make_user, make_idea):
    idea = make_idea()
    moderator = signed_in(app, make_user("mod", role="moderator"))
    html = moderator.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert re.search(r'<label for="status"[^>]*>Status</label>', html)
    assert re.search(r'<label for="response"[^>]*>Official response</label>', html)
    member = signed_in(app, make_user("member"))
    assert "Answer this idea officially" not in text_of(member.get(f"/ideas/{idea.id}"))


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_set_a_status_with_an_official_dated_response(app, client, make_user, make_idea, role):
    idea = make_idea(title="Plant fruit trees")
    staff = make_user("council", role=role, display_name="Pat from the Council")
    browser = signed_in(app, staff)

    response = answer(browser, idea, "in_progress", "Work starts **in June**.")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea.id}#official"
    assert fetch(app, Idea, idea.id).status == "in_progress"
    assert updates_of(app, idea) == [("in_progress", "Work starts **in June**.")]

    page = client.get(f"/ideas/{idea.id}")
    official = section(page, "official")
    assert "Official response" in words(official)
    assert "In progress" in words(official)
    assert "<strong>in June</strong>" in official
    with app.app_context():
        created = db.session.scalar(select(StatusUpdate.created_at))
        date = format_date(created)
    assert "Pat from the Council" in words(official)
    assert date in words(official)


def test_a_second_answer_keeps_the_first_in_the_dated_history(app, client, make_user, make_idea):
    idea = make_idea(title="Plant fruit trees")
    browser = signed_in(app, make_user("council", role="moderator"))
    assert answer(browser, idea, "under_consideration", "We will look at it.").status_code == 302
    with app.app_context():
        db.session.execute(update(StatusUpdate).values(created_at=datetime(2024, 5, 1, 12)))
        db.session.commit()
    page = client.get(f"/ideas/{idea.id}")
    assert "How this idea has been answered" not in text_of(page)  # one answer: no history yet

    assert answer(browser, idea, "done", "The trees are planted.").status_code == 302
    assert fetch(app, Idea, idea.id).status == "done"
    assert updates_of(app, idea) == [("under_consideration", "We will look at it."),
                                      ("done", "The trees are planted.")]
    page = client.get(f"/ideas/{idea.id}")
    official = words(section(page, "official"))
    assert "Done" in official and "The trees are planted." in official
    assert "We will look at it." not in official
    html = page.get_data(as_text=True)
    match = re.search(r'<section aria-labelledby="history-heading".*?</section>', html, re.S)
    assert match, "the page shows no history of answers"
    history = words(match.group(0))
    assert "How this idea has been answered" in history
    assert history.index("Done") < history.index("Under consideration")
    assert re.search(r"Under consideration ?, 1 May 2024", history)
    assert "We will look at it." in history and "The trees are planted." in history


def test_ideas_answered_officially_can_be_listed_by_status(app, client, make_user, make_idea):
    author = make_user("sam")
    trees = make_idea(author=author, title="Plant fruit trees")
    make_idea(author=author, title="Later buses")
    browser = signed_in(app, make_user("council", role="admin"))
    answer(browser, trees, "not_taken_forward", "There is no budget this year.")
    response = client.get("/ideas?status=not_taken_forward")
    assert card_titles(response) == ["Plant fruit trees"]
    assert "Not taken forward" in text_of(response)
    assert card_titles(client.get("/ideas?status=new")) == ["Later buses"]


def test_supporters_and_the_author_see_an_official_answer_on_their_dashboard(
    app, make_user, make_idea
):
    author = make_user("sam")
    fan = make_user("fan")
    bystander = make_user("bystander")
    staff = make_user("council", role="moderator", display_name="Pat from the Council")
    idea = make_idea(author=author, title="Plant fruit trees")
    support_as(app, idea, fan, staff)
    assert answer(signed_in(app, staff), idea, "done", "Planted.").status_code == 302

    expected = "Pat from the Council answered “Plant fruit trees” officially: Done"
    for person in (author, fan):
        dashboard = signed_in(app, person).get("/dashboard")
        assert expected in text_of(dashboard), person.username
    for person in (staff, bystander):
        assert "answered “Plant fruit trees” officially" not in text_of(signed_in(app, person).get("/dashboard"))


def test_staff_answering_their_own_idea_do_not_notify_themselves(app, make_user, make_idea):
    staff = make_user("council", role="admin")
    idea = make_idea(author=staff, title="Plant fruit trees")
    browser = signed_in(app, staff)
    assert answer(browser, idea, "done", "Planted.").status_code == 302
    assert "officially" not in text_of(browser.get("/dashboard"))


def test_a_member_cannot_set_a_status_and_nothing_changes(app, make_user, make_idea):
    author = make_user("sam")
    idea = make_idea(author=author)
    for person in (author, make_user("other")):
        response = answer(signed_in(app, person), idea, "done", "Done by me.")
        assert response.status_code == 403
    assert fetch(app, Idea, idea.id).status == "new"
    assert updates_of(app, idea) == []
    assert "Official response" not in text_of(signed_in(app, author).get(f"/ideas/{idea.id}"))


def test_a_visitor_answering_is_sent_to_sign_in(app, client, make_idea):
    idea = make_idea()
    response = answer(client, idea)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert updates_of(app, idea) == []


@pytest.mark.parametrize("data, field, message", [
    ({"status": "done", "response": ""}, "response",
     "Write the official response: say why, and what happens next."),
    ({"status": "done", "response": "   "}, "response",
     "Write the official response: say why, and what happens next."),
    ({"status": "finished", "response": "All done."}, "status", None),
])
def test_an_empty_response_or_unknown_status_is_refused(app, make_user, make_idea, data, field, message):
    idea = make_idea()
    browser = signed_in(app, make_user("council", role="moderator"))
    response = browser.post(f"/ideas/{idea.id}/status", data=data)
    assert response.status_code == 422
    error = field_error(response, field)
    assert error is not None
    if message:
        assert error == "Error: " + message
    assert fetch(app, Idea, idea.id).status == "new"
    assert updates_of(app, idea) == []


def test_answering_an_unknown_idea_is_404(app, make_user):
    browser = signed_in(app, make_user("council", role="moderator"))
    assert browser.post("/ideas/999/status", data={"status": "done", "response": "x"}).status_code == 404
