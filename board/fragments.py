"""Rendered pieces of pages kept for a short while in each worker.

A busy discussion is rendered once and then served from memory until something in
it changes or the piece grows old (its "3 minutes ago" would drift). The key of
a piece says what it shows, so a change makes a new key rather than needing
anyone to remember to clear the old one: a new, edited, hidden or removed comment
shows at once on every worker. Only what the key does not cover (the "3 minutes
ago", a commenter's new name) waits up to FRAGMENT_CACHE_SECONDS; 0 switches this off.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Hashable

from cachetools import TTLCache
from flask import current_app

_lock = threading.Lock()


def _cache() -> TTLCache | None:
    config = current_app.config
    if not config["FRAGMENT_CACHE_SECONDS"]:
        return None
    cache = current_app.extensions.get("fragments")
    if cache is None:
        cache = current_app.extensions["fragments"] = TTLCache(
            maxsize=config["FRAGMENT_CACHE_BYTES"], ttl=config["FRAGMENT_CACHE_SECONDS"],
            getsizeof=sys.getsizeof,  # what the text takes in memory, more than len() outside ASCII
        )
    return cache


def cached(key: Hashable, render: Callable[[], str]) -> str:
    """The piece of HTML for `key`, rendered by `render()` when it is not kept already."""
    cache = _cache()
    if cache is None:
        return render()
    with _lock:
        html = cache.get(key)
    if html is None:
        html = render()
        if sys.getsizeof(html) <= cache.maxsize:
            with _lock:
                cache[key] = html
    return html
