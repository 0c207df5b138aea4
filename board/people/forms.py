from wtforms import PasswordField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from ..auth.forms import confirm_field, password_field
from ..forms_common import Form, body_field, one_line, required, skills_field, strip
from ..words import lazy_gettext as _l


class AccountForm(Form):
    display_name = StringField(
        _l("Display name"),
        description=_l("How your name appears to others, for example “Sam from Elm Road”. "
        "Leave it empty to show your username."),
        filters=[strip, one_line],
        validators=[Length(max=80, message=_l("A display name must be 80 characters or fewer."))],
    )
    bio = body_field(
        _l("About you"),
        "",
        setting="BIO_MAX_LENGTH",
        description=_l("A few words about you and your part of town. Markdown works here."),
        optional=True,
    )
    skills = skills_field(
        _l("Skills and resources you can offer"),
        description=_l("Separate them with commas, for example: carpentry, first aid, a van, a garden."),
    )


    areas = SelectMultipleField(
        _l("Areas you can help in"),
        coerce=int,
        default=[],
        validate_choice=False,
        invalid_value_message=_l("Choose areas from the list."),
        description=_l("Requests from these areas come first in what you could help with."),
    )

    language = SelectField(
        _l("Language"),
        invalid_choice_message=_l("Choose one of the languages listed."),
        description=_l("The language the board speaks to you in, on every device you sign in on."),
    )

    def offer_languages(self) -> None:
        from ..languages import LANGUAGES, offered

        self.language.choices = [SelectChoice(code, LANGUAGES[code]) for code in offered()]

    def offer_areas(self, areas) -> None:
        self._areas = {area.id: area for area in areas}
        self.areas.choices = [SelectChoice(area.id, area.name) for area in areas]

    def validate_areas(self, field):
        if any(area_id not in self._areas for area_id in field.data or []):
            raise ValidationError(_l("Choose areas from the list."))

    def chosen_areas(self):
        return [self._areas[area_id] for area_id in self.areas.data or []]


class DeleteAccountForm(Form):
    """Deleting an account asks for the password, so that a borrowed, signed-in device
    cannot do it, and asks what should happen to what the person posted."""

    REMOVE = "remove"
    KEEP = "keep"

    password = PasswordField(
        _l("Your password"),
        validators=[required(_l("Enter your password.")), Length(max=200, message=_l("A password must be 200 characters or fewer."))],
        render_kw={"autocomplete": "current-password"},
    )
    posts = RadioField(
        _l("What should happen to what you posted?"),
        choices=[
            SelectChoice(REMOVE, _l("Remove my ideas, help requests, comments and offers")),
            SelectChoice(KEEP, _l("Keep them, shown as by \u201cDeleted user\u201d")),
        ],
        invalid_choice_message=_l("Choose whether to remove what you posted or keep it."),
    )

    def __init__(self, person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_password(self, field):
        if not self.person.check_password(field.data):
            raise ValidationError(_l("That is not your password."))

    @property
    def keep_posts(self) -> bool:
        return self.posts.data == self.KEEP


class ChangePasswordForm(Form):
    """A new password, with the current one, so that a borrowed, signed-in device cannot
    lock the person out. The new password follows the rules for registering."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[required(_l("Enter your current password.")),
                    Length(max=200, message=_l("A password must be 200 characters or fewer."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = password_field(_l("New password"), _l("Enter a new password."), autocomplete="new-password")
    confirm_password = confirm_field(_l("Confirm new password"), _l("Type your new password again."),
                                     autocomplete="new-password")

    def __init__(self, person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_current_password(self, field):
        if not field.errors and not self.person.check_password(field.data):
            raise ValidationError(_l("That is not your current password."))
