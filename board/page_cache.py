"""Whole pages kept a few seconds in each worker, for everyone they are the same for.

Most requests to a public board are people reading the same few pages: the home
page, the first page of ideas, a popular idea. Those pages are the same for every
visitor, so each worker keeps what it last sent for PAGE_CACHE_SECONDS (0: off) and
sends it again to the next visitor who asks. It keeps only a page asked for again
(`fragments.Asks`): on a large board most pages are read once in a while, and keeping
each would cost each reader a little time and push the popular pages out.

What a visitor can see, and for how long:
- A page is at most PAGE_CACHE_SECONDS old. A change made through this worker (or
  by anything else in its process, such as a command) empties its pages at once;
  other workers and servers show it when their copy expires.
- A change to the board's settings, topics or areas shows at once everywhere: a page
  is kept with the settings' version stamp it was made under, and sent only while the
  stamp is unchanged.
- Anyone with a message waiting for them (a flash), anyone sending credentials, and
  every request that is not a GET or HEAD gets a page rendered for them, and nothing
  rendered for them is kept. Neither is a page that carries a form's CSRF token or
  sets a cookie.
- Someone signed in gets a page rendered for them, except on the pages whose view
  says they are the same for everyone (`same_for_everyone`: the lists, the home page,
  search, skill pages, profiles, an idea's page, the code of conduct and the privacy
  page). Those are kept once for visitors and people signed in alike, with a place left
  for each part that depends on who is asking (their links, their name, their sign-out
  form and its token, a profile's report or edit link, an idea's support and follow
  buttons, the comment box, each comment's links: templates/_person.html and the
  `drawn_in_code` parts, such as board/auth/header.py), and that part
  is drawn for each person as their page is sent. Nothing of one person's is ever kept.
  A page may be the same for everyone but a few (an idea's author, who may edit it, and
  the staff, who may answer it: `shown_differently_to`): they get it rendered for them.
- Someone who has just changed something sees pages rendered for them for
  PAGE_CACHE_SECONDS afterwards, whichever worker or server they reach: what they did
  is on the next page they read.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable

from cachetools import TTLCache
from flask import Flask, Response, current_app, g, has_request_context, request, session
from flask_login import current_user
from flask_login.config import COOKIE_NAME
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from .admin import settings_version
from .fragments import Asks
from .languages import COOKIE as LANGUAGE_COOKIE

_lock = threading.Lock()

# Where a kept page leaves a place for a part drawn for each person. The random part
# makes the mark impossible to write into a post, which is shown escaped anyway.
_MARK = f"<!--person:{secrets.token_hex(8)}:%s-->"
_PLACES = re.compile(re.escape(_MARK).replace("%s", r"([\w:]+)").encode())
_WROTE_AT = "_wrote_at"  # in the session: when this person last changed something

# Request headers a kept page may depend on (its language, once chosen from them).
_KEYED_HEADERS = ("Accept-Language",)
_KEYED_COOKIES = (LANGUAGE_COOKIE,)


# Parts drawn by a function rather than by a macro of templates/_person.html: those on
# a page many times over, each time the same but for its ids (`drawn_in_code`).
_PARTS_IN_CODE: dict[str, Callable[[list[tuple[int, ...]]], list[str]]] = {}


# What a visitor gets from a part of templates/_person.html, drawn by a function: on an
# idea's page or a profile, mostly read by visitors, the macros' calls cost more than what
# they draw for them (nothing, or a link to sign in). People signed in get the macro.
_PARTS_FOR_VISITORS: dict[str, Callable[..., str]] = {}


def same_for_everyone(view: Callable) -> Callable:
    """Mark a view whose page is the same for everyone, signed in or not, but for the
    parts drawn for each person (templates/_person.html): it may be kept and shared."""
    view.same_for_everyone = True
    return view


def drawn_in_code(name: str) -> Callable:
    """Register a function as the part `name`: given the ids of each of its places on a
    page, it returns the HTML of each, all in one call."""
    def register(draw: Callable) -> Callable:
        _PARTS_IN_CODE[name] = draw
        return draw
    return register


def drawn_for_visitors(*names: str) -> Callable:
    """Register a function as what a visitor gets from the parts `names`: given the ids of
    one place, it returns its HTML, the same as the part's macro draws for a visitor."""
    def register(draw: Callable) -> Callable:
        for name in names:
            _PARTS_FOR_VISITORS[name] = draw
        return draw
    return register


def shown_differently_to(person_ids, staff: bool = False) -> None:
    """Say, before the page is rendered, that it is not the same for these people (nor,
    with `staff`, for moderators and admins): a kept copy is never sent to them, and
    when one of them asks, their page is rendered for them alone and not kept."""
    g.page_not_for = g.get("page_not_for", frozenset()) | frozenset(person_ids)
    g.page_not_for_staff = g.get("page_not_for_staff", False) or staff
    if _not_for_this_person(g.page_not_for, g.page_not_for_staff):
        g.page_key = None


def _not_for_this_person(person_ids: frozenset, staff: bool) -> bool:
    return current_user.is_authenticated and (
        current_user.id in person_ids or (staff and current_user.is_moderator))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["for_this_person"] = for_this_person
    if not app.config["PAGE_CACHE_SECONDS"]:
        return
    app.extensions["pages"] = TTLCache(
        maxsize=app.config["PAGE_CACHE_BYTES"], ttl=app.config["PAGE_CACHE_SECONDS"],
        getsizeof=lambda page: page.size,
    )
    app.extensions["page_asks"] = Asks(app.config)
    # After the others: a kept page still counts against the asker's rate limits.
    app.before_request(_send_kept_page)
    app.after_request(_remember_a_write)
    # Last of all after-request functions (they run in reverse order), so that what is
    # kept has every header the others add, such as which languages the page varies by.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_page)


def for_this_person(part: str, *ids: int) -> Markup:
    """A part of the page for the person asking (a macro of templates/_person.html, given
    the ids of what it is about), or, on a page being made to be kept, its place."""
    if g.get("page_key") is None:
        return Markup(_drawn_for_this_person(part, [ids])[0])
    g.page_has_places = True
    return Markup(_MARK % ":".join([part, *map(str, ids)]))


def _parts():
    """templates/_person.html in the page's language: made once, it sees only the globals."""
    return current_app.jinja_env.get_template("_person.html").module


@event.listens_for(Session, "after_flush")
def _note_a_write(session, _flush_context) -> None:
    session.info["wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_a_statement_that_writes(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


@event.listens_for(Session, "after_commit")
def _forget_pages_after_a_write(session) -> None:
    # Whatever changed may be on any kept page: this worker forgets them all.
    if session.info.pop("wrote", False):
        try:
            pages = current_app.extensions.get("pages")
        except RuntimeError:  # outside the app: nothing kept here
            return
        if has_request_context():
            g.wrote = True
        if pages is not None:
            with _lock:
                pages.clear()


def _remember_a_write(response: Response) -> Response:
    # Other workers may keep pages from before the change for PAGE_CACHE_SECONDS: the
    # person who made it is shown pages rendered for them until those are gone.
    if g.get("wrote") and current_user.is_authenticated:
        session[_WROTE_AT] = int(time.time())
    return response


def _wrote_lately() -> bool:
    wrote_at = session.get(_WROTE_AT)
    return isinstance(wrote_at, int) and time.time() - wrote_at <= current_app.config["PAGE_CACHE_SECONDS"] + 1


def _key() -> tuple | None:
    """What the page depends on, or None when it must be rendered for this person alone."""
    if request.method not in ("GET", "HEAD") or request.authorization is not None:
        return None
    if "_flashes" in session:
        return None
    if current_user.is_authenticated:
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "same_for_everyone", False) or _wrote_lately():
            return None
    elif current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies:
        return None  # a cookie that did not sign anyone in: let the page say so, unshared
    return (
        request.host, request.scheme, request.full_path,
        *(request.headers.get(name, "") for name in _KEYED_HEADERS),
        *(request.cookies.get(name, "") for name in _KEYED_COOKIES),
        # The language chosen in a person's account comes before the cookie and the browser's.
        current_user.language if current_user.is_authenticated else "",
    )


class _KeptPage:
    """A page as kept: its headers, and its body in pieces around the places for the
    person (the text between, then the name of the part for each place), and whom it
    must not be sent to (`shown_differently_to`)."""

    __slots__ = ("kept_at", "settings_version", "headers", "pieces", "places", "size", "not_for",
                 "not_for_staff", "drawn_for_visitors")

    def __init__(self, headers: list[tuple[str, str]], pieces: list[bytes]) -> None:
        self.kept_at = time.monotonic()
        # The stamp of the settings the page was made with, as read while rendering it (one
        # that read none is the same under any, and is given the stamp as it is now).
        self.settings_version = settings_version()
        self.headers = headers
        self.pieces = pieces
        # Each part's places, read once: the positions of its pieces, and the ids each names.
        self.places: dict[str, tuple[list[int], list[tuple[int, ...]]]] = {}
        for position in range(1, len(pieces), 2):
            name, *ids = pieces[position].decode().split(":")
            positions, named = self.places.setdefault(name, ([], []))
            positions.append(position)
            named.append(tuple(map(int, ids)))
        # What the places take besides the text, roughly: a page with a hundred comments has as many.
        self.size = sum(map(len, pieces)) + _PLACE_SIZE * (len(pieces) // 2)
        self.not_for = g.get("page_not_for", frozenset())
        self.not_for_staff = g.get("page_not_for_staff", False)
        # What a visitor gets from a part depends only on the place and the language, which
        # the page's key holds: drawn for the first visitor, and kept with the page.
        self.drawn_for_visitors: dict[str, list[bytes]] | None = None

    def body(self) -> bytes:
        """The page for whoever is asking."""
        if len(self.pieces) == 1:
            return self.pieces[0]
        visitor = not current_user.is_authenticated
        drawn = self.drawn_for_visitors if visitor else None
        if drawn is None:
            drawn = {name: [part.encode() for part in _drawn_for_this_person(name, named)]
                     for name, (_, named) in self.places.items()}
            if visitor:
                self.drawn_for_visitors = drawn
        pieces = self.pieces[:]
        for name, (positions, _) in self.places.items():
            for position, part in zip(positions, drawn[name], strict=True):
                pieces[position] = part
        return b"".join(pieces)


_PLACE_SIZE = 120  # bytes of memory a place takes in a kept page, besides its text


def _drawn_for_this_person(name: str, places: list[tuple[int, ...]]) -> list[str]:
    """A part drawn for the person asking, at each of its places (given the ids each
    names): by its macro in templates/_person.html, or, drawn in code, all at once."""
    draw = _PARTS_IN_CODE.get(name)
    if draw is not None:
        return draw(places)
    draw = _PARTS_FOR_VISITORS.get(name)
    if draw is not None and not current_user.is_authenticated:
        return [draw(*ids) for ids in places]
    macro = getattr(_parts(), name)
    return [str(macro(*ids)) for ids in places]


def _send_kept_page():
    g.page_key = key = _key()
    if key is None:
        return None
    with _lock:
        page = current_app.extensions["pages"].get(key)
    if page is None:
        if not current_app.extensions["page_asks"].often_enough(key):
            g.page_key = None  # rendered for this person, as if nothing were kept
        return None
    if _not_for_this_person(page.not_for, page.not_for_staff):
        g.page_key = None
        return None
    if page.settings_version != settings_version(alone=True):
        return None  # made under settings since changed: rendered again, and kept
    g.page_was_kept = True
    response = Response(page.body(), headers=page.headers)
    response.headers["Age"] = str(int(time.monotonic() - page.kept_at))
    if response.get_etag()[0] is not None:
        return response.make_conditional(request)
    return response


def _keep_page(response: Response) -> Response:
    key = g.get("page_key")
    if key is None or g.get("page_was_kept") or response.is_streamed:
        return response
    body = response.get_data()
    pieces = _PLACES.split(body) if g.get("page_has_places") else [body]
    page = _KeptPage([(name, value) for name, value in response.headers if name != "Content-Length"],
                     pieces)
    pages = current_app.extensions["pages"]
    if (
        response.status_code == 200
        and "Set-Cookie" not in response.headers
        and "csrf_token" not in g  # a form's token belongs to one person's session
        and "no-store" not in response.headers.get("Cache-Control", "")
        and not session.modified
        and page.settings_version != -1  # unknown: the settings could not be read
        and page.size <= pages.maxsize
    ):
        with _lock:
            pages[key] = page
    if len(pieces) > 1:
        response.set_data(page.body())
    return response
