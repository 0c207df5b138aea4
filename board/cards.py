"""Cards, the rows of every list, written as HTML by one function call for the whole list.

A list shows twenty of them. Drawn by a Jinja macro, a card cost hundreds of small
calls (a macro per tag, a context lookup per translation, filter and address), most
of a list page's time. Here each costs a few dozen and reads the same, and what the
cards of a list share (the page's words and language, the time now, the beginnings of
their addresses) is looked up once for the list. The words are the catalogues' own, so
a card is in the page's language like the rest of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from flask import request
from markupsafe import Markup, escape

from .languages import in_force
from .listing import HelpCard, IdeaCard
from .pledge import answer_clock
from .templating import PostsDrawing, remembered_url_for


def thumbnail(card: IdeaCard | HelpCard) -> str:
    """The card's first photo, small, with its description as its text."""
    photo = card.thumb
    if photo is None:
        return ""
    address = remembered_url_for("home.photo", name=photo.filename("thumb"))
    return (f'\n  <img src="{escape(address)}" alt="{escape(photo.alt)}" width="{photo.width}" '
            f'height="{photo.height}" loading="lazy" class="card__thumb">')


class _Cards(PostsDrawing):
    """What the cards of one list share."""

    __slots__ = ()

    def byline(self, card: IdeaCard | HelpCard) -> dict[str, str]:
        return {"name": self.person(card.author), "when": self.ago(card.created_at)}


def idea_cards_html(ideas: Iterable[IdeaCard], heading: str = "h3") -> Markup:
    """The cards of a list of ideas."""
    shared = _Cards()
    return Markup("".join([_idea_card(idea, heading, shared) for idea in ideas]))


def _idea_card(idea: IdeaCard, heading: str, shared: _Cards) -> str:
    status = ""
    if idea.status != "new":
        status = f'<strong class="tag tag--idea-{idea.status}">{escape(idea.status_label)}</strong> '
    # The catalogue's words are trusted, as the templates trust them; the name and the
    # moment put in them are HTML already, their text escaped.
    byline = shared.gettext("By %(name)s, %(when)s") % shared.byline(idea)
    area = f" · {escape(idea.area_name)}" if idea.area_name else ""
    return (
        f'<li class="card">\n  <{heading} class="card__title"><a href="{shared.idea_address(idea.id)}">'
        f'{escape(idea.title)}</a></{heading}>{thumbnail(idea)}\n'
        f'  <p class="card__meta">{status}{byline}{area}</p>\n'
        '  <p class="card__counts">\n'
        f'    <span class="count">{shared.counted(idea.supporters_count, "%(num)s supporter", "%(num)s supporters")}</span>\n'
        f'    <span class="count">{shared.counted(idea.comments_count, "%(num)s comment", "%(num)s comments")}</span>\n'
        f'  </p>\n  {answer_clock(idea)}\n</li>'
    )


def help_cards_html(requests: Iterable[HelpCard], heading: str = "h3", show_idea: bool = True) -> Markup:
    """The cards of a list of help requests, each with the idea it is for unless `show_idea` is False."""
    shared = _Cards()
    return Markup("".join([_help_card(request, heading, show_idea, shared) for request in requests]))


def _help_card(request: HelpCard, heading: str, show_idea: bool, shared: _Cards) -> str:
    _ = shared.gettext
    words = shared.byline(request)
    if show_idea and request.idea_id:
        words["url"] = escape(shared.idea_address(request.idea_id))
        words["idea"] = escape(request.idea_title)
        byline = _('Asked by %(name)s, %(when)s for <a href="%(url)s">%(idea)s</a>') % words
    else:
        byline = _("Asked by %(name)s, %(when)s") % words
    area = f" · {escape(request.area_name)}" if request.area_name else ""
    kind = ""
    if request.kind and request.kind != "skills":
        kind = " · " + _("Needs: %(kind)s") % {"kind": escape(str(request.kind_label).lower())}
    return (
        f'<li class="card">\n  <{heading} class="card__title"><a href="{shared.request_address(request.id)}">'
        f'{escape(request.title)}</a></{heading}>{thumbnail(request)}\n'
        f'  <p class="card__meta"><strong class="tag tag--{request.status}">{escape(request.status_label)}</strong> '
        f'{byline}{area}{kind}</p>\n'
        f'  {skill_tags(request.skills)}\n'
        f'  <p class="card__counts"><span class="count">{shared.counted(request.offers_count, "%(num)s offer", "%(num)s offers")}</span>\n'
        f'  <span class="count">{shared.counted(request.comments_count, "%(num)s comment", "%(num)s comments")}</span></p>\n'
        '</li>'
    )


def skill_tags(skills) -> Markup:
    """Skill names (a request's needs, a person's offers), each linked to its page."""
    skills = list(skills)
    if not skills:
        return Markup("")
    label = escape(in_force()[0].ugettext("Skills or resources"))
    root = request.script_root
    items = "".join(_skill_item(root, skill) for skill in skills)
    return Markup(f'<ul class="skills" aria-label="{label}">\n  {items}\n</ul>')


@lru_cache(maxsize=4096)
def _skill_item(script_root: str, skill: str) -> str:
    """One skill's tag, the same wherever it is shown: a list of help wanted shows dozens,
    from a board's few hundred skills."""
    address = remembered_url_for("people.skill", name=skill)  # under `script_root`
    return f'<li class="skill"><a href="{escape(address)}">{escape(skill)}</a></li>'
