"""A discussion's comments, written as HTML by one function call, as cards are (board/cards.py),
with what they share (the words, the time now, profiles' addresses) looked up once.

An idea's page is what a board's readers open most, and the one they open is seldom one
whose discussion is kept (board/fragments.py): drawn by a template, each comment cost a
context lookup for each name, filter and translation (some 18 µs). Here each is a few
string joins; the words are the catalogues' own, trusted as the templates trust them, and
only what people wrote (their names) is escaped, as their posts were when written.
"""

from __future__ import annotations

from markupsafe import Markup

from ..languages import page_language
from ..listing import CommentView
from ..templating import ListDrawing


def thread_html(comments: list[CommentView]) -> str:
    """The comments, oldest first, each marked where its links go for each reader
    (<!--actions:id:author-->) or, hidden by a moderator, where its text goes for those who
    may read it (<!--hidden:id:author-->): board/comments fills both in."""
    shared = ListDrawing()
    _ = shared.gettext
    if not comments:
        return f'<p class="muted">{_("No comments yet.")}</p>\n'
    language = page_language()
    removed, edited = _("This comment was removed by a moderator."), _("(edited)")
    items = []
    for comment in comments:
        if comment.hidden:
            items.append(
                f'  <li class="comment" id="comment-{comment.id}">\n'
                f'    <p class="comment__removed">{removed}</p>\n'
                f'    <!--hidden:{comment.id}:{comment.author.id}-->\n'
                '  </li>\n')
            continue
        note = f' <span class="muted">{edited}</span>' if comment.updated_at else ""
        # Marked when written in another language than the page's (WCAG 3.1.2), as written_in does.
        spoken = f' lang="{Markup.escape(comment.language)}"' if comment.language and comment.language != language else ""
        items.append(
            f'  <li class="comment" id="comment-{comment.id}">\n'
            f'    <p class="comment__meta"><strong>{shared.person(comment.author)}</strong> '
            f'{shared.ago(comment.created_at)}{note}</p>\n'
            f'    <div class="prose"{spoken}>{comment.body_html}</div>\n'
            f'    <!--actions:{comment.id}:{comment.author.id}-->\n'
            '  </li>\n')
    return '<ol class="comments" aria-labelledby="comments-heading">\n' + "".join(items) + "</ol>\n"
