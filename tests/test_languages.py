"""The board in English, French and Welsh: choosing a language, the browser's language,
the board's default, and the language people write in."""

from __future__ import annotations

import re

import pytest

from board.admin.models import BoardSettings
from board.extensions import db
from board.forms_common import Form
from board.models import Comment, HelpRequest, Idea
from helpers import Auth, account, fetch, field_error, input_value, offer_languages, signed_in

SETTINGS = {
    "name": "Simpl", "introduction": "", "contact_email": "", "code_of_conduct": "",
    "registration_mode": "open", "allowed_domains": "",
    "data_licence_name": "Open Government Licence v3.0",
    "data_licence_url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


def page_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no <html lang>"
    return match.group(1)


def switcher_links(response) -> list[str]:
    return re.findall(r'<a href="/language/[^"]*"[^>]*>[^<]*</a>', response.get_data(as_text=True))


# --- Choosing a language -----------------------------------------------------------------


def test_the_switcher_changes_the_page_language_and_remembers_it_in_a_cookie(client):
    assert page_lang(client.get("/")) == "en"
    response = client.get("/language/fr?next=/ideas/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("language=fr;"), "a cookie, and no session"
    assert page_lang(client.get("/ideas/")) == "fr"
    assert page_lang(client.get("/")) == "fr"


def test_the_switcher_names_each_language_in_that_language_and_marks_the_current_one(client):
    client.get("/language/cy")
    links = switcher_links(client.get("/ideas/"))
    assert len(links) == 3
    english, french, welsh = links
    assert 'lang="en" hreflang="en"' in english and ">English<" in english
    assert 'lang="fr" hreflang="fr"' in french and ">Français<" in french
    assert 'lang="cy" hreflang="cy"' in welsh and ">Cymraeg<" in welsh
    assert 'aria-current="true"' in welsh and "aria-current" not in english + french
    assert "next=/ideas/" in welsh


def test_people_reading_in_different_languages_at_once_each_get_their_own(app):
    # Each language's templates are compiled with their words in (board/languages/templates.py):
    # one person's language must never leak into the copy another reads.
    offer_languages(app)
    readers = {code: app.test_client() for code in ("fr", "en", "cy")}
    for code, reader in readers.items():
        reader.get(f"/language/{code}")
    headings = {"en": "<h1>Ideas</h1>", "fr": "<h1>Idées</h1>", "cy": "<h1>Syniadau</h1>"}
    # Words fixed in the code remember their last language (board/words.py): a sort's name.
    tabs = {"en": ">Most supported</a>", "fr": ">Les plus soutenues</a>", "cy": ">Y mwyaf o gefnogaeth</a>"}
    for _round in range(2):
        for code, reader in readers.items():
            page = reader.get("/ideas").get_data(as_text=True)
            assert headings[code] in page and tabs[code] in page, code
            assert f'<html lang="{code}"' in page
            others = {*headings.values(), *tabs.values()} - {headings[code], tabs[code]}
            assert not any(words in page for words in others), code


@pytest.mark.parametrize("target", [
    "https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example", "/%09/elsewhere.example",
])
def test_the_switcher_sends_nobody_to_another_site(client, target):
    response = client.get("/language/fr", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_language_the_board_does_not_offer_cannot_be_chosen(app, client):
    offer_languages(app, offered="en,cy")
    assert client.get("/language/fr").status_code == 404
    assert client.get("/language/xx").status_code == 404
    client.set_cookie("language", "fr")
    assert page_lang(client.get("/")) == "en"


def test_a_signed_in_choice_is_kept_in_the_account_across_sign_out_and_in(app, client, make_user):
    make_user("amina")
    auth = Auth(client)
    auth.login("amina")
    client.get("/language/cy?next=/ideas/")
    assert account(app, "amina").language == "cy"
    auth.logout()
    other_device = app.test_client()
    assert page_lang(other_device.get("/")) == "en"
    Auth(other_device).login("amina")
    assert page_lang(other_device.get("/")) == "cy"


def test_the_account_page_lets_a_person_choose_their_language(app, make_user):
    browser = signed_in(app, make_user("amina"))
    page = browser.get("/account")
    assert 'name="language"' in page.get_data(as_text=True)
    response = browser.post("/account", data={"display_name": "", "bio": "", "skills": "", "language": "fr"})
    assert response.status_code == 302
    assert account(app, "amina").language == "fr"
    assert page_lang(browser.get("/")) == "fr"


# --- The browser's language and the board's default ------------------------------------


def test_the_browser_language_applies_when_the_board_offers_it(app, client):
    response = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert page_lang(response) == "fr"
    assert {"Cookie", "Accept-Language"} <= set(response.vary)
    offer_languages(app, offered="en,cy")
    assert page_lang(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_the_admins_default_language_is_for_those_who_ask_for_none_offered(app, client, make_user):
    admin = signed_in(app, make_user("root", role="admin"))
    response = admin.post("/admin/settings", data={
        **SETTINGS, "default_language": "cy", "languages_offered": ["en", "cy"],
    })
    assert response.status_code == 302
    assert page_lang(client.get("/")) == "cy"
    assert page_lang(client.get("/", headers={"Accept-Language": "fr, de"})) == "cy"
    assert page_lang(client.get("/", headers={"Accept-Language": "en-GB"})) == "en"
    assert len(switcher_links(client.get("/"))) == 2


def test_with_one_language_offered_there_is_no_switcher_and_no_vary(app, client):
    offer_languages(app, offered="en")
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert switcher_links(response) == []
    assert page_lang(response) == "en"
    assert "Accept-Language" not in response.vary


def test_the_default_language_is_always_offered(app, make_user):
    admin = signed_in(app, make_user("root", role="admin"))
    admin.post("/admin/settings", data={**SETTINGS, "default_language": "fr", "languages_offered": ["cy"]})
    with app.app_context():
        assert db.session.get(BoardSettings, 1).languages == ["fr", "cy"]


# --- Forms' own messages ------------------------------------------------------------------


@pytest.mark.parametrize(("language", "required"), [
    ("fr", "Ce champ est requis."), ("cy", "Rhaid cwblhau'r maes hwn."),
])
def test_the_forms_own_messages_are_in_the_page_language(app, language, required):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        form = Form(meta={"csrf": False})
        assert form.meta.get_translations(form).gettext("This field is required.") == required


# --- The language people write in ----------------------------------------------------------


def test_an_idea_written_in_welsh_is_marked_welsh_on_its_page(app, make_user):
    browser = signed_in(app, make_user("amina"))
    form = browser.get("/ideas/new").get_data(as_text=True)
    assert re.search(r'<option selected value="en">English</option>', form), "the page's language first"
    response = browser.post("/ideas/new", data={
        "title": "Oergell gymunedol", "description": "Rhannu bwyd, gwastraffu llai.", "language": "cy",
    })
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert '<h1 lang="cy">Oergell gymunedol</h1>' in page
    assert '<div class="prose" lang="cy"><p>Rhannu bwyd, gwastraffu llai.</p>' in page
    assert re.search(r'<html lang="en">', page)


def test_what_people_write_takes_their_page_language_unless_they_say_otherwise(app, make_user):
    browser = signed_in(app, make_user("amina"))
    browser.get("/language/fr")
    browser.post("/ideas/new", data={"title": "Un frigo partagé", "description": "Moins de gaspillage."})
    with app.app_context():
        idea = db.session.scalars(db.select(Idea)).one()
        assert idea.language == "fr"
    browser.post(f"/ideas/{idea.id}/comments", data={"comment": "Bonne idée !"})
    response = browser.post("/help/new", data={
        "title": "Van", "details": "To move benches.", "skills": "van", "kind": "skills", "language": "en",
    })
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(Comment.language)).one() == "fr"
        assert db.session.scalars(db.select(HelpRequest.language)).one() == "en"


def test_a_language_that_is_not_offered_is_refused_next_to_the_field(app, make_user):
    offer_languages(app, offered="en,cy")
    browser = signed_in(app, make_user("amina"))
    response = browser.post("/ideas/new", data={"title": "Fridge", "description": "Share.", "language": "fr"})
    assert response.status_code == 422
    assert field_error(response, "language") == "Error: Choose one of the languages listed."
    assert input_value(response, "title") == "Fridge"


def test_editing_keeps_a_language_the_board_no_longer_offers(app, make_user, make_idea):
    author = make_user("amina")
    idea = make_idea(author=author)
    with app.app_context():
        db.session.get(Idea, idea.id).language = "fr"
        db.session.commit()
    offer_languages(app, offered="en,cy")
    browser = signed_in(app, author)
    response = browser.post(f"/ideas/{idea.id}/edit", data={"title": "Frigo", "description": "Partager."})
    assert response.status_code == 302
    assert fetch(app, Idea, idea.id).language == "fr"


def test_the_api_says_which_language_a_text_is_in(app, client, make_idea):
    idea = make_idea()
    with app.app_context():
        db.session.get(Idea, idea.id).language = "cy"
        db.session.commit()
    assert client.get(f"/api/v1/ideas/{idea.id}").get_json()["language"] == "cy"


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ['aria-label="Langue"', "Langue de ce texte"]),
    ("cy", ['aria-label="Iaith"', "Iaith y testun hwn"]),
])
def test_the_words_about_languages_are_in_the_page_language(app, make_user, language, words):
    browser = signed_in(app, make_user("amina"))
    browser.get(f"/language/{language}")
    page = browser.get("/ideas/new").get_data(as_text=True)
    for word in words:
        assert word in page


def test_a_text_in_the_page_language_needs_no_mark_and_an_english_one_on_a_french_page_has_one(
        app, client, make_idea):
    idea = make_idea(title="A community fridge")
    assert "<h1>A community fridge</h1>" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    client.get("/language/fr")
    assert '<h1 lang="en">A community fridge</h1>' in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_the_comment_form_asks_for_the_comments_language_only_when_there_is_a_choice(
        app, make_user, make_idea):
    idea = make_idea()
    browser = signed_in(app, make_user())
    page = browser.get(f"/ideas/{idea.id}").get_data(as_text=True)
    choice = re.search(r'<select[^>]*name="language"[^>]*>(.*?)</select>', page, re.S)
    assert choice, "the comment form has no language choice"
    assert re.findall(r'<option[^>]*value="(\w+)"', choice.group(1)) == ["en", "fr", "cy"]
    offer_languages(app, offered="en")
    page = browser.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'name="comment"' in page
    assert 'name="language"' not in page


def test_signing_in_greets_a_person_in_the_language_of_their_account(app, client, make_user):
    make_user("amina", language="cy")
    response = Auth(client).login("amina")
    page = client.get(response.headers["Location"])
    assert page_lang(page) == "cy"
    assert "Wedi mewngofnodi fel amina." in page.get_data(as_text=True)
