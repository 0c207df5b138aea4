"""How passwords are kept: a slow, salted hash whose parameters are a setting (PASSWORD_HASH).

The default is scrypt with N=2^13, r=8, p=10: of the settings OWASP lists as equally strong
(N=2^17, r=8, p=1 down to this one), the one that needs least memory, 8 MiB a hash where
werkzeug's own default (N=2^15, r=8, p=1, and weaker by that list) takes 32 MiB. Each worker
hashes a password at every sign-in, and its memory peaks with it.

A hash made with other parameters still verifies (it names its own), and is made again with
the current ones when its owner next signs in.
"""

from __future__ import annotations

import time

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

# How long hashing with each set of parameters took last in this process, in seconds.
_seconds_to_hash: dict[str, float] = {}


def hash_password(password: str) -> str:
    method = current_app.config["PASSWORD_HASH"]
    started = time.perf_counter()
    made = generate_password_hash(password, method=method)
    _seconds_to_hash[method] = time.perf_counter() - started
    return made


def is_current(password_hash: str) -> bool:
    """Whether a kept hash was made with the parameters now set."""
    return password_hash.partition("$")[0] == current_app.config["PASSWORD_HASH"]


def matches(password_hash: str, password: str) -> bool:
    """Whether `password` is the one a hash was made from.

    A hash kept with other parameters takes another time to check, and a sign-in with an
    unknown name takes as long as hashing with the current ones: checking an older hash
    takes at least that long too, so that the time an answer takes tells nobody whether
    an account exists or how old it is.
    """
    started = time.perf_counter()
    found = check_password_hash(password_hash, password)
    if not is_current(password_hash):
        method = current_app.config["PASSWORD_HASH"]
        if method not in _seconds_to_hash:
            hash_password(password)
        time.sleep(max(0.0, _seconds_to_hash[method] - (time.perf_counter() - started)))
    return found
