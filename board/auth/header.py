"""The header's parts that depend on who is asking: their links, their name and sign-out
form, and the reminder to confirm their email address.

They are on every page, and someone signed in gets them drawn for each page they read,
a kept page too (board/page_cache.py). Drawn by macros, they were a fifth of such a page's
time (a macro call, and a context lookup for each word, address and attribute); here each
is a few string joins, in the page's language from the catalogues' own words, which are
trusted as the templates trust them: only what people wrote (a name, an address) is escaped.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from markupsafe import Markup, escape

from ..admin import board_settings
from ..languages import in_force
from ..mail import mail_enabled
from ..page_cache import drawn_in_code
from ..templating import csrf_token, remembered_url_for

_CURRENT = ' aria-current="page"'


def _current_if(condition: bool) -> str:
    return _CURRENT if condition else ""


def url_for(endpoint: str, **values) -> str:
    """An address, escaped for an attribute as the templates escape it."""
    return str(escape(remembered_url_for(endpoint, **values)))


@drawn_in_code("nav_links")
def nav_links(places: list[tuple]) -> list[str]:
    """The main menu's links for someone signed in: their dashboard, and for the staff the
    moderation queue and the board's administration."""
    person = current_user._get_current_object()
    if not person.is_authenticated:
        return [""] * len(places)
    _ = in_force()[0].ugettext
    endpoint, blueprint = request.endpoint, request.blueprint
    links = [f'          <li><a href="{url_for("home.dashboard")}"{_current_if(endpoint == "home.dashboard")}>'
             f'{_("Dashboard")}</a></li>\n']
    if person.is_moderator:
        here = blueprint == "moderation" and endpoint != "moderation.report_page"
        links.append(f'          <li><a href="{url_for("moderation.queue")}"{_current_if(here)}>'
                     f'{_("Moderation")}</a></li>\n')
    if person.is_admin:
        links.append(f'          <li><a href="{url_for("admin.index")}"{_current_if(blueprint == "admin")}>'
                     f'{_("Admin")}</a></li>\n')
    return ["".join(links)] * len(places)


@drawn_in_code("account_links")
def account_links(places: list[tuple]) -> list[str]:
    """Signing in or registering; or, for someone signed in, their notifications (with how
    many are unread), their profile, their account and the sign-out button."""
    translations = in_force()[0]
    _ = translations.ugettext
    person = current_user._get_current_object()
    if not person.is_authenticated:
        drawn = (f'        <a href="{url_for("auth.login")}">{_("Sign in")}</a>\n'
                 f'        <a href="{url_for("auth.register")}">{_("Register")}</a>\n')
        return [drawn] * len(places)
    unread = person.unread_notifications
    count = ""
    if unread > 0:
        words = '<span class="unread-count">%(count)s<span class="visually-hidden"> unread</span></span>'
        count = " " + translations.ungettext(words, words, unread) % {"count": unread}
    here = request.endpoint == "notifications.index"
    profile = url_for("people.profile", username=person.username)
    drawn = (
        f'        <a href="{url_for("notifications.index")}"{_current_if(here)}>{_("Notifications")}{count}</a>\n'
        f'        <a href="{profile}">{escape(person.name)}</a>\n'
        f'        <a href="{url_for("people.account")}">{_("Account")}</a>\n'
        f'        <form method="post" action="{url_for("auth.logout")}" class="inline-form">\n'
        f'          <input type="hidden" name="csrf_token" value="{csrf_token()}">\n'
        f'          <button type="submit" class="link-button">{_("Sign out")}</button>\n'
        '        </form>\n'
    )
    return [drawn] * len(places)


@drawn_in_code("email_notice")
def email_notice(places: list[tuple]) -> list[str]:
    """For someone signed in who has not confirmed their email address yet (when the board
    sends email): where the link went, and a button to send it again."""
    person = current_user._get_current_object()
    if not person.is_authenticated or person.email_verified or not mail_enabled():
        return [""] * len(places)
    _ = in_force()[0].ugettext
    if board_settings().require_verified_email:
        words = _("Please confirm your email address with the link we sent to %(email)s: "
                  "you can post once it is confirmed.")
    else:
        words = _("Please confirm your email address with the link we sent to %(email)s.")
    drawn = (
        '    <div class="notice notice--verify">\n'
        f'      <p>{Markup(words) % {"email": person.email}}</p>\n'
        f'      <form method="post" action="{url_for("auth.send_verification_again")}" class="inline-form">\n'
        f'        <input type="hidden" name="csrf_token" value="{csrf_token()}">\n'
        f'        <button type="submit" class="link-button">{_("Send the link again")}</button>\n'
        '      </form>\n'
        '    </div>\n'
    )
    return [drawn] * len(places)
