"""Markdown becomes safe HTML: formatting works, nothing can run."""

from html.parser import HTMLParser

import pytest

from board.text import render_markdown


class Elements(HTMLParser):
    """The real elements and attributes in a piece of HTML (escaped text is not an element)."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_markdown_formatting_is_rendered():
    html = render_markdown("**bold** and _soft_\n\n- one\n- two\n\n[a link](https://example.org)")
    assert "<strong>bold</strong>" in html
    assert "<em>soft</em>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener noreferrer">a link</a>' in html


def test_bare_addresses_become_links():
    assert '<a href="https://example.org/page"' in render_markdown("see https://example.org/page")


def test_headings_in_posts_never_outrank_the_page_headings():
    html = render_markdown("# Big\n\n## Smaller")
    assert "<h1>" not in html and "<h2>" not in html
    assert "<h3>Big</h3>" in html and "<h4>Smaller</h4>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<svg onload="alert(1)">',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_nothing_a_person_types_can_run(hostile):
    for tag, attrs in Elements(render_markdown(hostile)).tags:
        assert tag not in {"script", "iframe", "svg", "img", "object", "embed", "style"}
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), href


def test_pictures_are_not_embedded():
    html = render_markdown("![a cat](https://example.org/cat.png)")
    assert "<img" not in html
    assert "a cat" in html
