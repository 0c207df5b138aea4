
from ..forms_common import Form, body_field
from ..words import lazy_gettext as _l


class ReportForm(Form):
    reason = body_field(
        _l("What is wrong?"),
        _l("Say what is wrong, so the moderators can act on it."),
        setting="REPORT_REASON_MAX_LENGTH",
        description=_l("For example: it is abusive, it shares someone's private details, or it is spam. "
        "Only the moderators see this."),
    )


class ModerationForm(Form):
    """One reason, and a button per action that applies: the button pressed is the action."""

    reason = body_field(
        _l("Reason"),
        _l("Give a reason: it goes into the moderation log."),
        setting="REPORT_REASON_MAX_LENGTH",
        description=_l("Other moderators see it in the log, with your name and the time."),
    )
