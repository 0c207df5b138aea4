"""Flask's signed-cookie sessions, read at less cost on every request of someone signed in.

Flask makes a new serializer for each request, and making one tests its JSON by writing
`{}`; then it checks the cookie's signature and decodes it, the same cookie as on the
person's last page. Here the serializer is made once, and a cookie already checked and
decoded is kept for a minute, found only by its whole signed value: its age is checked
again each time, as Flask checks it, so a session ends exactly when it would have.
"""

from __future__ import annotations

import threading
import time

from cachetools import TTLCache
from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# What a kept cookie may hold: values a request cannot change in place (a flash's list may
# be added to), so that each request gets its own session from the same decoded data.
_UNCHANGING = (str, int, float, bool, type(None))
_KEPT_SECONDS = 60


class CookieSessions(SecureCookieSessionInterface):
    """Flask's own sessions, with the serializer made once per set of keys and up to `kept`
    cookies' contents kept."""

    def __init__(self, kept: int) -> None:
        self._kept_per_keys: dict[tuple, tuple[URLSafeTimedSerializer, TTLCache]] = {}
        self._kept = kept
        self._lock = threading.Lock()

    def _for_keys(self, app: Flask) -> tuple[URLSafeTimedSerializer, TTLCache] | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        found = self._kept_per_keys.get(keys)
        if found is None:
            serializer = super().get_signing_serializer(app)
            found = self._kept_per_keys[keys] = (serializer, TTLCache(maxsize=self._kept, ttl=_KEPT_SECONDS))
        return found

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        found = self._for_keys(app)
        return found[0] if found else None

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        found = self._for_keys(app)
        if found is None:
            return None
        serializer, kept = found
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        with self._lock:
            read = kept.get(value)
        if read is not None:
            signed_at, data = read
            if 0 <= int(time.time()) - signed_at <= max_age:  # itsdangerous's own test of age
                return self.session_class(data)  # a copy: the kept data stays as decoded
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(type(item) in _UNCHANGING for item in data.values()):
            with self._lock:
                kept[value] = (int(signed.timestamp()), dict(data))
        return self.session_class(data)
