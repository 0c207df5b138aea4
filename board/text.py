"""The one place that turns what people type into HTML.

Markdown is parsed by markdown-it-py with raw HTML switched off, then the result
is cleaned by nh3 (the Ammonia sanitiser) against a short allow-list, so that no
script, event handler or `javascript:` link can come through either way.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
_md.enable(["linkify", "strikethrough", "table"])
# Pictures from anywhere on the web would leak visitors' addresses and often lack alt text.
_md.disable("image")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Safe HTML for a description or comment written in Markdown."""
    tokens = _md.parse(text or "")
    for token in tokens:
        # A person's "# Heading" must not outrank the page's own headings.
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
    html = _md.renderer.render(tokens, _md.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
    )
