"""Photos on ideas and help requests: what is kept, how an upload becomes one, who sees it.

A photo is kept in the database, not on a server's disk, so that every app server reads
the same photos and the board's backup and `board copy-to` carry them with the rest.

Nothing sent is kept as it was sent. `remake(upload)` decides what the file is from its
content alone (JPEG, PNG or WebP; never its name or the type the browser declared),
refuses anything else with a message a person can act on, turns it upright, and draws it
again from its pixels at three widths, with no metadata at all: no EXIF (where and when
it was taken, the camera), no GPS, no colour profile, no comments, no XMP.

Each size is served at /photos/<digest>-<size>.<ext>: the digest is the sha256 of the
stored bytes, so an address always names the same bytes and browsers may keep them
for a year. A hidden photo, a photo on a hidden post and a photo of an erased account
are served to no one but their author and the board's staff, and never from a cache.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from struct import error as struct_error  # what some truncated headers raise
from typing import TYPE_CHECKING

from flask import current_app, request
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_wtf.form import _Auto
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import FileField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice

from .words import lazy_gettext as _l

if TYPE_CHECKING:
    from PIL import Image

from .extensions import db, read_rows
from .models import HelpRequest, Idea, NotAllowed, NotPossible, User, utcnow

# What a photo may be sent as, read from the file's own first bytes by Pillow.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
SIZES = ("large", "medium", "thumb")
EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}
CONTENT_TYPES = {"webp": "image/webp", "jpeg": "image/jpeg"}


class Photo(db.Model):
    """One photo on an idea or a help request (exactly one of the two), by its author."""

    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint("(idea_id IS NULL) != (help_request_id IS NULL)", name="one_target"),
        CheckConstraint("format IN ('webp', 'jpeg')", name="format"),
        Index("ix_photos_idea", "idea_id", "position"),
        Index("ix_photos_help_request", "help_request_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The author of the idea or help request, and no one else, adds and removes its photos.
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    help_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE")
    )
    # Shown in this order; the first is the one lists show.
    position: Mapped[int] = mapped_column(default=0)
    # What the photo shows, for people who cannot see it (the img's alt text).
    alt: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(4))
    # sha256 of the stored bytes of every size, in the photo's addresses.
    digest: Mapped[str] = mapped_column(String(64), index=True)
    # The sizes' bytes are read only when a photo is served or downloaded.
    large: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    medium: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumb: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    large_width: Mapped[int]
    large_height: Mapped[int]
    medium_width: Mapped[int]
    medium_height: Mapped[int]
    thumb_width: Mapped[int]
    thumb_height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Hidden by a moderator (the moderation log keeps why).
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    idea: Mapped[Idea | None] = relationship()
    help_request: Mapped[HelpRequest | None] = relationship()

    @property
    def target(self) -> Idea | HelpRequest:
        return self.idea if self.idea_id is not None else self.help_request

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    def is_by(self, user) -> bool:
        return bool(user and user.is_authenticated and self.author_id == user.id)

    def filename(self, size: str = "large") -> str:
        return f"{self.digest}-{size}.{self.extension}"

    def __repr__(self) -> str:
        return f"<Photo {self.id} {self.digest[:8]}>"


# Each post's photos, in order, hidden ones too: its page loads them with the post
# (joinedload) and shows each viewer those they may see (`shown_photos`).
Idea.photos = relationship(Photo, primaryjoin=Photo.idea_id == Idea.id,
                           order_by=(Photo.position, Photo.id), viewonly=True)
HelpRequest.photos = relationship(Photo, primaryjoin=Photo.help_request_id == HelpRequest.id,
                                  order_by=(Photo.position, Photo.id), viewonly=True)

# --- Making a photo from what was sent --------------------------------------------------


class PhotoRefused(Exception):
    """What was sent cannot be a photo on the board; the message says why, to the person."""


@dataclass(frozen=True)
class PreparedPhoto:
    format: str  # "webp" or "jpeg"
    sizes: dict[str, tuple[bytes, int, int]]  # size name -> (bytes, width, height)
    digest: str


def _megabytes(size: int) -> str:
    return _("%(number)s MB", number=format_decimal(round(size / (1024 * 1024), 1)))


def remake(upload: bytes) -> PreparedPhoto:
    """The photo made again from the pixels of `upload`, or PhotoRefused saying why not."""
    # Pillow is loaded by the first upload: a worker that only serves pages never carries it.
    from PIL import Image, ImageOps, UnidentifiedImageError

    config = current_app.config
    if not upload:
        raise PhotoRefused(_("The file chosen is empty. Choose a photo (JPEG, PNG or WebP)."))
    if len(upload) > config["PHOTO_MAX_BYTES"]:
        raise PhotoRefused(_("This photo is %(size)s; a photo can be at most %(limit)s. "
                             "Choose a smaller one, or save it smaller first.",
                             size=_megabytes(len(upload)), limit=_megabytes(config["PHOTO_MAX_BYTES"])))
    max_pixels = config["PHOTO_MAX_PIXELS"]
    # Pillow's own guard against images that unpack to far more than they weigh.
    Image.MAX_IMAGE_PIXELS = max_pixels
    too_large = _("This photo is too large to take: at most %(megapixels)s megapixels. "
                  "Choose a smaller one.", megapixels=format_decimal(round(max_pixels / 1e6, 1)))
    unreadable = _("This file is not a photo the board can take. Choose a JPEG, PNG or WebP photo.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload), formats=ACCEPTED_FORMATS)
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoRefused(unreadable)
            if image.width * image.height > max_pixels:
                raise PhotoRefused(too_large)
            if image.format == "JPEG":
                # Decode a JPEG at no more than the size kept: far quicker for a camera's photo.
                image.draft("RGB", (config["PHOTO_LARGE_PX"], config["PHOTO_LARGE_PX"]))
            image.load()
            image = ImageOps.exif_transpose(image)
            # Unusual kinds of pixels (16-bit grey, say) may not convert: refused, never a crash.
            return _redraw(image, config)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(too_large) from None
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, EOFError,
            KeyError, IndexError, struct_error):
        raise PhotoRefused(unreadable) from None


def _flat_rgb(image: Image.Image) -> Image.Image:
    """The picture as plain RGB pixels on a new image, which carries no metadata: a
    transparent background becomes white."""
    from PIL import Image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    rgb = image.convert("RGB")
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean


def _redraw(image: Image.Image, config) -> PreparedPhoto:
    from PIL import Image
    fmt = "jpeg" if config["PHOTO_FORMAT"].lower() in ("jpeg", "jpg") else "webp"
    flat = _flat_rgb(image)
    sizes: dict[str, tuple[bytes, int, int]] = {}
    for size in SIZES:
        longest = config[f"PHOTO_{size.upper()}_PX"]
        copy = flat.copy()
        copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)  # never made larger
        buffer = io.BytesIO()
        if fmt == "jpeg":
            copy.save(buffer, "JPEG", quality=config["PHOTO_QUALITY"], optimize=True, progressive=True)
        else:
            copy.save(buffer, "WEBP", quality=config["PHOTO_QUALITY"], method=4)
        sizes[size] = (buffer.getvalue(), copy.width, copy.height)
    digest = hashlib.sha256(b"".join(sizes[size][0] for size in SIZES)).hexdigest()
    return PreparedPhoto(fmt, sizes, digest)


# --- Adding and removing ----------------------------------------------------------------


def _target_column(target):
    return Photo.idea_id if isinstance(target, Idea) else Photo.help_request_id


def photos_on(target) -> list[Photo]:
    """The photos on an idea or help request, hidden ones too, in their order (without their bytes)."""
    query = select(Photo).where(_target_column(target) == target.id)
    return db.session.scalars(query.order_by(Photo.position, Photo.id)).all()


# Whether a post has any photos, read with the post itself: most have none, and asking
# for none would still cost a query (or a collection joined to the post's row).
IDEA_HAS_PHOTOS = exists().where(Photo.idea_id == Idea.id).label("has_photos")
REQUEST_HAS_PHOTOS = exists().where(Photo.help_request_id == HelpRequest.id).label("has_photos")


def shown_photos(target, any_photos: bool = True) -> list[Photo]:
    """The photos a post's page shows this viewer, from `target.photos` (read only when
    `any_photos`): hidden ones only to their author and staff."""
    from flask_login import current_user

    if not any_photos:
        return []
    staff_or_author = current_user.is_authenticated and (
        current_user.is_moderator or current_user.id == target.author_id)
    return [photo for photo in target.photos if staff_or_author or photo.hidden_at is None]


def add_photo(target, prepared: PreparedPhoto, alt: str, by: User) -> Photo:
    """A new photo at the end of the post's photos. Only its author adds them."""
    if target.author_id != by.id:
        raise NotAllowed(_("Only the person who wrote this can change its photos."))
    column = _target_column(target)
    count, last = db.session.execute(
        select(func.count(Photo.id), func.max(Photo.position)).where(column == target.id)
    ).one()
    limit = current_app.config["MAX_PHOTOS"]
    if count >= limit:
        raise NotPossible(too_many_message("idea" if isinstance(target, Idea) else "help_request", limit))
    photo = Photo(
        author_id=by.id, position=(last or 0) + 1, alt=alt, format=prepared.format,
        digest=prepared.digest, **{"idea" if isinstance(target, Idea) else "help_request": target},
    )
    for size in SIZES:
        data, width, height = prepared.sizes[size]
        setattr(photo, size, data)
        setattr(photo, f"{size}_width", width)
        setattr(photo, f"{size}_height", height)
    db.session.add(photo)
    db.session.flush()
    return photo


def remove_photo(photo: Photo, by: User) -> None:
    if photo.author_id != by.id:
        raise NotAllowed(_("Only the person who wrote this can change its photos."))
    db.session.delete(photo)


def too_many_message(kind: str, limit: int) -> str:
    if kind == "idea":
        return ngettext("An idea can have at most %(num)s photo. Remove one before adding another.",
                        "An idea can have at most %(num)s photos. Remove one before adding another.",
                        limit)
    return ngettext(
        "A help request can have at most %(num)s photo. Remove one before adding another.",
        "A help request can have at most %(num)s photos. Remove one before adding another.",
        limit)


# --- Who may see a photo ----------------------------------------------------------------

_PHOTO_IDEA = aliased(Idea, name="photo_idea")
_PHOTO_REQUEST = aliased(HelpRequest, name="photo_request")


def _serving(size: str):
    return (
        select(Photo.id, Photo.author_id, Photo.format, getattr(Photo, size).label("data"),
               (Photo.hidden_at.is_(None) & User.erased_at.is_(None)
                & _PHOTO_IDEA.hidden_at.is_(None) & _PHOTO_REQUEST.hidden_at.is_(None)).label("public"))
        .join(User, User.id == Photo.author_id)
        .outerjoin(_PHOTO_IDEA, _PHOTO_IDEA.id == Photo.idea_id)
        .outerjoin(_PHOTO_REQUEST, _PHOTO_REQUEST.id == Photo.help_request_id)
        .where(Photo.digest == bindparam("digest"))
        .order_by(Photo.id)
    )


# Built once, like the lists' queries: one per size.
SERVING = {size: _serving(size) for size in SIZES}


@dataclass(frozen=True)
class Served:
    data: bytes
    content_type: str
    public: bool  # False: shown to its author or staff only, never kept by any cache


def photo_to_serve(digest: str, size: str, extension: str, viewer) -> Served | None:
    """The bytes of a photo's size for this viewer, or None where they may not see it.

    The same picture sent twice has the same digest: any visible copy of it may be served.
    """
    if size not in SERVING:
        return None
    rows = db.session.execute(SERVING[size], {"digest": digest}).all()
    staff = bool(viewer.is_authenticated and viewer.is_moderator)
    for public in (True, False):
        for row in rows:
            if EXTENSIONS[row.format] != extension or bool(row.public) != public:
                continue
            if public or staff or (viewer.is_authenticated and viewer.id == row.author_id):
                return Served(row.data, CONTENT_TYPES[row.format], public)
    return None


# --- For pages, lists, the API and feeds -----------------------------------------------


@dataclass(frozen=True, slots=True)
class PhotoView:
    """What a list's card shows of its first photo, without its bytes."""

    alt: str
    digest: str
    format: str
    width: int
    height: int

    def filename(self, size: str) -> str:
        return f"{self.digest}-{size}.{EXTENSIONS[self.format]}"


def first_photo_id(target_id_column, target: str):
    """The id of the first visible photo on each idea or help request of a list, for its
    card's thumbnail: a condition to join on, so the list still takes one query.
    `target` is "idea_id" or "help_request_id"."""
    first = aliased(Photo)
    return (
        select(first.id)
        .where(getattr(first, target) == target_id_column, first.hidden_at.is_(None))
        .order_by(first.position, first.id)
        .limit(1)
        .correlate_except(first)
        .scalar_subquery()
    )


def card_thumb(digest, alt, format_, width, height) -> PhotoView | None:
    """The thumbnail columns read with a list's row (`_thumb_columns` in listing.py, in
    their order), if it has a photo."""
    if digest is None:
        return None
    return PhotoView(alt, digest, format_, width, height)


@dataclass(frozen=True, slots=True)
class PhotoLinks:
    """A visible photo as the API and feeds describe it: its words, kind and sizes."""

    alt: str
    digest: str
    format: str
    large_width: int
    large_height: int
    medium_width: int
    medium_height: int
    thumb_width: int
    thumb_height: int

    def filename(self, size: str = "large") -> str:
        return f"{self.digest}-{size}.{EXTENSIONS[self.format]}"


def _visible_photos_of(target_column):
    return (
        select(target_column, Photo.alt, Photo.digest, Photo.format, Photo.large_width, Photo.large_height,
               Photo.medium_width, Photo.medium_height, Photo.thumb_width, Photo.thumb_height)
        .where(target_column.in_(bindparam("ids", expanding=True)), Photo.hidden_at.is_(None))
        .order_by(target_column, Photo.position, Photo.id)
    )


_VISIBLE_PHOTOS_OF = {Idea: _visible_photos_of(Photo.idea_id),
                      HelpRequest: _visible_photos_of(Photo.help_request_id)}


def public_photos_of(posts, kind: type | None = None) -> dict[int, list[PhotoLinks]]:
    """The visible photos of each of `posts` (ideas, or help requests: `kind` says which when
    they are rows rather than objects), in their order, by post id, in one query of plain
    rows: lists of fifty posts read them without making an object of each."""
    posts = list(posts)
    if not posts:
        return {}
    found: dict[int, list[PhotoLinks]] = {}
    rows = read_rows(_VISIBLE_PHOTOS_OF[kind or type(posts[0])], {"ids": [post.id for post in posts]})
    for target_id, *columns in rows:
        found.setdefault(target_id, []).append(PhotoLinks(*columns))
    return found


# --- The photo fields on the idea and help request forms ----------------------------------

DESCRIPTION_HINT = _l("Say what the photo shows, for people who cannot see it: for example "
                      "“The bench by the pond, with two slats of its back missing”. A sentence is enough.")
ACCEPT = "image/jpeg,image/png,image/webp"


class PhotoFields:
    """Photo slots on a form: each a file and its description. Built by `with_photos`.

    Every form on the board reads only text fields; this one also reads the files sent in
    its own file fields, and nothing else from the files sent.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            data = super().wrap_formdata(form, formdata)
            if formdata is not _Auto or data is None:
                return data
            merged = MultiDict(data)
            for name in form.photo_file_names:
                merged.setlist(name, [f for f in request.files.getlist(name) if isinstance(f, FileStorage)])
            return merged

    def __init__(self, *args, existing=(), target_kind="idea", **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = list(existing)
        self.target_kind = target_kind
        self.prepared: list[tuple[PreparedPhoto, str]] = []
        self.remove_photos.choices = [
            SelectChoice(photo.id, _("Remove photo %(number)s (“%(description)s”)", number=number,
                                     description=photo.alt))
            for number, photo in enumerate(self.existing, 1)
        ]

    @property
    def photo_file_names(self) -> list[str]:
        return [f"photo_{number}" for number in range(1, self.slots + 1)]

    def open_slots(self) -> list[tuple]:
        """The (file, description) pairs the form offers: as many as the post can still take."""
        room = max(0, current_app.config["MAX_PHOTOS"] - len(self.existing))
        return [(self[f"photo_{n}"], self[f"photo_{n}_description"]) for n in range(1, min(room, self.slots) + 1)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        removing = set(self.remove_photos.data or [])
        if not removing <= {photo.id for photo in self.existing}:
            self.remove_photos.errors = [_("Choose photos from the list.")]
            valid = False
        kept = len(self.existing) - len(removing)
        limit = current_app.config["MAX_PHOTOS"]
        for number in range(1, self.slots + 1):
            file_field, description = self[f"photo_{number}"], self[f"photo_{number}_description"]
            upload = file_field.data if isinstance(file_field.data, FileStorage) and file_field.data.filename else None
            if upload is None:
                if description.data:
                    file_field.errors = [_("Choose the photo this description is for, or clear its description.")]
                    valid = False
                continue
            if kept + len(self.prepared) >= limit:
                file_field.errors = [too_many_message(self.target_kind, limit)]
                valid = False
                continue
            try:
                prepared = remake(upload.stream.read(current_app.config["PHOTO_MAX_BYTES"] + 1))
            except PhotoRefused as refusal:
                file_field.errors = [str(refusal)]
                valid = False
                continue
            if not description.data:
                description.errors = [_("Describe photo %(number)s for people who cannot see it.", number=number)]
                valid = False
                continue
            self.prepared.append((prepared, description.data))
        return valid

    def save_photos(self, target, by: User) -> None:
        """Remove the photos ticked, then add the new ones: after `validate()` passed."""
        removing = set(self.remove_photos.data or [])
        for photo in self.existing:
            if photo.id in removing:
                remove_photo(photo, by)
        db.session.flush()
        for prepared, alt in self.prepared:
            add_photo(target, prepared, alt, by)


@cache
def with_photos(form_class, slots: int):
    """`form_class` with `slots` photo slots and, on edit, a choice of photos to remove."""
    from .forms_common import max_length, one_line, strip

    fields = {"slots": slots}
    for number in range(1, slots + 1):
        fields[f"photo_{number}"] = FileField(
            _l("Photo %(number)s", number=number), render_kw={"accept": ACCEPT},
            description=_l("A JPEG, PNG or WebP photo."),
        )
        fields[f"photo_{number}_description"] = StringField(
            _l("Description of photo %(number)s", number=number), description=DESCRIPTION_HINT,
            filters=[strip, one_line], validators=[max_length("PHOTO_ALT_MAX_LENGTH")],
        )
    fields["remove_photos"] = SelectMultipleField(
        _l("Photos to remove"), coerce=int, default=[], validate_choice=False,
        invalid_value_message=_l("Choose photos from the list."),
    )
    return type(form_class.__name__, (PhotoFields, form_class), fields)


def photo_form(form_class, **kwargs):
    """An instance of `form_class` with the board's number of photo slots."""
    return with_photos(form_class, current_app.config["MAX_PHOTOS"])(**kwargs)


# --- Room in a request for the photos ------------------------------------------------------

# The forms that take photos. Every other request stays within MAX_CONTENT_LENGTH.
TAKES_PHOTOS = {"ideas.new", "ideas.edit", "help.new", "help.edit"}


def init_app(app) -> None:
    # First of all: the CSRF check reads the form, and the limits must be set before it.
    app.before_request_funcs.setdefault(None, []).insert(0, _room_for_photos)


def _room_for_photos() -> None:
    """A form with photos may carry MAX_PHOTOS files of PHOTO_MAX_BYTES beside its text;
    its text fields stay within MAX_CONTENT_LENGTH, like every other form's."""
    if request.endpoint not in TAKES_PHOTOS or request.mimetype != "multipart/form-data":
        return
    config = current_app.config
    text = config["MAX_CONTENT_LENGTH"]
    if text is None:
        return
    # A little more for each part's headers, so that MAX_PHOTOS photos of the largest size fit.
    request.max_content_length = text + config["MAX_PHOTOS"] * (config["PHOTO_MAX_BYTES"] + 4096)
    request.max_form_memory_size = text
