"""Whole pages for visitors, kept a few seconds in each worker.

Most requests to a public board are people who are not signed in reading the same
few pages: the home page, the first page of ideas, a popular idea. Those pages are
the same for every visitor, so each worker keeps what it last sent for
PAGE_CACHE_SECONDS (0: off) and sends it again to the next visitor who asks.

What a visitor can see, and for how long:
- A page is at most PAGE_CACHE_SECONDS old. A change made through this worker (or
  by anything else in its process, such as a command) empties its pages at once;
  other workers and servers show it when their copy expires.
- A change to the board's settings, topics or areas shows at once everywhere: the
  settings' version stamp is part of every key.
- Anyone signed in, anyone with a message waiting for them (a flash), anyone
  sending credentials, and every request that is not a GET or HEAD gets a page
  rendered for them, and nothing rendered for them is kept: pages are never shared
  between people. Neither is a page that carries a form's CSRF token or sets a cookie.
"""

from __future__ import annotations

import threading
import time

from cachetools import TTLCache
from flask import Flask, Response, current_app, g, request, session
from flask_login.config import COOKIE_NAME
from sqlalchemy import event
from sqlalchemy.orm import Session

_lock = threading.Lock()

# Request headers a kept page may depend on (its language, once chosen from them).
_KEYED_HEADERS = ("Accept-Language",)
_KEYED_COOKIES = ("language",)


def init_app(app: Flask) -> None:
    if not app.config["PAGE_CACHE_SECONDS"]:
        return
    app.extensions["pages"] = TTLCache(
        maxsize=app.config["PAGE_CACHE_BYTES"], ttl=app.config["PAGE_CACHE_SECONDS"],
        getsizeof=lambda entry: len(entry[2]),
    )
    # After the others: a kept page still counts against the asker's rate limits.
    app.before_request(_send_kept_page)
    # Last of all after-request functions (they run in reverse order), so that what is
    # kept has every header the others add, such as which languages the page varies by.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_page)


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
        if pages is not None:
            with _lock:
                pages.clear()


def _key() -> tuple | None:
    """What the page depends on, or None when it must be rendered for this person alone."""
    if request.method not in ("GET", "HEAD") or request.authorization is not None:
        return None
    if current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies:
        return None
    if "_user_id" in session or "_flashes" in session:
        return None
    from .admin import settings_version

    return (
        request.host, request.scheme, request.full_path, settings_version(),
        *(request.headers.get(name, "") for name in _KEYED_HEADERS),
        *(request.cookies.get(name, "") for name in _KEYED_COOKIES),
    )


def _send_kept_page():
    g.page_key = key = _key()
    if key is None:
        return None
    with _lock:
        entry = current_app.extensions["pages"].get(key)
    if entry is None:
        return None
    kept_at, headers, body = entry
    g.page_was_kept = True
    response = Response(body, headers=headers)
    response.headers["Age"] = str(int(time.monotonic() - kept_at))
    if response.get_etag()[0] is not None:
        return response.make_conditional(request)
    return response


def _keep_page(response: Response) -> Response:
    key = g.get("page_key")
    if (
        key is None
        or g.get("page_was_kept")
        or response.status_code != 200
        or response.is_streamed
        or "Set-Cookie" in response.headers
        or "csrf_token" in g  # a form's token belongs to one person's session
        or "no-store" in response.headers.get("Cache-Control", "")
        or session.modified
    ):
        return response
    body = response.get_data()
    pages = current_app.extensions["pages"]
    if len(body) > pages.maxsize:
        return response
    headers = [(name, value) for name, value in response.headers if name != "Content-Length"]
    with _lock:
        pages[key] = (time.monotonic(), headers, body)
    return response
