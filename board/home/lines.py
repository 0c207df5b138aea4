"""The dashboard's lines, written as HTML by one function call for each list (the template
has them as `lines.ideas(ideas)`, and so on).

A dashboard lists a few dozen things: offers, notifications, requests, ideas. Drawn by
the template, each line cost a context lookup for every word, address and filter, about
half of the page's drawing; here each is a few string joins, in the page's language from
the catalogues' own words (trusted as the templates trust them: only what people wrote
is escaped), with what a list's lines share looked up once for the list.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..templating import ListDrawing, address_by_id


def _joined(lines) -> Markup:
    return Markup("\n".join(lines))


def _request_addresses():
    return address_by_id("help.detail", "help_request_id")


def awaiting(offers) -> Markup:
    """Offers waiting for the person's answer: who offered, on which request, and when."""
    shared, address = ListDrawing(), _request_addresses()
    words = shared.gettext('%(name)s offered to help with <a href="%(url)s">%(title)s</a>')
    return _joined(
        f'    <li>{words % {"name": shared.person(offer.person), "url": escape(f"{address(offer.request_id)}#offer-{offer.id}"), "title": escape(offer.request_title)}}'
        f'      <span class="muted">{shared.ago(offer.created_at)}</span></li>'
        for offer in offers
    )


def latest(items) -> Markup:
    """The person's latest notifications, the unread marked new."""
    shared = ListDrawing()
    new = f'<strong class="tag tag--new">{shared.gettext("New")}</strong> '
    return _joined(
        f'    <li>{"" if item.is_read else new}<a href="{escape(item.url)}">{escape(item.sentence)}</a>\n'
        f'      <span class="muted">{shared.ago(item.created_at)}</span></li>'
        for item in items
    )


def could_help(requests) -> Markup:
    """Open requests that need what the person offers: whose, where, and what they need."""
    shared, address = ListDrawing(), _request_addresses()
    for_whom, needs = shared.gettext("for %(name)s"), shared.gettext("needs %(skills)s")
    return _joined(
        f'    <li><a href="{escape(address(request.id))}">{escape(request.title)}</a>\n'
        f'      <span class="muted">{for_whom % {"name": escape(request.author.name)}}'
        f'{f" · {escape(request.area_name)}" if request.area_name else ""}'
        f' · {needs % {"skills": escape(", ".join(request.skills))}}</span></li>'
        for request in requests
    )


def offers(offers) -> Markup:
    """The help the person offered: on which request, for whom, and where it stands."""
    shared, address = ListDrawing(), _request_addresses()
    for_whom = shared.gettext("for %(name)s:")
    return _joined(
        f'      <li><a href="{escape(address(offer.request_id))}">'
        f'{escape(offer.request_title)}</a>\n'
        f'{for_whom % {"name": shared.person(offer.person)}} '  # at the line's start, as the template had it
        f'<span class="tag tag--{escape(offer.status)}">{escape(offer.status_label)}</span></li>'
        for offer in offers
    )


def ideas(ideas) -> Markup:
    """The person's ideas, with their supporters and comments."""
    shared, address = ListDrawing(), address_by_id("ideas.detail", "idea_id")
    return _joined(
        f'      <li><a href="{escape(address(idea.id))}">{escape(idea.title)}</a>\n'
        f'        <span class="muted">{shared.counted(idea.supporters_count, "%(num)s supporter", "%(num)s supporters")}, '
        f'{shared.counted(idea.comments_count, "%(num)s comment", "%(num)s comments")}</span></li>'
        for idea in ideas
    )


def requests(requests) -> Markup:
    """The person's help requests, with where each stands and its offers."""
    shared, address = ListDrawing(), _request_addresses()
    return _joined(
        f'      <li><a href="{escape(address(request.id))}">{escape(request.title)}</a> '
        f'<strong class="tag tag--{escape(request.status)}">{escape(request.status_label)}</strong>\n'
        f'        <span class="muted">{shared.counted(request.offers_count, "%(num)s offer", "%(num)s offers")}</span></li>'
        for request in requests
    )
