"""What a visitor gets from an idea's page's parts for each person (templates/_person.html):
nothing where the macro checks who is signed in, a link to sign in where it asks them to.
The words are the catalogues' own, as the macros have them; the addresses those the
macros build, escaped as they escape them."""

from __future__ import annotations

from markupsafe import escape

from ..languages import in_force
from ..page_cache import drawn_for_visitors
from ..templating import remembered_url_for


@drawn_for_visitors("idea_flag_links", "follow_idea")
def _nothing(*_ids: int) -> str:
    return ""


def _to_sign_in(endpoint: str, idea_id: int) -> str:
    """Signing in or registering, and back to the idea afterwards."""
    return escape(remembered_url_for(endpoint, next=remembered_url_for("ideas.detail", idea_id=idea_id)))


@drawn_for_visitors("support_idea")
def _support(idea_id: int) -> str:
    words = in_force()[0].ugettext("Sign in to support this idea")
    return f'      <p><a href="{_to_sign_in("auth.login", idea_id)}">{words}</a></p>\n'


@drawn_for_visitors("idea_comment_box")
def _comment_box(idea_id: int, locked: int) -> str:
    _ = in_force()[0].ugettext
    if locked:
        return f'      <p class="warning">{_("A moderator has locked the comments here. The discussion stays readable.")}</p>\n\n'
    words = _('<a href="%(sign_in)s">Sign in</a> or <a href="%(register)s">register</a> to join the conversation.')
    addresses = {"sign_in": _to_sign_in("auth.login", idea_id), "register": _to_sign_in("auth.register", idea_id)}
    return f"      <p>{words % addresses}</p>\n\n"
