"""What every search engine of the board shares: the kinds of post, a hit, and how a
snippet's matched words become <mark>."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from ..languages import named
from ..words import lazy_gettext as _l

KINDS = {"idea": 1, "help_request": 2, "comment": 3}
KIND_LABELS = {"idea": _l("Idea"), "help_request": _l("Help request"), "comment": _l("Comment")}
MAX_TERMS = 12
MAX_QUERY_LENGTH = 200
# Snippet markers that cannot occur in what people type (forms drop control characters).
START, STOP = "\x02", "\x03"


@dataclass
class Hit:
    kind: str
    target_id: int
    snippet: Markup
    title_html: Markup
    author: object = None  # filled in by the page that shows it
    discussion: str | None = None  # for a comment: the title of what it is on
    url: str | None = None  # where it is shown on the board

    @property
    def kind_label(self) -> str:
        return named(KIND_LABELS[self.kind])


def highlight(fragment: str) -> Markup:
    """Escape a snippet, then turn its markers into <mark>."""
    html = str(escape(fragment))
    return Markup(html.replace(START, "<mark>").replace(STOP, "</mark>"))
