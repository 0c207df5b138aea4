"""What templates can use: date filters, the id URL converter, the board's name."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, partial
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

from babel import dates, numbers
from cachetools import TTLCache
from flask import Flask, current_app, g, request, session, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from werkzeug.routing import BuildError, IntegerConverter

from .languages import in_force
from .models import MAX_ID, utcnow

SIGNED_TOKEN_SECONDS = 60
_tokens_lock = threading.Lock()


class IdConverter(IntegerConverter):
    """A database id: a positive whole number that fits the id columns (32 bits on
    PostgreSQL), so huge ones are a 404 rather than an error from the database."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def remembered_url_for(endpoint: str, **values) -> str:
    """`url_for` for templates and the API, walking the URL map once per kind of address.

    A page asks for dozens of addresses (the header's links, one per card), and walking
    the URL map for each was a good part of drawing it. The map does not change while the
    board runs, so an endpoint given the same names always gives the same address with
    only their values in their places: it is built once with stand-ins for the values,
    kept as its pieces, and each address after that is those pieces with the values put
    in, quoted as the URL map quotes them.
    """
    if endpoint.startswith("."):
        return url_for(endpoint, **values)
    if None in values.values():  # left out, as url_for leaves them out ("page": None on page 1)
        values = {name: value for name, value in values.items() if value is not None}
    # A full address (_external, as the API and feeds give) also depends on the scheme and
    # host it was asked for. The names keep the caller's order, as the query string does.
    root = request.host_url if values.get("_external") else request.script_root
    key = (root, endpoint, *values)
    try:
        shape = _shapes[key]
    except KeyError:
        shape = _AddressShape.of(endpoint, values)
        if shape is not False:  # None: this endpoint with these names is built every time
            if len(_shapes) >= _SHAPES_KEPT:
                _shapes.clear()
            _shapes[key] = shape
    address = shape.fill(values) if shape else None
    return url_for(endpoint, **values) if address is None else address


# How the URL map quotes a value in the path (its converters) and in the query string.
quoted_in_path = partial(quote, safe="!$&'()*+,/:;=@")
quoted_in_query = partial(quote_plus, safe="!$'()*,/:;?@")


class _AddressShape:
    """An address as literal pieces with slots between them for the values of its names."""

    # Stand-ins that no address holds otherwise: a number for ids (the id converter takes
    # numbers only), letters for anything else.
    _NUMBER, _WORD = 1_987_654_300, "zQz{}zQz"

    def __init__(self, literals: list[str], slots: list[tuple[str, type, Callable | None]]):
        self.literals, self.slots = literals, slots

    @classmethod
    def of(cls, endpoint: str, values: dict) -> _AddressShape | None | bool:
        """The shape of this endpoint's addresses with these names; None when their values
        cannot simply be put in (an anchor, a converter that allows only some words); False
        when these values cannot stand for the others (None, a list), which may next time."""
        stand_ins: dict[str, object] = {}
        for number, (name, value) in enumerate(values.items()):
            if name == "_external":
                stand_ins[name] = value
            elif name.startswith("_"):
                return None
            elif type(value) not in (int, str):
                return False
            else:
                stand_ins[name] = cls._NUMBER + number if type(value) is int else cls._WORD.format(number)
        try:
            built = url_for(endpoint, **stand_ins)
        except (BuildError, ValueError):
            return None
        query_from = built.find("?") if "?" in built else len(built)
        places = []
        for name, stand_in in stand_ins.items():
            if name == "_external":
                continue
            text = str(stand_in)
            if built.count(text) != 1:
                return None
            at = built.index(text)
            quoting = None if type(stand_in) is int else quoted_in_path if at < query_from else quoted_in_query
            places.append((at, len(text), name, type(stand_in), quoting))
        places.sort()
        literals, slots, done = [], [], 0
        for at, length, name, kind, quoting in places:
            literals.append(built[done:at])
            slots.append((name, kind, quoting))
            done = at + length
        literals.append(built[done:])
        return cls(literals, slots)

    def fill(self, values: dict) -> str | None:
        """The address for these values, or None when one is not of the kind it was shaped for."""
        pieces = [self.literals[0]]
        for (name, kind, quoting), literal in zip(self.slots, self.literals[1:], strict=True):
            value = values[name]
            if type(value) is not kind:
                return None
            pieces.append(quoting(value) if quoting else str(value))
            pieces.append(literal)
        return "".join(pieces)


# Every endpoint with each set of names the board uses, many times over.
_SHAPES_KEPT = 2_000
_shapes: dict[tuple, _AddressShape | None] = {}


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(value: datetime) -> datetime:
    zone = _zone(current_app.config["BOARD_TIMEZONE"])
    return value.replace(tzinfo=UTC).astimezone(zone)


def _language() -> str:
    return in_force()[1]


def format_date(value: datetime | None) -> str:
    return _long_date(_local(value).date(), _language()) if value else ""


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    """A day in words ("3 November 2026"): Babel takes longer to write it than a page
    takes to look it up, and a page of cards and comments names many days, often the same."""
    return dates.format_date(day, "long", locale=language)


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = _local(value)
    return gettext("%(date)s at %(time)s", date=_long_date(local.date(), _language()),
                   time=dates.format_time(local, "short", locale=_language()))


def time_ago(value: datetime | None, now: datetime | None = None, language: str | None = None) -> Markup:
    """'3 hours ago', in the page's language, inside a <time> element that carries the
    exact moment for machines. A list of many gives the time now and the language, looked
    up once for all.

    Discussions call this for every comment, so the words for each count of each unit
    are made once per language and then looked up.
    """
    if value is None:
        return Markup("")
    seconds = ((now or utcnow()) - value).total_seconds()
    language = language or _language()
    for unit, size in _UNITS:
        if seconds >= size:
            words = _ago(int(seconds // size), unit, language)
            break
    else:
        words = _just_now(language)
    return Markup(f'<time datetime="{value.isoformat(timespec="seconds")}Z">{words}</time>')


_UNITS = (("year", 31536000), ("month", 2592000), ("week", 604800),
          ("day", 86400), ("hour", 3600), ("minute", 60))  # fmt: skip


@lru_cache(maxsize=4096)
def _ago(count: int, unit: str, language: str) -> str:
    return str(escape(dates.format_timedelta(-timedelta(seconds=count * dict(_UNITS)[unit]), threshold=1,
                                             granularity=unit, add_direction=True, locale=language)))


@lru_cache(maxsize=8)
def _just_now(language: str) -> str:
    with force_locale(language):
        return str(escape(gettext("just now")))


def profile_link(user, prefix: str | None = None) -> Markup:
    """A link to a person's profile, showing their name.

    Discussions show hundreds of these, so the address is built once per request
    (`profile_prefix`, which a list of many may pass) and completed by joining strings;
    usernames are letters, digits, - and _ only, so they need no quoting.
    """
    return Markup(f'<a href="{prefix or profile_prefix()}{user.username}">{escape(user.name)}</a>')


def profile_prefix() -> str:
    """Every profile's address but the username."""
    prefix = g.get("profile_url_prefix")
    if prefix is None:
        prefix = g.profile_url_prefix = url_for("people.profile", username="_")[:-1]
    return prefix


class ListDrawing:
    """What the lines or cards of one list share, looked up once for the list rather than
    for each: the page's translations and language, the time now, the beginning of every
    profile's address. A list draws twenty or so; each lookup costs as much as a line."""

    __slots__ = ("translations", "gettext", "language", "now", "profiles")

    def __init__(self) -> None:
        self.translations, self.language = in_force()
        self.gettext = self.translations.ugettext
        self.now = utcnow()
        self.profiles = profile_prefix()

    def ago(self, moment: datetime | None) -> Markup:
        return time_ago(moment, self.now, self.language)

    def counted(self, count: int, singular: str, plural_form: str) -> Markup:
        return escape(plural(count, singular, plural_form, self.translations, self.language))

    def person(self, user) -> Markup:
        return profile_link(user, self.profiles)


class PostsDrawing(ListDrawing):
    """A list that links to ideas and help requests (cards, the dashboard's lines): their
    addresses' shapes too, looked up once for the list."""

    __slots__ = ("idea_address", "request_address")

    def __init__(self) -> None:
        super().__init__()
        self.idea_address = address_by_id("ideas.detail", "idea_id")
        self.request_address = address_by_id("help.detail", "help_request_id")


_ID_STAND_IN = 1_987_654_321  # an id no address holds otherwise, to find where ids go


def address_by_id(endpoint: str, name: str, **values) -> Callable[[int], str]:
    """The addresses of `endpoint` for any id given as `name` (its other values fixed),
    built once: each is then its two ends joined around the id."""
    before, _, after = remembered_url_for(endpoint, **{name: _ID_STAND_IN}, **values).partition(str(_ID_STAND_IN))
    return lambda id_: f"{before}{id_}{after}"


def csrf_token() -> str:
    """The person's CSRF token: made once a request by Flask-WTF, which keeps it in `g`, and
    read from there after that (a page of notifications asks for it on every button).

    Signing it costs more than a page's header, and every page of someone signed in has
    one (the sign-out button): the token signed for their session is kept for a minute
    (SIGNED_TOKEN_SECONDS) and used again, as valid as one signed now but a minute older at
    most. Flask-WTF checks it as it checks any."""
    token = g.get("csrf_token")
    if token is not None:
        return token
    own = session.get("csrf_token")  # the session's own secret, which the token signs
    kept = current_app.extensions["signed_csrf_tokens"]
    with _tokens_lock:
        token = kept.get(own) if own else None
    if token is None:
        token = generate_csrf()
        if own:
            with _tokens_lock:
                kept[own] = token
    else:
        g.csrf_token = token  # where Flask-WTF looks, so that the page's forms carry it too
    return token


def post_button(action: str, label: str, style: str = "secondary", name: str | None = None,
                token: str | None = None) -> Markup:
    """A button that POSTs: every change goes through a form with a CSRF token. `name` is
    its accessible name when the label alone does not say what it acts on; `token`, the
    CSRF token, escaped, when a page of many buttons has looked it up once for all.

    A function rather than a macro: a page of notifications has one for each unread."""
    described = f' aria-label="{escape(name)}"' if name else ""
    return Markup(
        f'<form method="post" action="{escape(action)}" class="inline-form">\n'
        f'  <input type="hidden" name="csrf_token" value="{token or escape(csrf_token())}">\n'
        f'  <button type="submit" class="button button--{escape(style)}"{described}>{escape(label)}</button>\n'
        '</form>\n'
    )


def plural(count: int, singular: str, plural_form: str, translations=None, language: str | None = None) -> str:
    """'3 supporters' in the page's language: `singular` and `plural_form` say
    %(num)s where the number goes, and each language picks its own form (Welsh has six).
    A list of many gives the language's translations and code, looked up once for all."""
    if translations is None:
        translations, language = in_force()
    number = str(count) if count < 1000 else _thousands(count, language)
    return translations.ungettext(singular, plural_form, count) % {"num": number}


@lru_cache(maxsize=4096)
def _thousands(count: int, language: str) -> str:
    """1,234 or 1 234 as the language writes it: Babel takes some eighty calls to say so,
    and a list of popular ideas says it twenty times."""
    return numbers.format_decimal(count, locale=language)


def labelled(things) -> list[tuple[str, str]]:
    """Topics or areas as (slug, name) pairs, for a filter's choices."""
    return [(thing.slug, thing.name) for thing in things]


def init_templating(app: Flask) -> None:
    app.extensions["signed_csrf_tokens"] = TTLCache(maxsize=app.config["SESSION_COOKIES_KEPT"],
                                                    ttl=SIGNED_TOKEN_SECONDS)
    app.jinja_env.filters.update(date=format_date, datetime=format_datetime, ago=time_ago,
                                 labelled=labelled)
    from . import cards, fragments  # cards draw with the functions above
    from .admin import board_settings
    from .auth import header  # noqa: F401  (the header's parts for each person, drawn the same way)
    from .forms_common import kept_while_blank
    from .ideas import parts as idea_parts  # noqa: F401  (what visitors get from an idea's page's parts)
    from .languages.switcher import language_links
    from .mail import mail_enabled
    from .people import parts as profile_parts  # noqa: F401  (and from a profile's)

    # current_user a global, so that macros imported without context can see who is signed in.
    app.jinja_env.globals.update(plural=plural, current_user=current_user, person=profile_link,
                                 post_button=post_button,
                                 url_for=remembered_url_for, idea_cards_html=cards.idea_cards_html,
                                 help_cards_html=cards.help_cards_html, skill_tags=cards.skill_tags,
                                 kept_while_blank=kept_while_blank, board_settings=board_settings,
                                 language_links=language_links, kept=fragments.kept,
                                 mail_enabled=mail_enabled)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def board_context():
        settings = board_settings()
        return {"board_name": settings.name, "board": settings, "mail_on": mail_enabled()}
