"""Words the board writes from its code reach each person in their language: emails in the
recipient's language (not the language of whoever caused them), and comments marked with
the language they are written in."""

from __future__ import annotations

import pytest
from flask import template_rendered
from flask_babel import force_locale, get_locale, gettext

from board.models import utcnow
from helpers import offer_languages, signed_in
from smtp import text_part


class EmailLanguages:
    """The language each email template was written in, as the board rendered it."""

    def __init__(self, app):
        self.app, self.seen = app, []

    def __enter__(self):
        template_rendered.connect(self.record, self.app)
        return self

    def __exit__(self, *exc):
        template_rendered.disconnect(self.record, self.app)

    def record(self, sender, template, context, **extra):
        if template.name.startswith("email/"):
            self.seen.append((template.name, str(get_locale())))


def comment_as(browser, idea, text):
    response = browser.post(f"/ideas/{idea.id}/comments", data={"comment": text})
    assert response.status_code == 302
    response.get_data()
    response.close()  # the board sends its mail once the page is answered


@pytest.mark.mail
def test_a_french_speaking_author_is_emailed_in_french_when_an_english_speaker_comments(
        app, make_user, make_idea, smtp_server):
    offer_languages(app)
    author = make_user("amelie", email_verified_at=utcnow(), display_name="Amélie", language="fr")
    commenter = make_user("bob", email_verified_at=utcnow(), display_name="Bob", language="en")
    idea = make_idea(author=author, title="Un frigo partagé")
    browser = signed_in(app, commenter)
    assert '<html lang="en">' in browser.get(f"/ideas/{idea.id}").get_data(as_text=True)

    with EmailLanguages(app) as languages:
        comment_as(browser, idea, "I can bring a fridge.")

    assert languages.seen == [("email/notification.txt", "fr"), ("email/notification.html", "fr")]
    message = smtp_server.wait_for(1)[0]
    with app.test_request_context(), force_locale("fr"):
        french = gettext("%(who)s commented on %(what)s", who="Bob",
                         what=gettext("\u201c%(title)s\u201d", title="Un frigo partagé"))
    # A subject is one line: its spaces, the no-break ones of French typography too, are plain.
    assert message["Subject"] == " ".join(french.split())
    assert french in text_part(message)
    # The commenter's own page stays in English.
    assert '<html lang="en">' in browser.get(f"/ideas/{idea.id}").get_data(as_text=True)


@pytest.mark.mail
def test_someone_who_never_chose_a_language_is_emailed_in_the_boards_default(
        app, make_user, make_idea, smtp_server):
    offer_languages(app, default="cy")
    author = make_user("gwen", email_verified_at=utcnow(), language="")
    commenter = make_user("bob", email_verified_at=utcnow(), language="fr")
    idea = make_idea(author=author, title="Oergell gymunedol")

    with EmailLanguages(app) as languages:
        comment_as(signed_in(app, commenter), idea, "Bonne idée !")

    assert {language for _, language in languages.seen} == {"cy"}
    smtp_server.wait_for(1)


def test_a_comment_written_in_french_is_marked_french_on_an_english_page(app, make_user, make_idea):
    offer_languages(app)
    idea = make_idea(title="A community fridge")
    browser = signed_in(app, make_user("amelie"))
    response = browser.post(f"/ideas/{idea.id}/comments",
                            data={"comment": "Bonne idée !", "language": "fr"})
    assert response.status_code == 302
    page = browser.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<div class="prose" lang="fr"><p>Bonne idée !</p>' in page


def test_a_comment_in_the_page_language_carries_no_mark(app, make_user, make_idea):
    offer_languages(app)
    idea = make_idea(title="A community fridge")
    browser = signed_in(app, make_user("sam"))
    browser.post(f"/ideas/{idea.id}/comments", data={"comment": "Good idea!", "language": "en"})
    page = browser.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert '<div class="prose"><p>Good idea!</p>' in page
