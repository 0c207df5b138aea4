"""Cards, the rows of every list, written as HTML by one function call each.

A list shows twenty of them. Drawn by a Jinja macro, a card cost hundreds of small
calls (a macro per tag, a context lookup per translation, filter and address), most
of a list page's time. Here each costs a few dozen and reads the same. The words are
the catalogues' own, so a card is in the page's language like the rest of it.
"""

from __future__ import annotations

from functools import lru_cache

from flask import request
from markupsafe import Markup, escape

from .languages import in_force
from .listing import HelpCard, IdeaCard
from .pledge import answer_clock
from .templating import plural, profile_link, remembered_url_for, time_ago


def thumbnail(card: IdeaCard | HelpCard) -> str:
    """The card's first photo, small, with its description as its text."""
    photo = card.thumb
    if photo is None:
        return ""
    address = remembered_url_for("home.photo", name=photo.filename("thumb"))
    return (f'\n  <img src="{escape(address)}" alt="{escape(photo.alt)}" width="{photo.width}" '
            f'height="{photo.height}" loading="lazy" class="card__thumb">')


def idea_card(idea: IdeaCard, heading: str = "h3") -> Markup:
    translations = in_force()[0]
    address = remembered_url_for("ideas.detail", idea_id=idea.id)
    status = ""
    if idea.status != "new":
        status = f'<strong class="tag tag--idea-{idea.status}">{escape(idea.status_label)}</strong> '
    byline = Markup(translations.ugettext("By %(name)s, %(when)s")) % {
        "name": profile_link(idea.author), "when": time_ago(idea.created_at)}
    area = f" · {escape(idea.area_name)}" if idea.area_name else ""
    return Markup(
        f'<li class="card">\n  <{heading} class="card__title"><a href="{address}">{escape(idea.title)}</a></{heading}>{thumbnail(idea)}\n'
        f'  <p class="card__meta">{status}{byline}{area}</p>\n'
        '  <p class="card__counts">\n'
        f'    <span class="count">{escape(plural(idea.supporters_count, "%(num)s supporter", "%(num)s supporters"))}</span>\n'
        f'    <span class="count">{escape(plural(idea.comments_count, "%(num)s comment", "%(num)s comments"))}</span>\n'
        f'  </p>\n  {answer_clock(idea)}\n</li>'
    )


def help_card(request: HelpCard, heading: str = "h3", show_idea: bool = True) -> Markup:
    translations = in_force()[0]
    address = remembered_url_for("help.detail", help_request_id=request.id)
    words = {"name": profile_link(request.author), "when": time_ago(request.created_at)}
    if show_idea and request.idea_id:
        words["url"] = remembered_url_for("ideas.detail", idea_id=request.idea_id)
        words["idea"] = request.idea_title
        byline = Markup(translations.ugettext('Asked by %(name)s, %(when)s for <a href="%(url)s">%(idea)s</a>')) % words
    else:
        byline = Markup(translations.ugettext("Asked by %(name)s, %(when)s")) % words
    area = f" · {escape(request.area_name)}" if request.area_name else ""
    kind = ""
    if request.kind and request.kind != "skills":
        kind = " · " + Markup(translations.ugettext("Needs: %(kind)s")) % {"kind": str(request.kind_label).lower()}
    return Markup(
        f'<li class="card">\n  <{heading} class="card__title"><a href="{address}">{escape(request.title)}</a></{heading}>{thumbnail(request)}\n'
        f'  <p class="card__meta"><strong class="tag tag--{request.status}">{escape(request.status_label)}</strong> '
        f'{byline}{area}{kind}</p>\n'
        f'  {skill_tags(request.skills)}\n'
        f'  <p class="card__counts"><span class="count">{escape(plural(request.offers_count, "%(num)s offer", "%(num)s offers"))}</span>\n'
        f'  <span class="count">{escape(plural(request.comments_count, "%(num)s comment", "%(num)s comments"))}</span></p>\n'
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
