"""The emails that look after an account: registering, confirming the address, resetting
the password."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from ..mail import absolute_url, queue_email, speaking_to
from ..models import User
from ..tokens import RESET, VERIFY, make_token
from .models import Registration


def send_verification(user: User) -> None:
    hours = current_app.config["VERIFY_EMAIL_HOURS"]
    url = absolute_url("auth.verify_email", token=make_token(VERIFY, user))
    with speaking_to(user):
        queue_email(user.email, _("Please confirm your email address"), "verify",
                    person=user, url=url, hours=hours)


def send_password_reset(user: User) -> None:
    minutes = current_app.config["RESET_PASSWORD_MINUTES"]
    url = absolute_url("auth.reset_password", token=make_token(RESET, user))
    with speaking_to(user):
        queue_email(user.email, _("Reset your password"), "reset", person=user, url=url, minutes=minutes)


# --- Registering with email on -----------------------------------------------------
#
# The account is made only when the emailed link is followed. Until then no account
# exists and no username is held, so registering with a new address and with one that
# already has an account look the same from outside. What was typed waits on the
# server (auth.models.Registration); the link carries only a random token.


def send_registration_link(username: str, email: str, password_hash: str,
                           invite_id: int | None) -> None:
    hours = current_app.config["VERIFY_EMAIL_HOURS"]
    token = Registration.start(username, email, password_hash, invite_id, hours)[1]
    url = absolute_url("auth.finish_registration", token=token)
    # The person registering is the one on the page: written in the page's language.
    queue_email(email, _("Confirm your email address to finish registering"), "register",
                username=username, url=url, hours=hours)


def send_someone_tried_to_register(owner: User) -> None:
    """Tell the owner of an address that someone tried to register with it, instead of
    telling the person registering that the address has an account."""
    minutes = current_app.config["RESET_PASSWORD_MINUTES"]
    url = absolute_url("auth.reset_password", token=make_token(RESET, owner))
    with speaking_to(owner):
        queue_email(owner.email, _("Someone tried to register with your email address"),
                    "someone_registered", person=owner, url=url, minutes=minutes)


def send_password_changed(person: User) -> None:
    """Tell the person their password was changed, so that a change they did not make
    (on a device left signed in) does not go unnoticed."""
    url = absolute_url("auth.forgot_password")
    with speaking_to(person):
        queue_email(person.email, _("Your password was changed"), "password_changed", person=person,
                    url=url)
