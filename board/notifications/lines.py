"""The notifications page's lines, written as HTML by one function call for the page.

A page shows up to twenty, most with a button to mark it read. Drawn by the template,
each line cost a macro call and a context lookup for every word, address and filter, a
sixth of the page's time; here each is a few string joins, in the page's language, with
what the lines share (the words, the time now, the token, the buttons' address but for
the notification's id) looked up once for the page.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..templating import ListDrawing, address_by_id, csrf_token, post_button
from .reading import Shown


def notification_lines(items: list[Shown], page_number: int) -> Markup:
    """The lines of one page of notifications; an unread one is marked new and has a button
    that marks it read and comes back to this page."""
    shared = ListDrawing()
    _ = shared.gettext
    # The catalogues' words are trusted as the templates trust them; what people wrote is escaped.
    new, mark_as_read, named = Markup(_("New")), Markup(_("Mark as read")), _("Mark as read: %(notification)s")
    token = escape(csrf_token())
    marking_read = address_by_id("notifications.read", "notification_id",
                                 page=page_number if page_number > 1 else None)
    lines = []
    for item in items:
        sentence = escape(item.sentence)
        moment = shared.ago(item.created_at)
        if item.is_read:
            lines.append(f'  <li class="notification">\n'
                         f'    <a href="{escape(item.url)}">{sentence}</a>\n'
                         f'    <span class="muted">{moment}</span>\n'
                         '  </li>\n')
            continue
        button = post_button(marking_read(item.id), mark_as_read,
                             name=Markup(named % {"notification": sentence}), token=token)
        lines.append(f'  <li class="notification notification--unread">\n'
                     f'<strong class="tag tag--new">{new}</strong>    <a href="{escape(item.url)}">{sentence}</a>\n'
                     f'    <span class="muted">{moment}</span>\n'
                     f'{button}  </li>\n')
    return Markup("".join(lines))
