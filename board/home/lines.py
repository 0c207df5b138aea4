"""The dashboard's lines, written as HTML by one function call each (the template has
them as `lines.ideas(ideas)`, and so on).

A dashboard lists a few dozen things: offers, notifications, requests, ideas. Drawn by
the template, each line cost a context lookup for every word, address and filter, about
half of the page's drawing; here each is a few string joins, in the page's language from
the catalogues' own words (trusted as the templates trust them: only what people wrote
is escaped).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..languages import in_force
from ..templating import plural, profile_link, remembered_url_for, time_ago


def _joined(lines) -> Markup:
    return Markup("\n".join(lines))


def _words(text: str) -> Markup:
    return Markup(in_force()[0].ugettext(text))


def awaiting(offers) -> Markup:
    """Offers waiting for the person's answer: who offered, on which request, and when."""
    words = _words('%(name)s offered to help with <a href="%(url)s">%(title)s</a>')
    return _joined(
        f'    <li>{words % {"name": profile_link(offer.person), "url": f"{_request_address(offer.request_id)}#offer-{offer.id}", "title": offer.request_title}}'
        f'      <span class="muted">{time_ago(offer.created_at)}</span></li>'
        for offer in offers
    )


def _request_address(request_id: int) -> str:
    """A help request's address (a Markup % or an escape puts it in an attribute)."""
    return remembered_url_for("help.detail", help_request_id=request_id)


def latest(items) -> Markup:
    """The person's latest notifications, the unread marked new."""
    new = f'<strong class="tag tag--new">{_words("New")}</strong> '
    return _joined(
        f'    <li>{"" if item.is_read else new}<a href="{escape(item.url)}">{escape(item.sentence)}</a>\n'
        f'      <span class="muted">{time_ago(item.created_at)}</span></li>'
        for item in items
    )


def could_help(requests) -> Markup:
    """Open requests that need what the person offers: whose, where, and what they need."""
    for_whom, needs = _words("for %(name)s"), _words("needs %(skills)s")
    return _joined(
        f'    <li><a href="{escape(_request_address(request.id))}">{escape(request.title)}</a>\n'
        f'      <span class="muted">{for_whom % {"name": request.author.name}}'
        f'{f" · {escape(request.area_name)}" if request.area_name else ""}'
        f' · {needs % {"skills": ", ".join(request.skills)}}</span></li>'
        for request in requests
    )


def offers(offers) -> Markup:
    """The help the person offered: on which request, for whom, and where it stands."""
    for_whom = _words("for %(name)s:")
    return _joined(
        f'      <li><a href="{escape(_request_address(offer.request_id))}">'
        f'{escape(offer.request_title)}</a>\n'
        f'{for_whom % {"name": profile_link(offer.person)}} '  # at the line's start, as the template had it
        f'<span class="tag tag--{escape(offer.status)}">{escape(offer.status_label)}</span></li>'
        for offer in offers
    )


def ideas(ideas) -> Markup:
    """The person's ideas, with their supporters and comments."""
    return _joined(
        f'      <li><a href="{escape(remembered_url_for("ideas.detail", idea_id=idea.id))}">{escape(idea.title)}</a>\n'
        f'        <span class="muted">{escape(plural(idea.supporters_count, "%(num)s supporter", "%(num)s supporters"))}, '
        f'{escape(plural(idea.comments_count, "%(num)s comment", "%(num)s comments"))}</span></li>'
        for idea in ideas
    )


def requests(requests) -> Markup:
    """The person's help requests, with where each stands and its offers."""
    return _joined(
        f'      <li><a href="{escape(_request_address(request.id))}">{escape(request.title)}</a> '
        f'<strong class="tag tag--{escape(request.status)}">{escape(request.status_label)}</strong>\n'
        f'        <span class="muted">{escape(plural(request.offers_count, "%(num)s offer", "%(num)s offers"))}</span></li>'
        for request in requests
    )
