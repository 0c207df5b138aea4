"""The header's language switcher, written as HTML by one function call: it is on every
page, and drawn by the template its links cost a loop, an address and a lookup each."""

from __future__ import annotations

from functools import lru_cache

from flask import request
from markupsafe import Markup, escape

from ..templating import quoted_in_query, remembered_url_for
from . import LANGUAGES, in_force, offered, page_language


def language_links() -> Markup:
    """A link to each language the board offers, in its own name, coming back to this page
    (plain links: they work without JavaScript, and the cookie they set is not a session).
    Nothing when the board offers one language."""
    choices = offered()
    if len(choices) < 2:
        return Markup("")
    # The page to come back to, quoted once for every link, as the URL map quotes it.
    back = escape(quoted_in_query(request.full_path if request.query_string else request.path))
    current = page_language()
    links = "".join(
        f'          <li><a href="{address}{back}" '
        f'lang="{code}" hreflang="{code}"{_CURRENT if code == current else ""}>{LANGUAGES[code]}</a></li>\n'
        for code, address in zip(choices, _addresses(request.script_root, tuple(choices)), strict=True)
    )
    label = escape(in_force()[0].ugettext("Language"))
    return Markup(f'      <nav class="site-nav" aria-label="{label}">\n        <ul class="site-nav__list">\n'
                  f'{links}        </ul>\n      </nav>\n')


_CURRENT = ' aria-current="true"'


@lru_cache(maxsize=32)
def _addresses(root: str, codes: tuple[str, ...]) -> list[Markup]:
    """Each language's link but for the page to come back to, for a board at `root`."""
    return [escape(remembered_url_for("languages.choose", code=code, next="")) for code in codes]
