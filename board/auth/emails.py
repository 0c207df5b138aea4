"""The emails that look after an account: confirming the address, resetting the password."""

from __future__ import annotations

from flask import current_app

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
