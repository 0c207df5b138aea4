from __future__ import annotations

import re

from flask_babel import gettext as _
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Email, Length, NumberRange, Optional, ValidationError

from ..forms_common import Form, body_field, one_line, required, strip
from ..languages import LANGUAGES
from ..models import Role, User, slugify
from ..words import lazy_gettext as _l
from .models import RegistrationMode


class RoleForm(Form):
    username = StringField(
        _l("Username"), filters=[strip],
        validators=[required(_l("Enter the username of the person.")),
                    Length(max=30, message=_l("A username is 30 characters or fewer."))],
        description=_l("The person whose role changes."),
    )
    role = SelectField(_l("Role"), choices=[SelectChoice(role, Role.LABELS[role]) for role in Role.ALL],
                       invalid_choice_message=_l("Choose one of the roles listed."))
    is_official = BooleanField(_l("Show the Official badge (council or group staff)"))

    def validate_username(self, field):
        if field.data and User.by_username(field.data) is None:
            raise ValidationError(_l("There is nobody with that username on this board."))


class LabelForm(Form):
    """A topic's or an area's name."""

    name = StringField(
        _l("Name"), filters=[strip, one_line],
        validators=[required(_l("Enter a name.")), Length(max=60, message=_l("A name must be 60 characters or fewer."))],
    )

    def __init__(self, *args, model=None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model, self.current = model, current

    def validate_name(self, field):
        same = self.model.by_slug(slugify(field.data or ""))
        if same is not None and same is not self.current:
            raise ValidationError(_("There is already one called “%(name)s”.", name=same.name))


DOMAIN = re.compile(r"^@?[a-z0-9-]+(\.[a-z0-9-]+)+$")


NOT_A_NUMBER = _l("Enter a whole number, like 10.")


class WholeNumberField(IntegerField):
    """A whole number, refused in the board's own words when it is not one."""

    def __init__(self, *args, not_a_number=NOT_A_NUMBER, **kwargs):
        super().__init__(*args, **kwargs)
        self.not_a_number = not_a_number

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.not_a_number) from None


class SettingsForm(Form):
    name = StringField(
        _l("Board name"), filters=[strip, one_line],
        validators=[required(_l("Enter the board's name.")),
                    Length(max=80, message=_l("The name must be 80 characters or fewer."))],
        description=_l("Shown in the header and in every page's title."),
    )
    introduction = body_field(
        _l("Introduction"), "", setting="BODY_MAX_LENGTH", optional=True,
        description=_l("A few words on the home page: what this board is for and who runs it. Markdown works."),
    )
    contact_email = EmailField(
        _l("Contact address"), filters=[strip],
        validators=[Optional(),
                    Length(max=254, message=_l("An email address must be 254 characters or fewer.")),
                    Email(message=_l("Enter an email address in the right format, like name@example.org."),
                                      check_deliverability=False)],
        description=_l("Shown in the footer, for questions to the people who run the board."),
    )
    code_of_conduct = body_field(
        _l("Code of conduct"), "", setting="BODY_MAX_LENGTH", optional=True,
        description=_l("The board's rules, shown on their own page and linked from every page. Markdown works."),
    )
    privacy_notice = body_field(
        _l("Privacy notice"), "", setting="BODY_MAX_LENGTH", optional=True,
        description=_l("What the board keeps about people and why, linked from every page. Leave it "
        "empty to show a standard notice describing what Simpl stores. Markdown works."),
    )
    data_licence_name = StringField(
        _l("Open data licence"), filters=[strip, one_line],
        validators=[required(_l("Enter the name of the licence open data is published under.")),
                    Length(max=120, message=_l("The licence's name must be 120 characters or fewer."))],
        description=_l("What people may do with the board's open data downloads, feeds and API."),
    )
    data_licence_url = URLField(
        _l("Address of the licence"), filters=[strip],
        validators=[required(_l("Enter the address of the licence.")),
                    Length(max=300, message=_l("The address must be 300 characters or fewer.")),
                    URL(message=_l("Enter a web address starting with https:// or http://."))],
    )
    registration_mode = RadioField(
        _l("Who can register"),
        choices=[SelectChoice(mode, RegistrationMode.LABELS[mode]) for mode in RegistrationMode.ALL],
        invalid_choice_message=_l("Choose who can register."),
    )
    allowed_domains = StringField(
        _l("Email domains allowed to register"), filters=[strip],
        description=_l("Only for “listed email domains”. Separate them with commas, for example: camden.gov.uk, example.org"),
    )

    default_language = SelectField(
        _l("Default language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        invalid_choice_message=_l("Choose one of the languages listed."),
        description=_l("The language of the board for people who have not chosen one and whose "
                       "browser asks for none of the languages offered."),
    )
    languages_offered = SelectMultipleField(
        _l("Languages offered"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        invalid_choice_message=_l("Choose languages from the list."),
        description=_l("People can switch the board to any of these. The default language is "
                       "always offered."),
    )

    require_verified_email = BooleanField(
        _l("People must confirm their email address before they post"),
        description=_l("They can still read, support ideas and set up their account before they confirm."),
    )

    pledge_on = BooleanField(
        _l("Make the board's pledge: ideas with enough supporters get an official answer in time"),
        description=_l("The pledge is shown on the home page, on every idea and on the statistics "
                       "page, and each idea that reaches it shows how long it has waited."),
    )
    pledge_supporters = WholeNumberField(
        _l("Supporters an idea needs for the pledge"),
        validators=[NumberRange(min=0, max=1_000_000,
                                message=_l("Enter a whole number from 0 to 1,000,000."))],
        description=_l("0 means every idea."), render_kw={"maxlength": 7, "inputmode": "numeric"},
    )
    pledge_days = WholeNumberField(
        _l("Days to answer"),
        validators=[NumberRange(min=1, max=3650, message=_l("Enter a whole number of days from 1 to 3,650."))],
        description=_l("Calendar days, counted from the day an idea reaches the pledge."),
        render_kw={"maxlength": 4, "inputmode": "numeric"},
    )

    def validate_allowed_domains(self, field):
        domains = [d.strip().lower() for d in (field.data or "").split(",") if d.strip()]
        wrong = [d for d in domains if not DOMAIN.match(d)]
        if wrong:
            raise ValidationError(_("“%(domain)s” is not an email domain, like example.org.", domain=wrong[0]))
        if self.registration_mode.data == RegistrationMode.DOMAINS and not domains:
            raise ValidationError(_l("List at least one email domain, or choose another way to register."))


class InviteForm(Form):
    note = StringField(
        _l("Who is it for? (optional)"), filters=[strip],
        validators=[Length(max=120, message=_l("Keep the note to 120 characters or fewer."))],
        description=_l("Only admins see this, to keep track of the invitations sent."),
    )
