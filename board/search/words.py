"""The text search indexes and shows: the plain words a reader sees in a post.

A description or comment is stored as its Markdown source. Search finds and quotes
what the post's page shows instead: "**three** bins" is "three bins", a link is its
text, `&amp;` is "&", and no mark of the Markdown is left. Any search engine the
board runs on indexes `plain_words(body)`, so this is the one place that decides it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

# The same reading of Markdown as board/text.py, without rendering any HTML.
_md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
_md.enable(["linkify", "strikethrough", "table"])
_md.disable("image")

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
