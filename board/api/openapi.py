"""The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json.

The tests check the running API against it with schemathesis, so the two cannot drift.
"""

from __future__ import annotations

from functools import lru_cache

from flask import current_app

from ..models import HelpKind, HelpStatus, IdeaStatus

MAX_ID = 2**63 - 1


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


STRING = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}
COUNT = {"type": "integer", "minimum": 0}
# The language a text is written in: a language code such as en, fr or cy.
LANGUAGE = {"type": "string", "example": "cy"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required}


def _schemas() -> dict:
    sized = _object({"url": URL, "width": COUNT, "height": COUNT})
    # A photo on an idea or help request: its description (alt text) and its sizes.
    photo = _object({
        "alt": STRING, "url": URL, "width": COUNT, "height": COUNT, "content_type": STRING,
        "sizes": _object({"large": sized, "medium": sized, "thumb": sized}),
    })
    person = _object({"username": STRING, "name": STRING, "url": URL, "api_url": URL})
    label = _object({"slug": STRING, "name": STRING})
    idea = _object({
        "id": {"type": "integer", "minimum": 1}, "title": STRING, "url": URL, "api_url": URL,
        "author": _ref("Person"), "created_at": TIME, "updated_at": _nullable(TIME),
        "last_activity_at": TIME, "status": {"enum": list(IdeaStatus.ALL)}, "status_label": STRING,
        "area": _nullable(_ref("Label")), "topics": {"type": "array", "items": _ref("Label")},
        "supporters_count": COUNT, "comments_count": COUNT,
        "body": STRING, "body_html": STRING, "language": LANGUAGE,
        "photos": {"type": "array", "items": _ref("Photo")},
        # Where the idea stands against the board's pledge; null before it reaches it.
        "answer_clock": _nullable(_object({
            "state": {"enum": ["waiting", "overdue", "answered"]}, "words": STRING,
            "started_at": TIME, "due_at": TIME, "answered_at": _nullable(TIME),
            "days": COUNT, "pledged_days": COUNT, "late": {"type": "boolean"},
        })),
        # The idea this one joined as a duplicate; null for an idea of its own.
        "duplicate_of": _nullable(_object({"id": {"type": "integer"}, "url": URL, "api_url": URL})),
    })
    official = _object({
        "status": {"enum": list(IdeaStatus.ALL)}, "status_label": STRING, "response": STRING,
        "response_html": STRING, "created_at": TIME, "by": _nullable(_ref("Person")),
    })
    linked = _object({"id": {"type": "integer"}, "title": STRING, "api_url": URL})
    idea_full = {"allOf": [_ref("Idea"), _object({
        "official_responses": {"type": "array", "items": official},
        "help_requests": {"type": "array", "items": linked},
    })]}
    help_request = _object({
        "id": {"type": "integer", "minimum": 1}, "title": STRING, "url": URL, "api_url": URL,
        "author": _ref("Person"), "created_at": TIME, "updated_at": _nullable(TIME),
        "status": {"enum": list(HelpStatus.ALL)}, "status_label": STRING,
        "kind": {"enum": list(HelpKind.ALL)}, "kind_label": STRING,
        "skills": {"type": "array", "items": STRING}, "area": _nullable(_ref("Label")),
        "topics": {"type": "array", "items": _ref("Label")}, "offers_count": COUNT,
        "comments_count": COUNT, "idea": _nullable(linked),
        "body": STRING, "body_html": STRING, "language": LANGUAGE,
        "photos": {"type": "array", "items": _ref("Photo")},
    })
    help_full = _ref("HelpRequest")
    comment = _object({
        "id": {"type": "integer", "minimum": 1}, "author": _ref("Person"), "body": STRING,
        "body_html": STRING, "language": LANGUAGE, "created_at": TIME, "updated_at": _nullable(TIME),
    })
    profile = {"allOf": [_ref("Person"), _object({
        "bio": STRING, "skills": {"type": "array", "items": STRING}, "joined_at": TIME,
        "official": {"type": "boolean"},
    })]}
    skill = _object({"name": STRING, "url": URL, "help_requests_url": URL})
    keyed = _object({"key": STRING, "label": STRING})
    statuses = _object({
        "ideas": {"type": "array", "items": keyed},
        "help_requests": {"type": "array", "items": keyed},
        "kinds_of_help": {"type": "array", "items": keyed},
    })
    links = _object({"self": URL, "next": _nullable(URL)})
    front_door = _object({
        "links": _object({name: URL for name in ("ideas", "help_requests", "topics", "areas",
                                                 "statuses", "skills", "openapi", "licence")}),
        "licence": _object({"name": STRING, "url": URL}),
    })
    error = _object({"error": _object({
        "status": {"type": "integer"}, "title": STRING, "detail": STRING,
    })})
    return {
        "Index": front_door, "Photo": photo, "Person": person, "Label": label, "Idea": idea, "IdeaFull": idea_full,
        "HelpRequest": help_request, "HelpRequestFull": help_full, "Comment": comment,
        "Profile": profile, "Skill": skill, "Statuses": statuses, "Links": links, "Error": error,
        **{f"{name}Page": _object({"data": {"type": "array", "items": _ref(name)}, "links": _ref("Links")})
           for name in ("Idea", "HelpRequest", "Comment", "Skill")},
        "LabelList": _object({"data": {"type": "array", "items": _ref("Label")}}),
        "Stats": _stats(),
    }


def _stats() -> dict:
    days = _nullable({"type": "number", "minimum": 0})
    ideas = {"posted": COUNT, "reached_pledge": COUNT, "answered_within_pledge": COUNT,
             "answered_late": COUNT, "still_waiting": COUNT}
    help_requests = {"posted": COUNT, "matched": COUNT, "median_days_to_match": days}
    median = {"median_days": days, "ideas_answered": COUNT}
    return _object({
        "filters": _object({"topic": _nullable(STRING), "area": _nullable(STRING)}),
        "pledge_days": _nullable(COUNT),
        "ideas_by_month": {"type": "array", "items": _object({"month": STRING, **ideas})},
        "ideas_total": _object(ideas),
        "median_days_to_official_answer": days,
        "ideas_answered": COUNT,
        "median_days_to_official_answer_by_topic": {"type": "array", "items": _object(
            {"topic": STRING, **median})},
        "median_days_to_official_answer_by_area": {"type": "array", "items": _object(
            {"area": STRING, **median})},
        "help_requests_by_month": {"type": "array", "items": _object({"month": STRING, **help_requests})},
        "help_requests_total": _object(help_requests),
    })


def _json(schema_name: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema_name)}}}


def _responses(schema_name: str, *errors: int) -> dict:
    responses = {
        "200": _json(schema_name, "OK"),
        "304": {"description": "Not modified since the ETag or date the client sent."},
        "414": {"description": "The address is longer than the server accepts."},
        "429": _json("Error", "Too many requests from this client: wait for Retry-After seconds."),
    }
    texts = {400: "A parameter is not valid.", 404: "There is nothing (visible) there."}
    for status in errors:
        responses[str(status)] = _json("Error", texts[status])
    return responses


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


def _path(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _operation(summary: str, schema_name: str, parameters=(), errors=(400,)) -> dict:
    return {"get": {"summary": summary, "parameters": list(parameters),
                    "responses": _responses(schema_name, *errors)}}


@lru_cache(maxsize=1)
def _document(max_page: int) -> dict:
    limit = _query("limit", "How many items a page holds.",
                   {"type": "integer", "minimum": 1, "maximum": max_page})
    cursor = _query("cursor", "Where the page starts: from the `next` link of the page before.",
                    STRING)
    topic = _query("topic", "A topic's slug (see /topics).", STRING)
    area = _query("area", "An area's slug (see /areas).", STRING)
    idea_id = _path("idea_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    request_id = _path("help_request_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Simpl board API",
            "version": "1",
            "description": "What this board publishes, read-only: ideas, help requests, comments, "
                           "topics, areas, statuses, skills and public profiles. Lists are paged by "
                           "cursor (follow `links.next`, also sent as a Link header). Responses carry "
                           "an ETag and Last-Modified; send them back to get 304 Not Modified.",
        },
        "paths": {
            "/api/v1/": _operation("Where to start: every list, this document and the data's licence",
                                   "Index", errors=()),
            "/api/v1/ideas": _operation("Ideas, newest first or in another order", "IdeaPage", [
                _query("sort", "The order, as on the ideas page.", {"enum": ["new", "popular", "active", "trending"]}),
                _query("status", "Only ideas with this official status.", {"enum": list(IdeaStatus.ALL)}),
                topic, area, cursor, limit,
            ]),
            "/api/v1/ideas/{idea_id}": _operation(
                "One idea, with its official responses and help requests", "IdeaFull", [idea_id],
                errors=(404,)),
            "/api/v1/ideas/{idea_id}/comments": _operation(
                "Comments on an idea, oldest first", "CommentPage", [idea_id, cursor, limit],
                errors=(400, 404)),
            "/api/v1/help-requests": _operation("Help requests, open ones first", "HelpRequestPage", [
                _query("status", "Only requests in this state.", {"enum": list(HelpStatus.ALL)}),
                _query("kind", "Only this kind of help.", {"enum": list(HelpKind.ALL)}),
                _query("skill", "Only requests needing this skill.", STRING),
                topic, area, cursor, limit,
            ]),
            "/api/v1/help-requests/{help_request_id}": _operation(
                "One help request", "HelpRequestFull", [request_id], errors=(404,)),
            "/api/v1/help-requests/{help_request_id}/comments": _operation(
                "Comments on a help request, oldest first", "CommentPage", [request_id, cursor, limit],
                errors=(400, 404)),
            "/api/v1/topics": _operation("Every topic", "LabelList", errors=()),
            "/api/v1/areas": _operation("Every area", "LabelList", errors=()),
            "/api/v1/statuses": _operation("The statuses of ideas and help requests", "Statuses",
                                           errors=()),
            "/api/v1/stats": _operation(
                "The board's record: ideas, the pledge and official answers, help and matches, by "
                "month and in total (as on /stats)", "Stats", [topic, area]),
            "/api/v1/skills": _operation("Skills in use, in alphabetical order", "SkillPage",
                                         [cursor, limit]),
            "/api/v1/people/{username}": _operation(
                "A person's public profile", "Profile", [_path("username", STRING)], errors=(404,)),
            "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                "304": {"description": "Not modified."},
                "414": {"description": "The address is longer than the server accepts."},
                "429": _json("Error", "Too many requests."),
            }}},
        },
        "components": {"schemas": _schemas()},
    }


def document() -> dict:
    return _document(current_app.config["API_MAX_PAGE_SIZE"])
