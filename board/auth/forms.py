from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, Length, Regexp, ValidationError

from ..admin import board_settings
from ..forms_common import Form, required, strip
from ..mail import mail_enabled
from ..models import User

USERNAME_HINT = "3 to 30 letters, numbers, hyphens or underscores. Others will see it."
PASSWORD_HINT = "At least 8 characters. A few words strung together are easy to remember."


def email_field(description: str, autocomplete: str | None = None) -> EmailField:
    return EmailField(
        "Email address",
        description=description,
        filters=[strip],
        validators=[
            required("Enter your email address."),
            Length(max=254, message="An email address must be 254 characters or fewer."),
            Email(
                message="Enter an email address in the right format, like name@example.org.",
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
            Length(min=8, max=200, message="A password must be 8 to 200 characters long."),
        ],
        render_kw={"autocomplete": autocomplete} if autocomplete else None,
    )


def confirm_field(label: str, missing: str, autocomplete: str | None = None) -> PasswordField:
    return PasswordField(
        label,
        validators=[required(missing), Length(max=200, message="A password must be 200 characters or fewer."),
                    EqualTo("password", message="The two passwords do not match.")],
        render_kw={"autocomplete": autocomplete} if autocomplete else None,
    )


class RegisterForm(Form):
    username = StringField(
        "Username",
        description=USERNAME_HINT,
        filters=[strip],
        validators=[
            required("Enter a username."),
            Length(min=3, max=30, message="A username must be 3 to 30 characters long."),
            Regexp(
                r"^[A-Za-z0-9_-]+$",
                message="A username can only have letters, numbers, hyphens and underscores.",
            ),
        ],
    )
    email = email_field("We never show it to anyone.")
    password = password_field("Password", "Enter a password.")
    confirm_password = confirm_field("Confirm password", "Type your password again.")

    def validate_username(self, field):
        if not field.errors and field.data.lower().startswith("deleted-"):
            raise ValidationError("Usernames starting with “deleted-” are kept for deleted accounts.")
        if not field.errors and User.by_username(field.data) is not None:
            raise ValidationError("That username is taken. Try another.")

    def validate_email(self, field):
        if field.errors:
            return
        settings = board_settings()
        if not settings.allows_email(field.data):
            raise ValidationError(
                "This board is open to email addresses at "
                + ", ".join(settings.domains) + " only."
            )
        # With email, the owner of the address is told instead (see auth.register), so that
        # registering does not tell anyone which addresses have an account.
        if not mail_enabled() and User.by_email(field.data) is not None:
            raise ValidationError("There is already an account with that email address.")


class LoginForm(Form):
    login = StringField(
        "Username or email address",
        filters=[strip],
        validators=[required("Enter your username or email address."),
                    Length(max=254, message="A username or email address is 254 characters or fewer.")],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[required("Enter your password."), Length(max=200, message="A password must be 200 characters or fewer.")],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")


class FinishRegistrationForm(Form):
    """One button, with the CSRF token, that makes the account the emailed link names."""


class ForgotPasswordForm(Form):
    email = email_field("The address you registered with.", autocomplete="email")


class ResetPasswordForm(Form):
    password = password_field("New password", "Enter a new password.", autocomplete="new-password")
    confirm_password = confirm_field("Confirm new password", "Type your new password again.",
                                     autocomplete="new-password")
