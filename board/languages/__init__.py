"""The board's languages: which one a page is in, and the links that switch it.

A page is in the language the person chose (kept in their account when signed in, in a
`language` cookie otherwise), else the best of their browser's languages that the board
offers, else the board's default language (Admin -> Settings).
"""

from __future__ import annotations

from flask import Blueprint, g, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user
from markupsafe import Markup

bp = Blueprint("languages", __name__)
babel = Babel()

# Each language's name in that language, as the switcher shows it.
LANGUAGES = {"en": "English", "fr": "Français", "cy": "Cymraeg"}
COOKIE = "language"


def offered() -> list[str]:
    """The languages this board offers, its default first."""
    from ..admin import board_settings

    return [code for code in board_settings().languages if code in LANGUAGES] or ["en"]


def chosen_language() -> str | None:
    """The person's own choice, if they made one the board still offers."""
    choices = offered()
    if current_user and current_user.is_authenticated and current_user.language in choices:
        return current_user.language
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in choices else None


def select_language() -> str:
    choices = offered()
    if not has_request_context():  # the CLI and mail sent from a queue: the board's default
        return choices[0]
    if len(choices) > 1:
        # The answer depends on the cookie and the browser: a cache in front must keep
        # one copy per language, not show one person's language to the next.
        g.language_varies = True
    return chosen_language() or request.accept_languages.best_match(choices) or choices[0]


def remember_language(response, code: str):
    """The chosen language, kept for a year in a cookie that is not a session."""
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, secure=request.is_secure,
                        httponly=True, samesite="Lax")
    return response


def page_language() -> str:
    return str(get_locale() or "en")


def written_in(text) -> Markup:
    """ lang="xx" for what a person wrote in another language than the page's, so that a
    screen reader switches voice for it (WCAG 3.1.2); nothing when they are the same."""
    language = getattr(text, "language", None)
    if not language or language == page_language():
        return Markup("")
    return Markup(' lang="%s"') % language


def _vary_by_language(response):
    if g.get("language_varies"):
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
    return response


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_language)
    # Translators get whole sentences without the template's line breaks and indents.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(languages=LANGUAGES, offered_languages=offered,
                                 page_language=page_language, written_in=written_in)
    app.after_request(_vary_by_language)


from . import routes  # noqa: E402,F401
