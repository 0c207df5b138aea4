"""The dashboard's lines, written as HTML by one method call for each list (the template
has them as `lines.ideas(ideas)`, and so on).

A dashboard lists a few dozen things: offers, notifications, requests, ideas. Drawn by
the template, each line cost a context lookup for every word, address and filter, about
half of the page's drawing; here each is a few string joins, in the page's language from
the catalogues' own words (trusted as the templates trust them: only what people wrote
is escaped), with what the lists share looked up once for the page.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..templating import PostsDrawing


def _joined(lines) -> Markup:
    return Markup("\n".join(lines))


class DashboardLines(PostsDrawing):
    """The dashboard's lists, drawn with what they all share looked up once for the page."""

    __slots__ = ()

    def awaiting(self, offers) -> Markup:
        """Offers waiting for the person's answer: who offered, on which request, and when."""
        words = self.gettext('%(name)s offered to help with <a href="%(url)s">%(title)s</a>')
        return _joined(
            f'    <li>{words % {"name": self.person(offer.person), "url": escape(f"{self.request_address(offer.request_id)}#offer-{offer.id}"), "title": escape(offer.request_title)}}'
            f'      <span class="muted">{self.ago(offer.created_at)}</span></li>'
            for offer in offers
        )

    def latest(self, items) -> Markup:
        """The person's latest notifications, the unread marked new."""
        new = f'<strong class="tag tag--new">{self.gettext("New")}</strong> '
        return _joined(
            f'    <li>{"" if item.is_read else new}<a href="{escape(item.url)}">{escape(item.sentence)}</a>\n'
            f'      <span class="muted">{self.ago(item.created_at)}</span></li>'
            for item in items
        )

    def could_help(self, requests) -> Markup:
        """Open requests that need what the person offers: whose, where, and what they need."""
        for_whom, needs = self.gettext("for %(name)s"), self.gettext("needs %(skills)s")
        return _joined(
            f'    <li><a href="{escape(self.request_address(request.id))}">{escape(request.title)}</a>\n'
            f'      <span class="muted">{for_whom % {"name": escape(request.author.name)}}'
            f'{f" · {escape(request.area_name)}" if request.area_name else ""}'
            f' · {needs % {"skills": escape(", ".join(request.skills))}}</span></li>'
            for request in requests
        )

    def offers(self, offers) -> Markup:
        """The help the person offered: on which request, for whom, and where it stands."""
        for_whom = self.gettext("for %(name)s:")
        return _joined(
            f'      <li><a href="{escape(self.request_address(offer.request_id))}">'
            f'{escape(offer.request_title)}</a>\n'
            f'{for_whom % {"name": self.person(offer.person)}} '  # at the line's start, as the template had it
            f'<span class="tag tag--{escape(offer.status)}">{escape(offer.status_label)}</span></li>'
            for offer in offers
        )

    def ideas(self, ideas) -> Markup:
        """The person's ideas, with their supporters and comments."""
        return _joined(
            f'      <li><a href="{escape(self.idea_address(idea.id))}">{escape(idea.title)}</a>\n'
            f'        <span class="muted">{self.counted(idea.supporters_count, "%(num)s supporter", "%(num)s supporters")}, '
            f'{self.counted(idea.comments_count, "%(num)s comment", "%(num)s comments")}</span></li>'
            for idea in ideas
        )

    def requests(self, requests) -> Markup:
        """The person's help requests, with where each stands and its offers."""
        return _joined(
            f'      <li><a href="{escape(self.request_address(request.id))}">{escape(request.title)}</a> '
            f'<strong class="tag tag--{escape(request.status)}">{escape(request.status_label)}</strong>\n'
            f'        <span class="muted">{self.counted(request.offers_count, "%(num)s offer", "%(num)s offers")}</span></li>'
            for request in requests
        )
