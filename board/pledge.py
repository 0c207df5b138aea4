"""The board's pledge and each idea's answer clock.

Admins may promise that every idea with at least N supporters gets an official answer
within D days. An idea's clock starts the moment it reaches N supporters (stored on the
idea, never recomputed, so support taken back later does not stop it) and stops at its
first official response (Idea.answer). Everything that shows a clock, in pages, cards,
the API, feeds and /stats, reads the two stored moments and the pledge's D from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .extensions import db
from .models import Area, Event, EventKind, Idea, IdeaStatus, Role, Topic, User, idea_topics, iso, utcnow
from .signals import event_recorded, idea_supported
from .words import lazy_gettext as _l

DAY = timedelta(days=1)
# The staff queue and the staff's daily email name what falls due within this many days.
COMING_DUE_DAYS = 7


def the_pledge():
    """The board's settings when the pledge is on, else None."""
    from .admin import board_settings

    settings = board_settings()
    return settings if settings.pledge_on else None


# --- Starting the clock -------------------------------------------------------------


def start_clock_if_due(idea: Idea, by: User) -> bool:
    """Start the idea's clock if it now has enough supporters. Returns whether it started.

    One conditional UPDATE, in the transaction of the support (or the posting) that
    reaches the pledge: of two supports reaching it at once, exactly one starts the
    clock, and the count it reads is the one this transaction wrote.
    """
    pledge = the_pledge()
    if pledge is None:
        return False
    db.session.flush()  # the support's count, written before it is compared
    now = utcnow()
    started = db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id, Idea.pledge_reached_at.is_(None),
               Idea.supporters_count >= pledge.pledge_supporters)
        .values(pledge_reached_at=now)
        .execution_options(synchronize_session=False)
    )
    if started.rowcount != 1:
        return False
    set_committed_value(idea, "pledge_reached_at", now)
    Event.record(EventKind.PLEDGE_REACHED, by, recipient_id=idea.author_id, idea=idea,
                 note=str(pledge.pledge_days))
    return True


def start_clocks_already_due(supporters: int) -> int:
    """When an admin makes the pledge (or lowers N): every visible idea, not yet answered,
    that already has enough supporters starts its clock now.

    Now, not when each idea passed N: a promise applies from when it is made, and
    backdating would make ideas overdue before anyone had promised anything. Nobody is
    emailed for these (one save could otherwise send thousands of emails about ideas
    where nothing happened); staff find them all in the queue.
    """
    return db.session.execute(
        update(Idea)
        .where(Idea.pledge_reached_at.is_(None), Idea.answered_at.is_(None), Idea.visible(),
               Idea.supporters_count >= supporters)
        .values(pledge_reached_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def staff_ids() -> list[int]:
    """The people who answer ideas officially: moderators and admins."""
    return list(db.session.scalars(
        select(User.id).where(User.role.in_((Role.MODERATOR, Role.ADMIN)))
    ))


# --- Reading the clock ------------------------------------------------------------------


WAITING, OVERDUE, ANSWERED = "waiting", "overdue", "answered"


@dataclass(frozen=True)
class Clock:
    state: str  # waiting, overdue or answered
    started: datetime
    due: datetime
    days: int  # waited so far, or taken to answer (whole days)
    pledged_days: int
    answered_at: datetime | None

    @property
    def late(self) -> bool:
        return self.days > self.pledged_days

    @property
    def overdue_by(self) -> int:
        return max(self.days - self.pledged_days, 0)

    def words(self) -> str:
        if self.state == ANSWERED:
            return ngettext("Answered in %(num)s day", "Answered in %(num)s days", self.days)
        if self.state == OVERDUE:
            return ngettext("Overdue by %(num)s day", "Overdue by %(num)s days", self.overdue_by)
        return ngettext("Waiting %(num)s day for an answer (pledged within %(pledged)s)",
                        "Waiting %(num)s days for an answer (pledged within %(pledged)s)",
                        self.days, pledged=self.pledged_days)

    def when(self) -> tuple[str, datetime]:
        """The sentence about the clock's date, with %(date)s where the date goes."""
        if self.state == ANSWERED:
            return _("answered on %(date)s"), self.answered_at
        if self.state == OVERDUE:
            return _("the answer was due on %(date)s"), self.due
        return _("answer due by %(date)s"), self.due

    def html(self) -> Markup:
        from .templating import format_date

        sentence, moment = self.when()
        date = Markup('<time datetime="{}">{}</time>').format(iso(moment), format_date(moment))
        return Markup('<p class="clock clock--{}">{} <span class="clock__date">· {}</span></p>').format(
            self.state, self.words(), Markup(escape(sentence) % {"date": date}),
        )

    def as_json(self) -> dict:
        return {"state": self.state, "words": self.words(), "started_at": iso(self.started),
                "due_at": iso(self.due), "answered_at": iso(self.answered_at), "days": self.days,
                "pledged_days": self.pledged_days, "late": self.late}


def clock_of(idea, now: datetime | None = None) -> Clock | None:
    """Where an idea (or a card) stands against the pledge; None before it reaches it,
    or while the board makes no pledge."""
    started = getattr(idea, "pledge_reached_at", None)
    if started is None:
        return None  # most ideas: known without reading the settings
    pledge = the_pledge()
    if pledge is None:
        return None
    if getattr(idea, "status", None) == IdeaStatus.DUPLICATE and idea.answered_at is None:
        return None  # joined with another idea, which the answer is owed to
    days = pledge.pledge_days
    answered = idea.answered_at
    if answered is not None:
        taken = max(int((answered - started).total_seconds() // 86400), 0)
        return Clock(ANSWERED, started, started + days * DAY, taken, days, answered)
    waited = max(int(((now or utcnow()) - started).total_seconds() // 86400), 0)
    state = OVERDUE if waited > days else WAITING
    return Clock(state, started, started + days * DAY, waited, days, None)


def answer_clock(idea) -> Markup:
    """The clock's words and date for a page or a card; nothing before the pledge."""
    clock = clock_of(idea)
    return clock.html() if clock else _NO_CLOCK


_NO_CLOCK = Markup("")


def pledge_words(pledge=None) -> str:
    """The pledge in plain words, for the home page, ideas and /stats."""
    pledge = pledge or the_pledge()
    if pledge is None:
        return ""
    if pledge.pledge_supporters == 0:
        return ngettext("Our pledge: every idea gets an official answer within %(num)s day.",
                        "Our pledge: every idea gets an official answer within %(num)s days.",
                        pledge.pledge_days)
    return ngettext(
        "Our pledge: every idea with at least %(supporters)s supporters gets an official answer "
        "within %(num)s day.",
        "Our pledge: every idea with at least %(supporters)s supporters gets an official answer "
        "within %(num)s days.",
        pledge.pledge_days, supporters=pledge.pledge_supporters,
    )


# --- Lists: conditions each list can add ------------------------------------------


class ClockFilter:
    """Where ideas stand against the pledge, as lists filter them (?clock=...)."""

    AWAITING, OVERDUE, ANSWERED = "awaiting", "overdue", "answered"
    ALL = (AWAITING, OVERDUE, ANSWERED)
    LABELS = {AWAITING: _l("Awaiting an answer"), OVERDUE: _l("Overdue"),
              ANSWERED: _l("Answered")}


def awaiting():
    # An idea joined with another awaits nothing: the answer is owed to the other one.
    return and_(Idea.pledge_reached_at.is_not(None), Idea.answered_at.is_(None),
                Idea.duplicate_of_id.is_(None))


# Each with a bound parameter where it needs one, like every list filter (board/filters.py).
CLOCK_CONDITIONS = {
    ClockFilter.AWAITING: awaiting(),
    ClockFilter.OVERDUE: and_(awaiting(), Idea.pledge_reached_at < bindparam("overdue_since")),
    ClockFilter.ANSWERED: and_(Idea.pledge_reached_at.is_not(None), Idea.answered_at.is_not(None)),
}


def overdue_since(now: datetime | None = None) -> datetime:
    """Ideas whose clock started before this are overdue (more than D whole days)."""
    pledge = the_pledge()
    days = pledge.pledge_days if pledge else 0
    return (now or utcnow()) - (days + 1) * DAY


# --- Listening ----------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Start clocks in the transaction of the support, or the posting, that reaches the pledge."""
    idea_supported.connect(_supported, sender=app)
    event_recorded.connect(_posted, sender=app)
    app.jinja_env.globals.update(answer_clock=answer_clock, pledge_words=pledge_words)


def _supported(app: Flask, idea: Idea, user: User) -> None:
    start_clock_if_due(idea, user)


def _posted(app: Flask, event: Event) -> None:
    # With N = 0 every idea is owed an answer from the moment it is posted.
    if event.kind == EventKind.IDEA_POSTED:
        start_clock_if_due(event.idea, event.actor)


# --- For staff: the queue, and the day's email --------------------------------------------


@dataclass
class Waiting:
    """One idea in the staff's queue."""

    id: int
    title: str
    supporters_count: int
    area_name: str | None
    pledge_reached_at: datetime
    answered_at: datetime | None
    topics: list[str]
    clock: Clock | None = None


QUEUE = (
    select(Idea.id, Idea.title, Idea.supporters_count, Area.name.label("area_name"),
           Idea.pledge_reached_at, Idea.answered_at)
    .outerjoin(Area, Area.id == Idea.area_id)
    .where(Idea.visible(), awaiting())
    # Due in the order the clocks started: the overdue come first, then the soonest due.
    .order_by(Idea.pledge_reached_at, Idea.id)
    .limit(bindparam("limit"))
)
TOPICS_OF = (
    select(idea_topics.c.idea_id, Topic.name)
    .join(Topic, Topic.id == idea_topics.c.topic_id)
    .where(idea_topics.c.idea_id.in_(bindparam("ids", expanding=True)))
    .order_by(Topic.name)
)


def answer_queue(limit: int, now: datetime | None = None) -> dict[str, list[Waiting]]:
    """Ideas awaiting an official answer, in two queries: the overdue, those due within
    COMING_DUE_DAYS, and the rest, each the longest waiting first."""
    now = now or utcnow()
    items = [Waiting(*row, topics=[]) for row in db.session.execute(QUEUE, {"limit": limit})]
    if items:
        by_id = {item.id: item for item in items}
        for idea_id, name in db.session.execute(TOPICS_OF, {"ids": list(by_id)}):
            by_id[idea_id].topics.append(name)
    sections: dict[str, list[Waiting]] = {"overdue": [], "soon": [], "later": []}
    soon = now + COMING_DUE_DAYS * DAY
    for item in items:
        item.clock = clock_of(item, now)
        if item.clock is None:
            continue
        if item.clock.state == OVERDUE:
            sections["overdue"].append(item)
        elif item.clock.due <= soon:
            sections["soon"].append(item)
        else:
            sections["later"].append(item)
    return sections


def send_answer_reminders(now: datetime | None = None) -> int:
    """Once a day, at the daily digests' hour: email the staff who chose it the ideas that
    are overdue or fall due within COMING_DUE_DAYS. Returns how many emails were written.

    The day's sending is claimed by one conditional UPDATE of the settings row, so that
    two runs at once, or one after a crash, never send it twice.
    """
    from .admin.models import BoardSettings
    from .mail import absolute_url, mail_enabled, queue_email, speaking_to
    from .notifications.emails import digest_cutoff
    from .notifications.models import Category, EmailChoice, Frequency

    now = now or utcnow()
    if the_pledge() is None or not mail_enabled():
        return 0
    cutoff = digest_cutoff(Frequency.DAILY, now)
    table = BoardSettings.__table__
    claimed = db.session.execute(
        update(table).where(table.c.id == 1, table.c.pledge_on.is_(True),
                            or_(table.c.answers_reminded_at.is_(None), table.c.answers_reminded_at < cutoff))
        .values(answers_reminded_at=now)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return 0
    sections = answer_queue(current_app.config["ANSWER_QUEUE_LENGTH"], now)
    overdue, soon = sections["overdue"], sections["soon"]
    written = 0
    if overdue or soon:
        chosen = select(EmailChoice.frequency).where(
            EmailChoice.user_id == User.id, EmailChoice.category == Category.ANSWERS
        ).scalar_subquery()
        staff = db.session.scalars(
            select(User).where(
                User.role.in_((Role.MODERATOR, Role.ADMIN)), User.suspended_at.is_(None),
                User.erased_at.is_(None), User.email_verified_at.is_not(None),
                func.coalesce(chosen, Frequency.DEFAULTS[Category.ANSWERS]) == Frequency.DAILY,
            )
        ).all()
        links = {item.id: absolute_url("ideas.detail", idea_id=item.id, _anchor="answer-heading")
                 for item in (*overdue, *soon)}
        for person in staff:
            with speaking_to(person):
                queue_email(
                    person.email,
                    _("Ideas owed an answer: %(overdue)s overdue, %(soon)s due within %(days)s days",
                      overdue=len(overdue), soon=len(soon), days=COMING_DUE_DAYS),
                    "answers_due", person=person, overdue=overdue, soon=soon, links=links,
                    queue_url=absolute_url("admin.answers"),
                    settings_url=absolute_url("notifications.settings"),
                )
            written += 1
    db.session.commit()
    return written
