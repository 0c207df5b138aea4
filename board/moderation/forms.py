
from ..forms_common import Form, body_field


class ReportForm(Form):
    reason = body_field(
        "What is wrong?",
        "Say what is wrong, so the moderators can act on it.",
        setting="REPORT_REASON_MAX_LENGTH",
        description="For example: it is abusive, it shares someone's private details, or it is spam. "
        "Only the moderators see this.",
    )


class ModerationForm(Form):
    """One reason, and a button per action that applies: the button pressed is the action."""

    reason = body_field(
        "Reason",
        "Give a reason: it goes into the moderation log.",
        setting="REPORT_REASON_MAX_LENGTH",
        description="Other moderators see it in the log, with your name and the time.",
    )
