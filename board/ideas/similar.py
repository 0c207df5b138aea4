"""Ideas like the one being posted: shown before it goes on the board, so that
people can support one already there rather than split its supporters in two."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Idea, IdeaStatus, Support
from ..search.index import similar_idea_ids

# How many of the description's first words count, after the title's.
DESCRIPTION_WORDS = 30
# The most words one look-up asks for.
MAX_WORDS = 16
# Words that say nothing about what an idea is (English, French, Welsh): left out, or
# every idea would be like every other.
STOP_WORDS = frozenset("""
a about above after again all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
get had has have having he her here hers him his how i if in into is it its itself just
let like make me more most my no nor not now of off on once only or other our ours out over
own same she should so some such than that the their theirs them then there these they this
those through to too under until up us very was we were what when where which while who whom
why will with would you your yours idea ideas please need needs want would could maybe lot lots
le la les un une des du de et ou en au aux ce cette ces est sont pour par sur dans avec pas
plus que qui nous vous ils elles il elle je tu son sa ses leur leurs mais donc
y yr ar am yn a ac i o mae oes gyda hefyd ond fel sy
""".split())
_WORD = re.compile(r"\w+")


def meaningful_words(title: str, description: str) -> list[str]:
    """The title's words, then the description's first ones, without stop words,
    very short words or repeats."""
    words = _WORD.findall((title or "").lower())
    words += _WORD.findall((description or "").lower())[:DESCRIPTION_WORDS]
    kept: dict[str, None] = {}
    for word in words:
        if len(word) > 2 and word not in STOP_WORDS and not word.isdigit():
            kept.setdefault(word, None)
    return list(kept)[:MAX_WORDS]


def similar_ideas(title: str, description: str, limit: int | None = None) -> list[Idea]:
    """Visible ideas sharing meaningful words with this title and description: open
    ones before those done or not taken forward, the best matches first. Never a
    hidden or deleted idea, nor one already joined to another."""
    limit = limit or current_app.config["SIMILAR_IDEAS_SHOWN"]
    ids = similar_idea_ids(meaningful_words(title, description), closed=IdeaStatus.CLOSED,
                           limit=limit)
    if not ids:
        return []
    found = {idea.id: idea for idea in db.session.scalars(
        select(Idea).where(Idea.id.in_(ids)).options(*Idea.without_bodies())
    )}
    return [found[idea_id] for idea_id in ids if idea_id in found]


def supported_among(ideas: list[Idea], user) -> set[int]:
    """Which of these ideas `user` supports already, in one query."""
    if not ideas or not (user and user.is_authenticated):
        return set()
    return set(db.session.scalars(
        select(Support.idea_id).where(Support.user_id == user.id,
                                      Support.idea_id.in_([idea.id for idea in ideas]))
    ))
