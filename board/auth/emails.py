"""The emails that look after an account: registering, confirming the address, resetting
the password."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..mail import absolute_url, queue_email
from ..models import User
from ..tokens import RESET, VERIFY, make_token


def send_verification(user: User) -> None:
    hours = current_app.config["VERIFY_EMAIL_HOURS"]
    url = absolute_url("auth.verify_email", token=make_token(VERIFY, user))
    queue_email(user.email, "Please confirm your email address", "verify",
                person=user, url=url, hours=hours)


def send_password_reset(user: User) -> None:
    minutes = current_app.config["RESET_PASSWORD_MINUTES"]
    url = absolute_url("auth.reset_password", token=make_token(RESET, user))
    queue_email(user.email, "Reset your password", "reset", person=user, url=url, minutes=minutes)


# --- Registering with email on -----------------------------------------------------
#
# The account is made only when the emailed link is followed. Until then nothing is
# stored, so registering with a new address and with one that already has an account
# look the same from outside: the same page, no username held, nothing to sign in to.

REGISTER = "register"


def _registrations():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=REGISTER)


def send_registration_link(username: str, email: str, password_hash: str,
                           invite: str | None) -> None:
    hours = current_app.config["VERIFY_EMAIL_HOURS"]
    token = _registrations().dumps({"n": username, "e": email, "p": password_hash, "i": invite})
    url = absolute_url("auth.finish_registration", token=token)
    queue_email(email, "Confirm your email address to finish registering", "register",
                username=username, url=url, hours=hours)


def registration_from(token: str) -> dict | None:
    """What the link asks to create (username, email, password_hash, invite), if genuine
    and in time."""
    hours = current_app.config["VERIFY_EMAIL_HOURS"]
    try:
        data = _registrations().loads(token, max_age=hours * 3600)
        found = {"username": str(data["n"]), "email": str(data["e"]),
                 "password_hash": str(data["p"]), "invite": data.get("i")}
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return found


def send_someone_tried_to_register(owner: User) -> None:
    """Tell the owner of an address that someone tried to register with it, instead of
    telling the person registering that the address has an account."""
    minutes = current_app.config["RESET_PASSWORD_MINUTES"]
    url = absolute_url("auth.reset_password", token=make_token(RESET, owner))
    queue_email(owner.email, "Someone tried to register with your email address", "someone_registered",
                person=owner, url=url, minutes=minutes)
