from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms_common import Form
from ..words import lazy_gettext as _l
from .models import Category, Frequency


class EmailChoicesForm(Form):
    """One question per category: how often to be emailed about it."""


for _category in Category.ALL:
    setattr(EmailChoicesForm, _category, RadioField(
        Category.LABELS[_category],
        choices=[SelectChoice(value, Frequency.LABELS[value]) for value in Frequency.ALL],
        validators=[InputRequired(_l("Choose how often to hear about this."))],
        invalid_choice_message=_l("Choose how often to hear about this."),
    ))
