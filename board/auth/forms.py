from __future__ import annotations

from flask_babel import gettext as _
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, Length, Regexp, ValidationError

from ..admin import board_settings
from ..forms_common import Form, required, strip
from ..mail import mail_enabled
from ..models import User
from ..words import lazy_gettext as _l

USERNAME_HINT = _l("3 to 30 letters, numbers, hyphens or underscores. Others will see it.")
PASSWORD_HINT = _l("At least 8 characters. A few words strung together are easy to remember.")


def email_field(description: str, autocomplete: str | None = None) -> EmailField:
    return EmailField(
        _l("Email address"),
        description=description,
        filters=[strip],
        validators=[
            required(_l("Enter your email address.")),
            Length(max=254, message=_l("An email address must be 254 characters or fewer.")),
            Email(
                message=_l("Enter an email address in the right format, like name@example.org."),
                check_deliverability=False,
            ),
        ],
        render_kw={"autocomplete": autocomplete} if autocomplete else None,
    )


def password_field(label: str, missing: str, autocomplete: str | None = None) -> PasswordField:
    return PasswordField(
        label,
        description=PASSWORD_HINT,
        validators=[
            required(missing),
            Length(min=8, max=200, message=_l("A password must be 8 to 200 characters long.")),
        ],
        render_kw={"autocomplete": autocomplete} if autocomplete else None,
    )


def confirm_field(label: str, missing: str, autocomplete: str | None = None) -> PasswordField:
    return PasswordField(
        label,
        validators=[required(missing), Length(max=200, message=_l("A password must be 200 characters or fewer.")),
                    EqualTo("password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": autocomplete} if autocomplete else None,
    )


class RegisterForm(Form):
    username = StringField(
        _l("Username"),
        description=USERNAME_HINT,
        filters=[strip],
        validators=[
            required(_l("Enter a username.")),
            Length(min=3, max=30, message=_l("A username must be 3 to 30 characters long.")),
            Regexp(
                r"^[A-Za-z0-9_-]+$",
                message=_l("A username can only have letters, numbers, hyphens and underscores."),
            ),
        ],
    )
    email = email_field(_l("We never show it to anyone."))
    password = password_field(_l("Password"), _l("Enter a password."))
    confirm_password = confirm_field(_l("Confirm password"), _l("Type your password again."))

    def validate_username(self, field):
        if not field.errors and field.data.lower().startswith("deleted-"):
            raise ValidationError(_l("Usernames starting with “deleted-” are kept for deleted accounts."))
        if not field.errors and User.by_username(field.data) is not None:
            raise ValidationError(_l("That username is taken. Try another."))

    def validate_email(self, field):
        if field.errors:
            return
        settings = board_settings()
        if not settings.allows_email(field.data):
            raise ValidationError(_("This board is open to email addresses at %(domains)s only.",
                                    domains=", ".join(settings.domains)))
        # With email, the owner of the address is told instead (see auth.register), so that
        # registering does not tell anyone which addresses have an account.
        if not mail_enabled() and User.by_email(field.data) is not None:
            raise ValidationError(_l("There is already an account with that email address."))


class LoginForm(Form):
    login = StringField(
        _l("Username or email address"),
        filters=[strip],
        validators=[required(_l("Enter your username or email address.")),
                    Length(max=254, message=_l("A username or email address is 254 characters or fewer."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[required(_l("Enter your password.")), Length(max=200, message=_l("A password must be 200 characters or fewer."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class FinishRegistrationForm(Form):
    """One button, with the CSRF token, that makes the account the emailed link names."""


class ForgotPasswordForm(Form):
    email = email_field(_l("The address you registered with."), autocomplete="email")


class ResetPasswordForm(Form):
    password = password_field(_l("New password"), _l("Enter a new password."), autocomplete="new-password")
    confirm_password = confirm_field(_l("Confirm new password"), _l("Type your new password again."),
                                     autocomplete="new-password")
