"""The header's language switcher, written as HTML by one function call: it is on every
page, and drawn by the template its links cost a loop, an address and a lookup each."""

from __future__ import annotations

from flask import request
from markupsafe import Markup, escape

from ..templating import remembered_url_for
from . import LANGUAGES, in_force, offered, page_language


def language_links() -> Markup:
    """A link to each language the board offers, in its own name, coming back to this page
    (plain links: they work without JavaScript, and the cookie they set is not a session).
    Nothing when the board offers one language."""
    choices = offered()
    if len(choices) < 2:
        return Markup("")
    here = request.full_path if request.query_string else request.path
    current = page_language()
    links = "".join(
        f'          <li><a href="{escape(remembered_url_for("languages.choose", code=code, next=here))}" '
        f'lang="{code}" hreflang="{code}"{_CURRENT if code == current else ""}>{LANGUAGES[code]}</a></li>\n'
        for code in choices
    )
    label = escape(in_force()[0].ugettext("Language"))
    return Markup(f'      <nav class="site-nav" aria-label="{label}">\n        <ul class="site-nav__list">\n'
                  f'{links}        </ul>\n      </nav>\n')


_CURRENT = ' aria-current="true"'
