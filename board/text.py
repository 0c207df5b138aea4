"""The one place that turns what people type into HTML, and into plain words.

Markdown is parsed by markdown-it-py with raw HTML switched off, then the result
is cleaned by nh3 (the Ammonia sanitiser) against a short allow-list, so that no
script, event handler or `javascript:` link can come through either way.

Search indexes and quotes `plain_words(body)`: what the post's page shows, read as
text. "**three** bins" is "three bins", a link is its text, `&amp;` is "&", and no
mark of the Markdown is left, so snippets show no marks and link addresses are not
found.
"""

from __future__ import annotations

import re
from functools import lru_cache

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


# Tokens whose content is what a reader sees; everything else is markup.
_TEXT = {"text", "code_inline"}
_BLOCK_TEXT = {"code_block", "fence"}
_BREAKS = {"softbreak", "hardbreak"}
# One line with none of these is already plain words (the usual short comment):
# no need to parse it. Digits and "-" start lists, "<" and "&" HTML and entities,
# ":" and "@" links that linkify would make.
_MAYBE_MARKUP = re.compile(r"[\n*_`\[\]()#<>&|~\\!:@=+-]|^\s*\d|www\.")


@lru_cache(maxsize=512)  # a generated board repeats its few texts
def plain_words(markdown: str | None) -> str:
    """What a reader sees of `markdown`, as plain text: one line per block."""
    if not markdown:
        return ""
    if not _MAYBE_MARKUP.search(markdown):
        return markdown.strip()
    blocks: list[str] = []
    for token in _md.parse(markdown):
        if token.type == "inline":
            blocks.append("".join(
                child.content if child.type in _TEXT else " " if child.type in _BREAKS else ""
                for child in token.children or ()
            ))
        elif token.type in _BLOCK_TEXT:
            blocks.append(token.content.rstrip("\n"))
    return "\n".join(block for block in blocks if block.strip())
