from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, Length, Regexp, ValidationError

from ..forms_common import required, strip
from ..admin import board_settings
from ..models import User

USERNAME_HINT = "3 to 30 letters, numbers, hyphens or underscores. Others will see it."


class RegisterForm(FlaskForm):
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
    email = EmailField(
        "Email address",
        description="We never show it to anyone.",
        filters=[strip],
        validators=[
            required("Enter your email address."),
            Length(max=254, message="An email address must be 254 characters or fewer."),
            Email(
                message="Enter an email address in the right format, like name@example.org.",
                check_deliverability=False,
            ),
        ],
    )
    password = PasswordField(
        "Password",
        description="At least 8 characters. A few words strung together are easy to remember.",
        validators=[
            required("Enter a password."),
            Length(min=8, max=200, message="A password must be 8 to 200 characters long."),
        ],
    )
    confirm_password = PasswordField(
        "Confirm password",
        validators=[
            required("Type your password again."),
            EqualTo("password", message="The two passwords do not match."),
        ],
    )

    def validate_username(self, field):
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
        if User.by_email(field.data) is not None:
            raise ValidationError("There is already an account with that email address.")


class LoginForm(FlaskForm):
    login = StringField(
        "Username or email address",
        filters=[strip],
        validators=[required("Enter your username or email address.")],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[required("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        description="The address you registered with.",
        filters=[strip],
        validators=[
            required("Enter your email address."),
            Length(max=254, message="An email address must be 254 characters or fewer."),
            Email(
                message="Enter an email address in the right format, like name@example.org.",
                check_deliverability=False,
            ),
        ],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 8 characters. A few words strung together are easy to remember.",
        validators=[
            required("Enter a new password."),
            Length(min=8, max=200, message="A password must be 8 to 200 characters long."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            required("Type your new password again."),
            EqualTo("password", message="The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
