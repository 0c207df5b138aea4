"""Rendered pieces of pages kept for a short while in each worker.

A busy discussion is rendered once and then served from memory until something in
it changes or the piece grows old (its "3 minutes ago" would drift). The key of
a piece says what it shows, so a change makes a new key rather than needing
anyone to remember to clear the old one: a new, edited, hidden or removed comment
shows at once on every worker. Only what the key does not cover (the "3 minutes
ago", a commenter's new name) waits up to FRAGMENT_CACHE_SECONDS; 0 switches this off.

A piece is kept only once it has been asked for again (`Asks`): on a large board most
discussions are read once in a while, and keeping each would push the busy ones out.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Hashable

from cachetools import TTLCache
from flask import current_app
from markupsafe import Markup

_lock = threading.Lock()


class Asks:
    """How often each thing has been asked for lately, so that only what is asked for again
    is kept (CACHE_MIN_USES times, as nginx's `proxy_cache_min_uses`).

    The counts are kept by the key's hash in two plain dicts, a newer and an older: each
    ask is counted in the newer, which becomes the older once it counts half of
    CACHE_ASKS_REMEMBERED things or is half of CACHE_ASKS_SECONDS old, and the older is
    then forgotten. So asks further apart than CACHE_ASKS_SECONDS are never counted
    together, and an ask is remembered for at least half that. A cache that expires each
    entry on its own cost twice the memory and three times the time, on every page a
    visitor opens.
    """

    def __init__(self, config) -> None:
        self.min_uses = config["CACHE_MIN_USES"]
        self._half_size = max(1, config["CACHE_ASKS_REMEMBERED"] // 2)
        self._half_life = config["CACHE_ASKS_SECONDS"] / 2
        # Two keys sharing a hash only means one of them is kept a little sooner.
        self._newer: dict[int, int] = {}
        self._older: dict[int, int] = {}
        self._newer_since = time.monotonic()
        self._lock = threading.Lock()

    def often_enough(self, key: Hashable) -> bool:
        """Count an ask: whether it has now been asked for often enough to be kept (or, for
        a thing looked up by its state, `cached_in_its_state`, to be looked for)."""
        if self.min_uses <= 1:
            return True
        digest = hash(key)
        now = time.monotonic()
        with self._lock:
            age = now - self._newer_since
            if age >= self._half_life or len(self._newer) >= self._half_size:
                self._older = self._newer if age < 2 * self._half_life else {}
                self._newer, self._newer_since = {}, now
            count = self._newer[digest] = self._newer.get(digest, 0) + self._older.pop(digest, 0) + 1
        return count >= self.min_uses


def _cache() -> TTLCache | None:
    config = current_app.config
    if not config["FRAGMENT_CACHE_SECONDS"]:
        return None
    cache = current_app.extensions.get("fragments")
    if cache is None:
        # The counts first: another thread may find the cache as soon as it is there.
        current_app.extensions["fragment_asks"] = Asks(config)
        cache = current_app.extensions["fragments"] = TTLCache(
            maxsize=config["FRAGMENT_CACHE_BYTES"], ttl=config["FRAGMENT_CACHE_SECONDS"],
            getsizeof=sys.getsizeof,  # what the text takes in memory, more than len() outside ASCII
        )
    return cache


def cached(key: Hashable, render: Callable[[], str]) -> str:
    """The piece of HTML for `key`, rendered by `render()` when it is not kept already."""
    if _cache() is None:
        return render()
    return _kept_or_rendered(key, render, lambda: current_app.extensions["fragment_asks"].often_enough(key))


def cached_in_its_state(thing: tuple, state: Callable[[], tuple], render: Callable[[], str]) -> str:
    """The piece of HTML for `thing` as it is now, when finding out how it is now costs a
    query (`state()`, such as a discussion's latest comment). That is asked only once the
    thing has been asked for again: before then nothing of it is kept, and it is rendered."""
    if _cache() is None or not current_app.extensions["fragment_asks"].often_enough(thing):
        return render()
    return _kept_or_rendered((*thing, *state()), render, lambda: True)


def _kept_or_rendered(key: Hashable, render: Callable[[], str], to_keep: Callable[[], bool]) -> str:
    cache = _cache()
    with _lock:
        html = cache.get(key)
    if html is None:
        html = render()
        if sys.getsizeof(html) <= cache.maxsize and to_keep():
            with _lock:
                cache[key] = html
    return html


def kept(*what, caller) -> Markup:
    """What a part of a template renders (its call block, `caller`), kept under `what` (the
    part's name, and whatever it shows that may differ from one request to the next) with
    the page's language, the settings' version and the board's root: for a part the same
    for everyone who asks with the same `what`, such as a list's sorting tabs and filters.

        {% call kept('ideas: heading, sorts and filters', sort, filters.args()) %}...{% endcall %}
    """
    from flask import request

    from .admin import settings_version
    from .languages import page_language

    key = ("part", page_language(), settings_version(), request.script_root,
           *(tuple(sorted(item.items())) if isinstance(item, dict) else item for item in what))
    return Markup(cached(key, lambda: str(caller())))
