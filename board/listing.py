"""What lists and discussions show, read as light rows rather than full model objects.

Lists are the board's busiest pages, and building an ORM object per row costs more
than the rest of the page together. A card holds just what a list shows, from one
query per list (plus one for help requests' skills), whatever the number of rows.
Pages of a list are found with the ids first, from the list's covering index, so
that page 200 costs what page 1 costs.

Each list's query is built once, when the module that shows it is imported
(`idea_list(...)`, `help_list(...)`), with bound parameters for what changes per
request: building a query costs more than running it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import Select, bindparam, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import aliased

from .extensions import db, read_rows
from .languages import named
from .models import (
    Area,
    Comment,
    Content,
    HelpKind,
    HelpRequest,
    HelpStatus,
    Idea,
    IdeaStatus,
    Offer,
    OfferStatus,
    Skill,
    User,
    help_request_skills,
    name_of,
    utcnow,
)
from .photos import Photo, PhotoView, card_thumb, first_photo_id


@dataclass(slots=True)
class Person:
    id: int
    username: str
    display_name: str | None
    erased_at: datetime | None = None

    @property
    def name(self) -> str:
        return name_of(self.display_name, self.username, self.erased_at)


@dataclass(slots=True)
class IdeaCard:
    id: int
    title: str
    created_at: datetime
    supporters_count: int
    comments_count: int
    author: Person
    status: str
    area_name: str | None
    # The answer clock's two moments (board/pledge.py), read with the card.
    pledge_reached_at: datetime | None = None
    answered_at: datetime | None = None
    # Its first photo, small, read with the card.
    thumb: PhotoView | None = None

    @property
    def status_label(self) -> str:
        return named(IdeaStatus.LABELS[self.status])


@dataclass(slots=True)
class HelpCard:
    id: int
    title: str
    status: str
    created_at: datetime
    offers_count: int
    comments_count: int
    author: Person
    idea_id: int | None
    idea_title: str | None
    area_name: str | None
    kind: str = HelpKind.SKILLS
    skills: list[str] = field(default_factory=list)
    thumb: PhotoView | None = None

    @property
    def status_label(self) -> str:
        return named(HelpStatus.LABELS[self.status])

    @property
    def kind_label(self) -> str:
        return named(HelpKind.LABELS[self.kind])


class _PostShown:
    """What the page of an idea or a help request asks of the post it shows, read as one
    row with its author's name rather than as model objects: loading them cost more than
    the query did. Its photos are read only when the page shows them."""

    __slots__ = ()
    model: type  # the model the post is a row of

    is_by = Content.is_by
    edited = Content.edited

    @property
    def author_id(self) -> int:
        return self.author.id

    @property
    def photos(self) -> list[Photo]:
        return db.session.scalars(_PHOTOS_OF[self.model], {"post_id": self.id}).all()


@dataclass(slots=True)
class IdeaShown(_PostShown):
    """An idea on its page (`shown_columns`, `read_post`)."""
    model = Idea

    id: int
    title: str
    body_html: str
    language: str
    status: str
    created_at: datetime
    updated_at: datetime | None
    hidden_at: datetime | None
    supporters_count: int
    comments_count: int
    comments_locked_at: datetime | None
    duplicate_of_id: int | None
    pledge_reached_at: datetime | None
    answered_at: datetime | None
    author: Person

    status_label = IdeaCard.status_label

    @property
    def duplicate_of(self) -> Idea | None:
        return db.session.get(Idea, self.duplicate_of_id) if self.duplicate_of_id else None


@dataclass(slots=True)
class HelpRequestShown(_PostShown):
    """A help request on its page (`shown_columns`, `read_post`)."""
    model = HelpRequest

    id: int
    title: str
    body_html: str
    language: str
    status: str
    kind: str
    created_at: datetime
    updated_at: datetime | None
    hidden_at: datetime | None
    offers_count: int
    comments_count: int
    idea_id: int | None
    author: Person

    status_label = HelpCard.status_label
    kind_label = HelpCard.kind_label
    is_open = HelpRequest.is_open


def model_of(post) -> type:
    """The model of a post, whether loaded as one or read as a row (IdeaShown...)."""
    return getattr(post, "model", type(post))


@dataclass(slots=True)
class CommentView:
    id: int
    body_html: Markup  # sanitised when the comment was written (board/text.py)
    created_at: datetime
    updated_at: datetime | None
    author: Person
    hidden: bool  # removed by a moderator: shown as a placeholder, so the thread still reads
    language: str  # what it is written in, so a page in another language can mark it


def person_columns(user) -> tuple:
    """The columns a Person is made of, in order, from `user` (User or an alias of it)."""
    return user.id, user.username, user.display_name, user.erased_at


# Built once: constructing labels and aliases costs more than running the query.
AUTHOR_COLUMNS = (User.id.label("author_id"), User.username.label("author_username"),
                  User.display_name.label("author_display_name"))
LINKED_IDEA = aliased(Idea, name="linked_idea")
# A help request's idea, when visitors may see it: its cards and its page show its title.
SHOWN_LINKED_IDEA = (LINKED_IDEA.id == HelpRequest.idea_id) & LINKED_IDEA.visible()

# A post's page's own row: its fields, in the order of its class, then its author's.
_SHOWN_FIELDS = {
    IdeaShown: (
        Idea.id, Idea.title, Idea.body_html, Idea.language, Idea.status, Idea.created_at,
        Idea.updated_at, Idea.hidden_at, Idea.supporters_count, Idea.comments_count,
        Idea.comments_locked_at, Idea.duplicate_of_id, Idea.pledge_reached_at, Idea.answered_at,
    ),
    HelpRequestShown: (
        HelpRequest.id, HelpRequest.title, HelpRequest.body_html, HelpRequest.language,
        HelpRequest.status, HelpRequest.kind, HelpRequest.created_at, HelpRequest.updated_at,
        HelpRequest.hidden_at, HelpRequest.offers_count, HelpRequest.comments_count, HelpRequest.idea_id,
    ),
}
_PHOTOS_OF = {
    model: select(Photo).where(column == bindparam("post_id")).order_by(*model.photos.property.order_by)
    for model, column in ((Idea, Photo.idea_id), (HelpRequest, Photo.help_request_id))
}


_ITS_AUTHOR = person_columns(User)


def shown_columns(kind: type[_PostShown]) -> tuple:
    """The columns a post's page reads it by (IdeaShown, HelpRequestShown), its author's too."""
    return (*_SHOWN_FIELDS[kind], *_ITS_AUTHOR)


def read_post(kind: type[_PostShown], row) -> tuple[_PostShown, tuple]:
    """The post at the start of `row`, read by `shown_columns(kind)`, and the rest of the row."""
    fields = len(_SHOWN_FIELDS[kind])
    author_ends = fields + len(_ITS_AUTHOR)
    return kind(*row[:fields], Person(*row[fields:author_ends])), tuple(row[author_ends:])


def page_ids(model, where, order_by):
    """The ids of one page of visible `model` rows, read from the covering index alone."""
    return (
        select(model.id).where(model.visible(), *where).order_by(*order_by)
        .limit(bindparam("limit")).offset(bindparam("offset")).subquery()
    )


# A card's thumbnail is its first visible photo, joined to its row: no query per card.
IDEA_THUMB = aliased(Photo, name="idea_thumb")
REQUEST_THUMB = aliased(Photo, name="request_thumb")


def _thumb_columns(thumb) -> tuple:
    return (thumb.digest.label("thumb_digest"), thumb.alt.label("thumb_alt"),
            thumb.format.label("thumb_format"), thumb.thumb_width.label("thumb_width"),
            thumb.thumb_height.label("thumb_height"))


IDEA_THUMB_JOIN = IDEA_THUMB.id == first_photo_id(Idea.id, "idea_id")
REQUEST_THUMB_JOIN = REQUEST_THUMB.id == first_photo_id(HelpRequest.id, "help_request_id")

# A card's columns, in the order `idea_cards` and `help_cards` unpack them.
IDEA_CARD_COLUMNS = (Idea.id, Idea.title, Idea.created_at, Idea.supporters_count,
                     Idea.comments_count, *AUTHOR_COLUMNS, Idea.status, Area.name.label("area_name"),
                     Idea.pledge_reached_at, Idea.answered_at, *_thumb_columns(IDEA_THUMB))
HELP_CARD_COLUMNS = (HelpRequest.id, HelpRequest.title, HelpRequest.status, HelpRequest.created_at,
                     HelpRequest.offers_count, HelpRequest.comments_count, *AUTHOR_COLUMNS,
                     LINKED_IDEA.id.label("idea_id"), LINKED_IDEA.title.label("idea_title"),
                     Area.name.label("area_name"), HelpRequest.kind, *_thumb_columns(REQUEST_THUMB))


NEWEST_IDEAS = (Idea.id.desc(),)
NEWEST_REQUESTS = (HelpRequest.id.desc(),)


def idea_list(*where, order_by=NEWEST_IDEAS) -> Select:
    """The query for a list of idea cards: visible ideas matching `where`, in this order."""
    page = page_ids(Idea, where, order_by)
    return (
        select(*IDEA_CARD_COLUMNS)
        .join(page, page.c.id == Idea.id)
        .join(User, User.id == Idea.author_id)
        .outerjoin(Area, Area.id == Idea.area_id)
        .outerjoin(IDEA_THUMB, IDEA_THUMB_JOIN)
        .order_by(*order_by)
    )


TRENDING_DAYS = 14


def trending_idea_list(*where) -> Select:
    """Every visible idea matching `where`: those supported since `since` (bound) first, the
    latest supported first, then all the others, newest first.

    Each part is read in its own index order, a page at a time (the rest starts where the
    recently supported end), so page 200 costs what page 1 costs: no sort of every idea.
    """
    since, limit, offset = bindparam("since"), bindparam("limit"), bindparam("offset")
    recent = Idea.last_supported_at >= since
    # Read once and kept for the statement (a few rows at most): how many it holds says
    # whether and where the rest starts.
    first = (
        select(Idea.id, Idea.last_supported_at.label("at"), literal(0).label("part"))
        .where(Idea.visible(), recent, *where)
        .order_by(Idea.last_supported_at.desc(), Idea.id.desc())
        .limit(limit).offset(offset)
        .cte("recently_supported").prefix_with("MATERIALIZED")
    )
    on_this_page = select(func.count()).select_from(first).scalar_subquery()
    # Where the page ends in the others: at their start when it holds any recently supported
    # idea; else `offset` less the recently supported ones, counted only up to `offset` (there
    # may be tens of thousands, and counting them is a walk as long as reading the page's
    # own, so it is done only on a page past them all).
    recent_before_page = (
        select(func.count()).select_from(
            select(Idea.id).where(Idea.visible(), recent, *where).limit(offset).subquery()
        ).scalar_subquery()
    )
    past_recent = case((on_this_page > 0, 0), else_=offset - recent_before_page)
    rest = (
        select(Idea.id, cast(null(), Idea.last_supported_at.type).label("at"), literal(1).label("part"))
        .where(Idea.visible(), or_(Idea.last_supported_at.is_(None), Idea.last_supported_at < since),
               *where)
        .order_by(Idea.id.desc())
        .limit(limit - on_this_page).offset(past_recent)
        .subquery()
    )
    both = union_all(select(*first.c), select(*rest.c)).subquery()
    order = (both.c.part, both.c.at.desc(), both.c.id.desc())
    page = select(both).order_by(*order).limit(limit).subquery()
    return (
        select(*IDEA_CARD_COLUMNS)
        .join(page, page.c.id == Idea.id)
        .join(User, User.id == Idea.author_id)
        .outerjoin(Area, Area.id == Idea.area_id)
        .outerjoin(IDEA_THUMB, IDEA_THUMB_JOIN)
        .order_by(page.c.part, page.c.at.desc(), Idea.id.desc())
    )


def trending_since():
    return utcnow() - timedelta(days=TRENDING_DAYS)


def help_list(*where, order_by=NEWEST_REQUESTS) -> Select:
    """The query for a list of help request cards, with the title of a linked, visible idea."""
    page = page_ids(HelpRequest, where, order_by)
    return (
        select(*HELP_CARD_COLUMNS)
        .join(page, page.c.id == HelpRequest.id)
        .join(User, User.id == HelpRequest.author_id)
        .outerjoin(LINKED_IDEA, SHOWN_LINKED_IDEA)
        .outerjoin(Area, Area.id == HelpRequest.area_id)
        .outerjoin(REQUEST_THUMB, REQUEST_THUMB_JOIN)
        .order_by(*order_by)
    )


# Cards are unpacked in their columns' order (IDEA_CARD_COLUMNS, HELP_CARD_COLUMNS): by
# name, each value cost more than the rest of the card's reading.
def idea_cards(query: Select, *, limit: int, offset: int = 0, **params) -> list[IdeaCard]:
    return [
        IdeaCard(id_, title, created_at, supporters, comments, Person(author_id, username, display_name),
                 status, area_name, pledge_reached_at, answered_at, card_thumb(*thumb))
        for (id_, title, created_at, supporters, comments, author_id, username, display_name, status,
             area_name, pledge_reached_at, answered_at, *thumb)
        in read_rows(query, {"limit": limit, "offset": offset, **params})
    ]


def help_cards(query: Select, *, limit: int, offset: int = 0, **params) -> list[HelpCard]:
    cards = [
        HelpCard(id_, title, status, created_at, offers, comments, Person(author_id, username, display_name),
                 idea_id, idea_title, area_name, kind, thumb=card_thumb(*thumb))
        for (id_, title, status, created_at, offers, comments, author_id, username, display_name,
             idea_id, idea_title, area_name, kind, *thumb)
        in read_rows(query, {"limit": limit, "offset": offset, **params})
    ]
    if cards:
        skills = skills_of([card.id for card in cards])
        for card in cards:
            card.skills = skills[card.id]
    return cards


SKILLS_OF = (
    select(help_request_skills.c.help_request_id, Skill.name)
    .join(Skill, Skill.id == help_request_skills.c.skill_id)
    .where(help_request_skills.c.help_request_id.in_(bindparam("ids", expanding=True)))
    .order_by(Skill.name)
)


# Everyone whose offer was accepted on one of an idea's help requests, the author aside.
IDEA_HELPERS = (
    select(*person_columns(User))
    .join(Offer, Offer.helper_id == User.id)
    .join(HelpRequest, HelpRequest.id == Offer.help_request_id)
    .where(HelpRequest.idea_id == bindparam("idea_id"), Offer.status == OfferStatus.ACCEPTED,
           User.id != bindparam("author_id"))
    .distinct()
    .order_by(User.username)
)


def idea_team(idea: Idea, any_help_requests: bool = True) -> list:
    """The author, then everyone helping with one of the idea's help requests, by username.
    An idea known to have no help requests (IDEA_HAS_HELP_REQUESTS) has no one else to ask for."""
    if not any_help_requests:
        return [idea.author]
    helpers = read_rows(IDEA_HELPERS, {"idea_id": idea.id, "author_id": idea.author_id})
    return [idea.author, *(Person(*row) for row in helpers)]


def skills_of(help_request_ids: list[int]) -> dict[int, list[str]]:
    """The skills each help request needs, alphabetically, in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    for request_id, name in read_rows(SKILLS_OF, {"ids": help_request_ids}):
        found[request_id].append(name)
    return found


def _comments_on(target_column) -> Select:
    return (
        select(Comment.id, Comment.body_html, Comment.created_at, Comment.updated_at,
               Comment.hidden_at, Comment.language, *AUTHOR_COLUMNS)
        .join(User, User.id == Comment.author_id)
        .where(target_column == bindparam("target_id"))
        .order_by(Comment.id)
        .limit(bindparam("limit")).offset(bindparam("offset"))
    )


COMMENTS_ON = {Idea: _comments_on(Comment.idea_id), HelpRequest: _comments_on(Comment.help_request_id)}


def _state_of_comments_on(target_column) -> Select:
    # Which comments are hidden, not only how many: hiding one and restoring another
    # at once must change the key too.
    hidden = func.sum(case((Comment.hidden_at.is_not(None), Comment.id), else_=0))
    return select(
        func.count(), func.max(Comment.id), func.max(Comment.updated_at), func.count(Comment.hidden_at),
        hidden,
    ).where(target_column == bindparam("target_id"))


DISCUSSION_STATE = {
    Idea: _state_of_comments_on(Comment.idea_id),
    HelpRequest: _state_of_comments_on(Comment.help_request_id),
}


def discussion_state(target) -> tuple:
    """What changes whenever a comment on `target` is added, edited, hidden or removed."""
    return tuple(read_rows(DISCUSSION_STATE[model_of(target)], {"target_id": target.id}).one())


def comment_views(target, limit: int, offset: int = 0) -> list[CommentView]:
    """Comments of a discussion, oldest first, `offset` of them after the first (a page of
    it); hidden ones without their text."""
    # Unpacked in the query's column order: by name, each value cost more than the rest.
    return [
        CommentView(id_, Markup("") if hidden_at else Markup(body_html), created_at, updated_at,
                    Person(author_id, username, display_name), hidden_at is not None, language)
        for id_, body_html, created_at, updated_at, hidden_at, language, author_id, username, display_name
        in read_rows(COMMENTS_ON[model_of(target)], {"target_id": target.id, "limit": limit, "offset": offset})
    ]


def _comments_before():
    # Each count walks the index of its own column; the other finds nothing (NULL matches none).
    earlier = aliased(Comment)
    return (
        select(func.count(earlier.id)).where(earlier.idea_id == Comment.idea_id, earlier.id < Comment.id)
        .scalar_subquery()
        + select(func.count(earlier.id))
        .where(earlier.help_request_id == Comment.help_request_id, earlier.id < Comment.id)
        .scalar_subquery()
    )


# How many comments on the same idea or help request come before a comment: its place in its
# discussion, which says on which of its pages it is. A column, so that a list of comments
# (search) reads each one's place with them.
COMMENTS_BEFORE = _comments_before().label("comments_before")
_PLACE_OF_COMMENT = select(COMMENTS_BEFORE).where(Comment.id == bindparam("comment_id"))


def comments_before_it(comment) -> int:
    return read_rows(_PLACE_OF_COMMENT, {"comment_id": comment.id}).scalar_one()


def comments_on(target) -> int:
    """How many comments a discussion holds, hidden ones too (each has its place in it)."""
    return read_rows(DISCUSSION_STATE[model_of(target)], {"target_id": target.id}).one()[0]
