"""The board's languages: which one a page is in, and the links that switch it.

A page is in the language the person chose (kept in their account when signed in, in a
`language` cookie otherwise), else the best of their browser's languages that the board
offers, else the board's default language (Admin -> Settings).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from babel import Locale
from flask import Blueprint, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from markupsafe import Markup

bp = Blueprint("languages", __name__)
babel = Babel()

# Each language's name in that language, as the switcher shows it.
LANGUAGES = {"en": "English", "fr": "Français", "cy": "Cymraeg"}
COOKIE = "language"


def offered() -> list[str]:
    """The languages this board offers, its default first (the same list until the
    settings change: not to be changed by its callers)."""
    from ..admin import kept_while_unchanged

    return kept_while_unchanged("offered_languages", _offered)


def _offered() -> list[str]:
    from ..admin import board_settings

    return [code for code in board_settings().languages if code in LANGUAGES] or ["en"]


def chosen_language(choices: list[str] | None = None) -> str | None:
    """The person's own choice, if they made one the board still offers."""
    choices = choices or offered()
    person = current_user._get_current_object()
    if person.is_authenticated and person.language in choices:
        return person.language
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in choices else None


def select_language() -> Locale:
    choices = offered()
    if not has_request_context():  # the CLI and mail sent from a queue: the board's default
        return _locale(choices[0])
    if len(choices) > 1:
        # The answer depends on the cookie and the browser: a cache in front must keep
        # one copy per language, not show one person's language to the next.
        g.language_varies = True
    return _locale(chosen_language(choices) or request.accept_languages.best_match(choices) or choices[0])


@cache
def _locale(code: str) -> Locale:
    """Each language's Babel locale, made once: Flask-Babel would parse the code again on
    every request."""
    return Locale.parse(code)


def remember_language(response, code: str):
    """The chosen language, kept for a year in a cookie that is not a session."""
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, secure=request.is_secure,
                        httponly=True, samesite="Lax")
    return response


def page_language() -> str:
    return _language_in_force()[3]


def in_force():
    """(translations, locale for dates and numbers) of the language in force: the page's,
    or the one `force_locale` sets for an email to someone else.

    Every translated word of a page asks for this, so it is looked up once per language
    per request rather than through Flask-Babel's own lookups each time. The board's
    English is British English.
    """
    kept = _language_in_force()
    return kept[1], kept[2]


def _language_in_force() -> tuple:
    """(locale, translations, Babel's code for dates and numbers, the page's code)."""
    request_globals = g._get_current_object()  # looked up once, not through g each time
    babel_state = getattr(request_globals, "_flask_babel", None)  # where Flask-Babel keeps the locale in force
    locale = getattr(babel_state, "babel_locale", None)
    kept = getattr(request_globals, "language_in_force", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept
    if locale is None and has_request_context():
        # The page's language, not chosen yet: chosen here, and Flask-Babel told it as its
        # own lookups would have chosen it. Its translations are kept per language, as
        # Flask-Babel keeps them, without its lookups of where it keeps them (a page's
        # first word cost 25 µs, two thirds of it in those).
        if babel_state is None:
            babel_state = request_globals._flask_babel = SimpleNamespace()
        locale = babel_state.babel_locale = select_language()
        code = str(locale)
        kept_translations = current_app.extensions["translations_by_language"]
        translations = kept_translations.get(code)
        if translations is None:
            translations = kept_translations[code] = get_translations()
    else:
        translations = get_translations()  # force_locale's language, for an email to someone else
        locale = get_locale()
        code = str(locale or "en")
    kept = request_globals.language_in_force = (locale, translations, "en_GB" if code == "en" else code, code)
    return kept


def translated(text: str, **variables) -> str:
    """Flask-Babel's gettext, found through `in_force`: for words written many times on a
    page (each of a page of notifications says who did what)."""
    words = in_force()[0].ugettext(text)
    return words % variables if variables else words


def named(label) -> str:
    """A fixed name (a status, a kind: a lazy string made by `_l`) in the language in force.

    Lists name a status on every row; through its lazy string that is a Flask-Babel
    lookup each time. The name is the same for every row in one language, so each worker
    keeps it per language.
    """
    translations = in_force()[0]
    key = (id(translations), id(label))  # both live as long as the worker
    try:
        return _names[key]
    except KeyError:
        words = _names[key] = str(label)
        return words


_names: dict[tuple[int, int], str] = {}


def written_in(text) -> Markup:
    """ lang="xx" for what a person wrote in another language than the page's, so that a
    screen reader switches voice for it (WCAG 3.1.2); nothing when they are the same."""
    language = getattr(text, "language", None)
    if not language or language == page_language():
        return Markup("")
    return Markup(' lang="%s"') % language


def _vary_by_language(response):
    if g.get("language_varies"):
        if "Vary" in response.headers:
            response.vary.update(("Cookie", "Accept-Language"))  # the header read and written once
        else:  # as most pages: written, with nothing to read first
            response.headers["Vary"] = "Cookie, Accept-Language"
    return response


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_language)
    app.extensions["translations_by_language"] = {}  # see _language_in_force
    # Translators get whole sentences without the template's line breaks and indents.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # The same words as Flask-Babel's own template functions, found faster (in_force).
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: in_force()[0].ugettext(text),
        ngettext=lambda singular, plural, count: in_force()[0].ungettext(singular, plural, count),
        pgettext=lambda context, text: in_force()[0].upgettext(context, text),
        npgettext=lambda context, singular, plural, count: in_force()[0].unpgettext(
            context, singular, plural, count),
        newstyle=True,
    )
    app.jinja_env.globals.update(languages=LANGUAGES, offered_languages=offered,
                                 page_language=page_language, written_in=written_in)
    app.after_request(_vary_by_language)


from . import routes  # noqa: E402,F401
