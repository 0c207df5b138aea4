"""What the API says about each thing: only what the board shows in public.

Never an email address, hidden content or a private message.
"""

from __future__ import annotations

from ..languages import named
from ..models import HelpKind, HelpRequest, HelpStatus, Idea, IdeaStatus, User, iso
from ..photos import CONTENT_TYPES, SIZES, PhotoLinks
from ..pledge import clock_of
from ..templating import remembered_url_for


def person(user: User) -> dict:
    return {
        "username": user.username,
        "name": user.name,
        "url": remembered_url_for("people.profile", username=user.username, _external=True),
        "api_url": remembered_url_for("api.person", username=user.username, _external=True),
    }


def label(thing) -> dict | None:
    return {"slug": thing.slug, "name": thing.name} if thing is not None else None


def photo(item: PhotoLinks) -> dict:
    """A visible photo: its description and the address of each size (the large one first)."""
    def sized(size: str) -> dict:
        return {"url": remembered_url_for("home.photo", name=item.filename(size), _external=True),
                "width": getattr(item, f"{size}_width"), "height": getattr(item, f"{size}_height")}

    sizes = {size: sized(size) for size in SIZES}
    return {"alt": item.alt, **sizes["large"], "content_type": CONTENT_TYPES[item.format], "sizes": sizes}


def idea(item: Idea, photos: list[PhotoLinks]) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "url": remembered_url_for("ideas.detail", idea_id=item.id, _external=True),
        "api_url": remembered_url_for("api.idea", idea_id=item.id, _external=True),
        "author": person(item.author),
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "last_activity_at": iso(item.last_activity_at),
        "status": item.status,
        "status_label": named(IdeaStatus.LABELS[item.status]),
        "area": label(item.area),
        "topics": [label(topic) for topic in item.topics],
        "supporters_count": item.supporters_count,
        "comments_count": item.comments_count,
        "body": item.body,
        "body_html": item.body_html,
        "language": item.language,
        "photos": [photo(p) for p in photos],
        # Where the idea stands against the board's pledge; null before it reaches it.
        "answer_clock": _clock(item),
        # The idea this one joined as a duplicate; null for an idea of its own.
        "duplicate_of": _idea_link(item.duplicate_of_id),
    }


def _idea_link(idea_id: int | None) -> dict | None:
    if idea_id is None:
        return None
    return {"id": idea_id, "url": remembered_url_for("ideas.detail", idea_id=idea_id, _external=True),
            "api_url": remembered_url_for("api.idea", idea_id=idea_id, _external=True)}


def _clock(item) -> dict | None:
    clock = clock_of(item)
    return clock.as_json() if clock else None


def idea_in_full(item: Idea, photos: list[PhotoLinks], help_requests: list[HelpRequest]) -> dict:
    return {
        **idea(item, photos),
        "official_responses": [
            {
                "status": update.status,
                "status_label": named(IdeaStatus.LABELS[update.status]),
                "response": update.response,
                "response_html": update.response_html,
                "created_at": iso(update.created_at),
                "by": person(update.by) if update.by else None,
            }
            for update in item.status_updates
        ],
        "help_requests": [
            {"id": r.id, "title": r.title,
             "api_url": remembered_url_for("api.help_request", help_request_id=r.id, _external=True)}
            for r in help_requests
        ],
    }


def help_request(item: HelpRequest, photos: list[PhotoLinks]) -> dict:
    linked = item.idea if item.idea is not None and item.idea.hidden_at is None else None
    return {
        "id": item.id,
        "title": item.title,
        "url": remembered_url_for("help.detail", help_request_id=item.id, _external=True),
        "api_url": remembered_url_for("api.help_request", help_request_id=item.id, _external=True),
        "author": person(item.author),
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "status": item.status,
        "status_label": named(HelpStatus.LABELS[item.status]),
        "kind": item.kind,
        "kind_label": named(HelpKind.LABELS[item.kind]),
        "skills": [skill.name for skill in item.skills],
        "area": label(item.area),
        "topics": [label(topic) for topic in item.topics],
        "offers_count": item.offers_count,
        "comments_count": item.comments_count,
        "idea": {"id": linked.id, "title": linked.title,
                 "api_url": remembered_url_for("api.idea", idea_id=linked.id, _external=True)} if linked else None,
        "body": item.body,
        "body_html": item.body_html,
        "language": item.language,
        "photos": [photo(p) for p in photos],
    }


def help_request_in_full(item: HelpRequest, photos: list[PhotoLinks]) -> dict:
    return help_request(item, photos)


def comment(item) -> dict:
    return {
        "id": item.id,
        "author": person(item.author),
        "body": item.body,
        "body_html": item.body_html,
        "language": item.language,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
    }


def profile(user: User) -> dict:
    return {
        **person(user),
        "bio": user.bio or "",
        "skills": [skill.name for skill in user.skills],
        "joined_at": iso(user.created_at),
        "official": user.is_official,
    }
