"""Every setting Simpl reads, with its default and the environment variable that overrides it.

Order of precedence: the defaults below, then the environment, then the `config`
mapping passed to `create_app` (tests use that). Secrets never have a default in
code: the secret key is generated once and kept in the instance folder, which is
`instance/` beside the code unless INSTANCE_PATH says otherwise.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def load_settings(instance_path: str) -> dict:
    """The board's settings: defaults overridden by the environment."""
    return {
        # Where the data lives. A single SQLite file by default; any SQLAlchemy URL works.
        "SQLALCHEMY_DATABASE_URI": _env_str(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'simpl.db'}"
        ),
        # How long a SQLite writer waits for another to finish before giving up.
        "SQLITE_BUSY_TIMEOUT_MS": _env_int("SQLITE_BUSY_TIMEOUT_MS", 15000),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,  # filled from the instance folder
        # The name a new board starts with; admins change it at /admin/settings.
        "BOARD_NAME": _env_str("BOARD_NAME", "Simpl"),
        # The languages a new board starts with (en, fr, cy); admins change them at /admin/settings.
        "BOARD_LANGUAGE": _env_str("BOARD_LANGUAGE", "en"),
        "BOARD_LANGUAGES": _env_str("BOARD_LANGUAGES", "en,fr,cy"),
        "INVITE_DAYS": _env_int("INVITE_DAYS", 14),
        # Dates are stored in UTC and shown in the board's own time zone.
        "BOARD_TIMEZONE": _env_str("BOARD_TIMEZONE", "Europe/London"),
        # The board's public address, for links in email. Set it to the address people
        # use (https://ideas.example.org): links are never built from a request's Host header.
        "BOARD_URL": _env_str("BOARD_URL", "http://127.0.0.1:8000"),
        # Email over SMTP. Without MAIL_SERVER the board works and sends nothing.
        "MAIL_SERVER": _env_str("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),  # STARTTLS, usually port 587
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", False),  # TLS from the start, usually port 465
        "MAIL_USERNAME": _env_str("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": _env_str("MAIL_PASSWORD", ""),
        "MAIL_FROM": _env_str("MAIL_FROM", ""),  # default: "<board name> <noreply@BOARD_URL's host>"
        "MAIL_TIMEOUT_SECONDS": _env_int("MAIL_TIMEOUT_SECONDS", 10),
        # Send waiting mail as soon as a page that wrote some has been answered.
        "MAIL_SEND_AFTER_RESPONSE": _env_bool("MAIL_SEND_AFTER_RESPONSE", True),
        # When the server is down: wait this long, doubling each time up to the maximum.
        "MAIL_RETRY_SECONDS": _env_int("MAIL_RETRY_SECONDS", 60),
        "MAIL_RETRY_MAX_SECONDS": _env_int("MAIL_RETRY_MAX_SECONDS", 3600),
        "MAIL_BATCH_SIZE": _env_int("MAIL_BATCH_SIZE", 50),
        "MAIL_KEEP_SENT_DAYS": _env_int("MAIL_KEEP_SENT_DAYS", 30),
        # Emails about new requests matching a person's skills, at most this many a day;
        # the rest wait for their daily digest.
        "MATCH_EMAILS_PER_DAY": _env_int("MATCH_EMAILS_PER_DAY", 3),
        # The staff's queue of ideas awaiting an official answer, and their daily email
        # about it, list at most this many ideas (the longest waiting first).
        "ANSWER_QUEUE_LENGTH": _env_int("ANSWER_QUEUE_LENGTH", 200),
        # Before an idea is posted, at most this many ideas like it are shown, so that
        # people can support one already there instead.
        "SIMILAR_IDEAS_SHOWN": _env_int("SIMILAR_IDEAS_SHOWN", 5),
        # A proposal that an idea duplicates another waits this many days for the other
        # idea's author; after that, staff may decide it alone.
        "DUPLICATE_DECIDE_DAYS": _env_int("DUPLICATE_DECIDE_DAYS", 14),
        # The longest address (or number) of another idea that a duplicate proposal reads.
        "IDEA_ADDRESS_MAX_LENGTH": _env_int("IDEA_ADDRESS_MAX_LENGTH", 300),
        # Digests go out after this hour (board time zone); weekly ones on this day (0: Monday).
        "DIGEST_HOUR": _env_int("DIGEST_HOUR", 8),
        "DIGEST_WEEKDAY": _env_int("DIGEST_WEEKDAY", 0),
        # How long the links in verification and password reset emails work.
        "VERIFY_EMAIL_HOURS": _env_int("VERIFY_EMAIL_HOURS", 72),
        "RESET_PASSWORD_MINUTES": _env_int("RESET_PASSWORD_MINUTES", 60),
        # How passwords are hashed (board/passwords.py), written out in full as werkzeug
        # keeps it: "scrypt:N:r:p" or "pbkdf2:sha256:ITERATIONS". A hash made otherwise is
        # made again at its owner's next sign-in.
        "PASSWORD_HASH": _env_str("PASSWORD_HASH", "scrypt:8192:8:10"),
        # "People who could help" on a help request, for its author.
        "HELPERS_SHOWN": _env_int("HELPERS_SHOWN", 10),
        # Sizes. A request's text is at most MAX_CONTENT_LENGTH; a form that takes photos
        # also takes MAX_PHOTOS files of PHOTO_MAX_BYTES each on top (board/photos.py).
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # Photos on ideas and help requests: at most this many on each, each file at most
        # PHOTO_MAX_BYTES and PHOTO_MAX_PIXELS (width times height) as sent. They are made
        # again from their pixels, in PHOTO_FORMAT (webp or jpeg), at three widths.
        "MAX_PHOTOS": _env_int("MAX_PHOTOS", 4),
        "PHOTO_MAX_BYTES": _env_int("PHOTO_MAX_BYTES", 10 * 1024 * 1024),
        "PHOTO_MAX_PIXELS": _env_int("PHOTO_MAX_PIXELS", 40_000_000),
        "PHOTO_FORMAT": _env_str("PHOTO_FORMAT", "webp"),
        "PHOTO_QUALITY": _env_int("PHOTO_QUALITY", 82),
        "PHOTO_LARGE_PX": _env_int("PHOTO_LARGE_PX", 1600),
        "PHOTO_MEDIUM_PX": _env_int("PHOTO_MEDIUM_PX", 800),
        "PHOTO_THUMB_PX": _env_int("PHOTO_THUMB_PX", 320),
        # A photo's description, read out to people who cannot see it.
        "PHOTO_ALT_MAX_LENGTH": _env_int("PHOTO_ALT_MAX_LENGTH", 250),
        "TITLE_MAX_LENGTH": _env_int("TITLE_MAX_LENGTH", 150),
        "BODY_MAX_LENGTH": _env_int("BODY_MAX_LENGTH", 20000),
        "COMMENT_MAX_LENGTH": _env_int("COMMENT_MAX_LENGTH", 20000),
        "OFFER_MESSAGE_MAX_LENGTH": _env_int("OFFER_MESSAGE_MAX_LENGTH", 2000),
        "BIO_MAX_LENGTH": _env_int("BIO_MAX_LENGTH", 1000),
        "MESSAGE_MAX_LENGTH": _env_int("MESSAGE_MAX_LENGTH", 5000),
        "REPORT_REASON_MAX_LENGTH": _env_int("REPORT_REASON_MAX_LENGTH", 2000),
        "SKILLS_MAX_COUNT": _env_int("SKILLS_MAX_COUNT", 20),
        "SKILL_MAX_LENGTH": _env_int("SKILL_MAX_LENGTH", 40),
        "PER_PAGE": _env_int("PER_PAGE", 20),
        # A discussion longer than this is shown a page of comments at a time.
        "COMMENTS_PER_PAGE": _env_int("COMMENTS_PER_PAGE", 100),
        # Rendered discussions kept in each worker's memory (0 seconds: off). The two
        # caches' sizes are part of a worker's memory once a varied load has filled them:
        # with these, a busy worker stays under 100 MB.
        "FRAGMENT_CACHE_SECONDS": _env_int("FRAGMENT_CACHE_SECONDS", 60),
        "FRAGMENT_CACHE_BYTES": _env_int("FRAGMENT_CACHE_BYTES", 4 * 1024 * 1024),
        # A page or a discussion is kept only once it has been asked for this many times (1:
        # the first time), each ask within CACHE_ASKS_SECONDS of the one before (remembered
        # for at least half that); each worker remembers the asks for at most
        # CACHE_ASKS_REMEMBERED of each. What is read once is not kept.
        "CACHE_MIN_USES": _env_int("CACHE_MIN_USES", 2),
        "CACHE_ASKS_SECONDS": _env_int("CACHE_ASKS_SECONDS", 60),
        "CACHE_ASKS_REMEMBERED": _env_int("CACHE_ASKS_REMEMBERED", 10_000),
        # Pages that are the same for everyone, kept in each worker's memory and sent again
        # to the next person who asks for at most this many seconds (0: off). See page_cache.py.
        "PAGE_CACHE_SECONDS": _env_int("PAGE_CACHE_SECONDS", 5),
        "PAGE_CACHE_BYTES": _env_int("PAGE_CACHE_BYTES", 2 * 1024 * 1024),
        # Rate limits (Flask-Limiter syntax). RATELIMIT_ENABLED=0 switches them all off.
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        # Where counts are kept: each worker's memory by default; with several workers or
        # servers, one Redis for all (redis://127.0.0.1:6379), so a limit holds across them.
        "RATELIMIT_STORAGE_URI": _env_str("RATELIMIT_STORAGE_URI", "memory://"),
        # Several boards may share one Redis: each counts under its own prefix.
        "RATELIMIT_KEY_PREFIX": _env_str("RATELIMIT_KEY_PREFIX", "simpl"),
        # If Redis stops answering, each worker counts in its own memory until it is back,
        # rather than failing every request that has a limit.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": _env_bool("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": _env_str("LOGIN_RATE_LIMIT", "10 per minute"),
        # Tries at the current password on the account's "Change your password", per person.
        "CHANGE_PASSWORD_RATE_LIMIT": _env_str("CHANGE_PASSWORD_RATE_LIMIT", "10 per minute"),
        "REGISTER_RATE_LIMIT": _env_str("REGISTER_RATE_LIMIT", "5 per hour"),
        "POST_RATE_LIMIT": _env_str("POST_RATE_LIMIT", "30 per minute"),
        # The read-only API: requests per client, and the sizes of its pages.
        "API_RATE_LIMIT": _env_str("API_RATE_LIMIT", "120 per minute"),
        "API_PAGE_SIZE": _env_int("API_PAGE_SIZE", 20),
        "API_MAX_PAGE_SIZE": _env_int("API_MAX_PAGE_SIZE", 100),
        # Open data downloads (/data) read the whole board, so they are limited more.
        "DOWNLOAD_RATE_LIMIT": _env_str("DOWNLOAD_RATE_LIMIT", "10 per minute"),
        # Emails people can make the board send: per address asking, and per account.
        "EMAIL_RATE_LIMIT": _env_str("EMAIL_RATE_LIMIT", "5 per hour"),
        # Session cookies each worker keeps checked and decoded for a minute (board/sessions.py),
        # and as many sessions' signed form tokens (board/templating.py).
        "SESSION_COOKIES_KEPT": _env_int("SESSION_COOKIES_KEPT", 1_000),
        # Cookies: Secure when served over HTTPS (set SESSION_COOKIE_SECURE=1 behind TLS).
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Trust X-Forwarded-* from this many proxies in front of the app (0: none).
        "PROXY_FIX_HOPS": _env_int("PROXY_FIX_HOPS", 0),
        "SQLALCHEMY_RECORD_QUERIES": False,
        # Statements each worker keeps compiled, the least used forgotten first (up to half
        # as many again before it forgets). Each is some 70 KB of memory: SQLAlchemy's own
        # 500 could take 35 MB of a worker, where every page a visitor opens uses about 70.
        "SQL_CACHE_SIZE": _env_int("SQL_CACHE_SIZE", 100),
    }


def instance_secret_key(instance_path: str) -> str:
    """The secret key kept in the instance folder, created on first use.

    Several workers may start at once: O_EXCL makes exactly one of them write it.
    """
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)  # another worker is still writing it
        raise RuntimeError(f"{path} is empty: delete it and start again") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
