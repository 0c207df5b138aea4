"""What templates can use: date filters, the id URL converter, the board's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates, numbers
from flask import Flask, current_app, g, request, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.routing import IntegerConverter

from .languages import in_force
from .models import MAX_ID, utcnow


class IdConverter(IntegerConverter):
    """A database id: a positive whole number that fits the id columns (32 bits on
    PostgreSQL), so huge ones are a 404 rather than an error from the database."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def remembered_url_for(endpoint: str, **values) -> str:
    """`url_for` for templates and the API, remembering each address it builds.

    A page asks for dozens of addresses (the header's links, one per card) and each
    one walks the URL map. The map does not change while the board runs, so an address
    for the same endpoint, values and root is the same every time: it is built once.
    """
    if endpoint.startswith("."):
        return url_for(endpoint, **values)
    try:
        # A full address (_external, as the API and feeds give) also depends on the scheme
        # and host it was asked for.
        root = request.host_url if values.get("_external") else request.script_root
        key = (root, endpoint, *sorted(values.items()))
        return _addresses[key]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be a key (a list): built every time
        return url_for(endpoint, **values)
    if len(_addresses) >= _ADDRESSES_KEPT:
        _addresses.clear()
    address = _addresses[key] = url_for(endpoint, **values)
    return address


# Enough for every card of the busiest pages; a board with more ids starts over.
_ADDRESSES_KEPT = 5_000
_addresses: dict[tuple, str] = {}


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(value: datetime) -> datetime:
    zone = _zone(current_app.config["BOARD_TIMEZONE"])
    return value.replace(tzinfo=UTC).astimezone(zone)


def _language() -> str:
    return in_force()[1]


def format_date(value: datetime | None) -> str:
    return dates.format_date(_local(value), "long", locale=_language()) if value else ""


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = _local(value)
    return gettext("%(date)s at %(time)s", date=dates.format_date(local, "long", locale=_language()),
                   time=dates.format_time(local, "short", locale=_language()))


def time_ago(value: datetime | None) -> Markup:
    """'3 hours ago', in the page's language, inside a <time> element that carries the
    exact moment for machines.

    Discussions call this for every comment, so the words for each count of each unit
    are made once per language and then looked up.
    """
    if value is None:
        return Markup("")
    seconds = (utcnow() - value).total_seconds()
    for unit, size in _UNITS:
        if seconds >= size:
            words = _ago(int(seconds // size), unit, _language())
            break
    else:
        words = _just_now(_language())
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


def profile_link(user) -> Markup:
    """A link to a person's profile, showing their name.

    Discussions show hundreds of these, so the address is built once per request
    and completed by joining strings; usernames are letters, digits, - and _ only,
    so they need no quoting.
    """
    prefix = g.get("profile_url_prefix")
    if prefix is None:
        prefix = g.profile_url_prefix = url_for("people.profile", username="_")[:-1]
    return Markup(f'<a href="{prefix}{user.username}">{escape(user.name)}</a>')


def plural(count: int, singular: str, plural_form: str) -> str:
    """'3 supporters' in the page's language: `singular` and `plural_form` say
    %(num)s where the number goes, and each language picks its own form (Welsh has six)."""
    number = str(count) if count < 1000 else _thousands(count, _language())
    return in_force()[0].ungettext(singular, plural_form, count) % {"num": number}


@lru_cache(maxsize=4096)
def _thousands(count: int, language: str) -> str:
    """1,234 or 1 234 as the language writes it: Babel takes some eighty calls to say so,
    and a list of popular ideas says it twenty times."""
    return numbers.format_decimal(count, locale=language)


def labelled(things) -> list[tuple[str, str]]:
    """Topics or areas as (slug, name) pairs, for a filter's choices."""
    return [(thing.slug, thing.name) for thing in things]


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(date=format_date, datetime=format_datetime, ago=time_ago,
                                 labelled=labelled)
    from . import cards  # it draws with the functions above

    # current_user a global, so that macros imported without context can see who is signed in.
    app.jinja_env.globals.update(plural=plural, current_user=current_user, person=profile_link,
                                 url_for=remembered_url_for, idea_card=cards.idea_card,
                                 help_card=cards.help_card, skill_tags=cards.skill_tags)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def board_context():
        from .admin import board_settings
        from .mail import mail_enabled

        settings = board_settings()
        return {"board_name": settings.name, "board": settings, "mail_on": mail_enabled()}
