"""A large, realistic board made quickly, for benchmarks and for trying Simpl at scale.

Rows go in by bulk inserts (SQLAlchemy Core executemany), with the counters on
each row computed here, so they match a recount without a second pass. Bodies are
drawn from a small pool rendered once, since rendering Markdown per row would be
the slowest part.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, text, update

from .extensions import db
from .models import (
    Comment,
    Event,
    EventKind,
    HelpRequest,
    HelpStatus,
    Idea,
    Offer,
    OfferStatus,
    Skill,
    Support,
    User,
    help_request_skills,
    user_skills,
    utcnow,
)
from .passwords import hash_password
from .text import plain_words, render_markdown

BATCH = 20_000

WHAT = ["community fridge", "tool library", "repair café", "wildflower verge", "bike workshop",
        "homework club", "street party", "litter pick", "seed swap", "book exchange",
        "youth football", "lunch club", "mural", "bench", "allotment", "bat boxes",
        "crossing patrol", "warm space", "choir", "walking group", "skate park", "pond clean-up"]
WHERE = ["on Mill Street", "in the park", "at the library", "behind the school", "by the canal",
         "at St Luke's hall", "on the estate", "near the station", "in the high street",
         "at the community centre", "on King's Road", "by the allotments"]
SKILLS = ["carpentry", "van", "lifting", "gardening", "first aid", "cooking", "electrics",
          "plumbing", "painting", "web design", "photography", "grant writing", "tutoring",
          "maths", "youth work", "event planning", "leaflets", "sewing", "bike repair",
          "saturday mornings", "driving", "translation", "accounting", "music", "dbs check"]
FIRST = ["Amina", "Tom", "Priya", "Dave", "Grace", "Łukasz", "Ruth", "Sam", "Mo", "Jess",
         "Kwame", "Siobhan", "Raj", "Ellie", "Yusuf", "Hannah", "Chen", "Olu", "Megan", "Ben"]
LAST = ["Yusuf", "Hughes", "Shah", "O'Neill", "Mensah", "Nowak", "Evans", "Carter", "Ali",
        "Brown", "Okafor", "Murphy", "Patel", "Jones", "Khan", "Green", "Wang", "Adeyemi"]
SENTENCES = [
    "It would bring neighbours together and cost very little.",
    "The council has said it would consider supporting this.",
    "We would need a few volunteers for a couple of hours each week.",
    "Several people on our street have already said they would help.",
    "There is a similar scheme in the next ward that works really well.",
    "Children and older residents would both benefit.",
    "We could start small and grow it if people like it.",
    "**Safety** matters here, so we would follow the council's guidance.",
    "Does anyone know who owns the land? We would need their permission.",
    "I'm happy to coordinate, but I can't do it alone.",
]


@dataclass
class Sizes:
    people: int = 10_000
    ideas: int = 100_000
    help_requests: int = 20_000
    comments: int = 500_000
    supports: int = 1_000_000


def _bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """A pool of (Markdown, HTML) bodies, each rendered once."""
    pool = []
    for _ in range(count):
        text = " ".join(rng.sample(SENTENCES, rng.randint(1, 4)))
        if rng.random() < 0.3:
            text += "\n\n- " + "\n- ".join(rng.sample(SENTENCES, 2))
        pool.append((text, render_markdown(text)))
    return pool


def _event(kind: str, actor_id: int, created_at: datetime, recipient_id=None, idea_id=None,
           help_request_id=None, comment_id=None, offer_id=None) -> dict:
    """An events row with every column given, as executemany needs."""
    return {"kind": kind, "actor_id": actor_id, "created_at": created_at,
            "recipient_id": recipient_id, "idea_id": idea_id, "help_request_id": help_request_id,
            "comment_id": comment_id, "offer_id": offer_id}


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def _times(rng: random.Random, count: int, since: datetime, until: datetime) -> list[datetime]:
    """Increasing timestamps between two moments, so ids and dates agree."""
    span = (until - since).total_seconds()
    return [since + timedelta(seconds=s) for s in sorted(rng.random() * span for _ in range(count))]


def generate_board(sizes: Sizes, password: str, seed: int = 1, echo=print) -> None:
    """Fill an empty database with a board of the given size (the caller commits)."""
    rng = random.Random(seed)
    now = utcnow()
    start = now - timedelta(days=730)
    bodies = _bodies(rng, 300)
    password_hash = hash_password(password)

    echo(f"people: {sizes.people:,}")
    _insert(Skill.__table__, [{"id": i + 1, "name": name} for i, name in enumerate(SKILLS)])
    joined = _times(rng, sizes.people, start - timedelta(days=60), now - timedelta(days=1))
    _insert(User.__table__, [
        {"id": i + 1, "username": f"neighbour{i + 1}", "email": f"neighbour{i + 1}@example.org",
         "password_hash": password_hash,
         "display_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "bio": None,
         "created_at": joined[i], "last_active_at": joined[i]}
        for i in range(sizes.people)
    ])
    _insert(user_skills, [
        {"user_id": u, "skill_id": s}
        for u in range(1, sizes.people + 1) if rng.random() < 0.4
        for s in rng.sample(range(1, len(SKILLS) + 1), rng.randint(1, 4))
    ])

    # Some ideas attract far more support and talk than others (a long tail).
    idea_weights = [1 / (i + 10) for i in range(sizes.ideas)]
    rng.shuffle(idea_weights)

    echo(f"supports: {sizes.supports:,}")
    supports: set[tuple[int, int]] = set()
    while len(supports) < min(sizes.supports, sizes.people * sizes.ideas):
        missing = sizes.supports - len(supports)
        for idea in rng.choices(range(1, sizes.ideas + 1), weights=idea_weights, k=missing):
            supports.add((rng.randint(1, sizes.people), idea))
    supporters = Counter(idea for _, idea in supports)

    echo(f"comments: {sizes.comments:,}")
    comment_ideas = sorted(
        rng.choices(range(1, sizes.ideas + 1), weights=idea_weights, k=sizes.comments)
    )
    comments_on = Counter(comment_ideas)

    echo(f"ideas: {sizes.ideas:,}")
    posted = _times(rng, sizes.ideas, start, now - timedelta(hours=1))
    authors = [rng.randint(1, sizes.people) for _ in range(sizes.ideas)]
    idea_rows = []
    for i in range(sizes.ideas):
        body, html = rng.choice(bodies)
        idea_rows.append({
            "id": i + 1, "author_id": authors[i],
            "title": f"{rng.choice(WHAT).capitalize()} {rng.choice(WHERE)}",
            "body": body, "body_html": html, "search_text": plain_words(body),
            "created_at": posted[i], "updated_at": None,
            "hidden_at": None, "supporters_count": supporters[i + 1],
            "comments_count": comments_on[i + 1], "last_activity_at": posted[i],
            "last_supported_at": None,
        })
    support_rows = [
        {"user_id": u, "idea_id": i,
         "created_at": posted[i - 1] + timedelta(seconds=rng.random() * (now - posted[i - 1]).total_seconds())}
        for u, i in supports
    ]
    del supports
    for row in support_rows:  # trending reads the latest support from the idea's row
        idea = idea_rows[row["idea_id"] - 1]
        if idea["last_supported_at"] is None or row["created_at"] > idea["last_supported_at"]:
            idea["last_supported_at"] = row["created_at"]
    _insert(Idea.__table__, idea_rows)
    _insert(Event.__table__, [
        _event(EventKind.IDEA_POSTED, r["author_id"], r["created_at"], idea_id=r["id"])
        for r in idea_rows
    ])
    _insert(Support.__table__, support_rows)
    del support_rows

    comment_rows = []
    last_activity: dict[int, datetime] = {}
    for n, idea in enumerate(comment_ideas, start=1):
        body, html = rng.choice(bodies)
        at = posted[idea - 1] + timedelta(seconds=rng.random() * (now - posted[idea - 1]).total_seconds())
        last_activity[idea] = max(at, last_activity.get(idea, at))
        comment_rows.append({
            "id": n, "author_id": rng.randint(1, sizes.people), "idea_id": idea,
            "help_request_id": None, "body": body, "body_html": html, "search_text": plain_words(body),
            "created_at": at,
            "updated_at": None, "hidden_at": None,
        })
    _insert(Comment.__table__, comment_rows)
    _insert(Event.__table__, [
        _event(EventKind.COMMENT_POSTED, r["author_id"], r["created_at"],
               recipient_id=authors[r["idea_id"] - 1], idea_id=r["idea_id"], comment_id=r["id"])
        for r in comment_rows
    ])
    del comment_rows
    for idea, at in last_activity.items():
        idea_rows[idea - 1]["last_activity_at"] = at
    db.session.execute(
        update(Idea.__table__).where(Idea.__table__.c.id == bindparam("idea_id"))
        .values(last_activity_at=bindparam("at")),
        [{"idea_id": i, "at": at} for i, at in last_activity.items()],
    )

    echo(f"help requests: {sizes.help_requests:,}")
    asked = _times(rng, sizes.help_requests, start, now - timedelta(hours=1))
    request_rows, offer_rows, skill_rows = [], [], []
    for i in range(sizes.help_requests):
        body, html = rng.choice(bodies)
        idea = rng.choice(idea_rows) if rng.random() < 0.6 else None
        author = idea["author_id"] if idea else rng.randint(1, sizes.people)
        helpers = {h for h in rng.sample(range(1, sizes.people + 1), min(sizes.people, rng.randint(0, 4)))
                   if h != author}
        status = HelpStatus.OPEN
        for helper in helpers:
            answer = rng.choice([OfferStatus.PENDING, OfferStatus.ACCEPTED, OfferStatus.DECLINED])
            if answer == OfferStatus.ACCEPTED:
                status = HelpStatus.MATCHED
            offer_rows.append({
                "id": len(offer_rows) + 1, "help_request_id": i + 1, "helper_id": helper, "status": answer,
                "message": "I can help with this, I'm free most weekends.",
                "created_at": asked[i], "decided_at": None if answer == OfferStatus.PENDING else asked[i],
            })
        if rng.random() < 0.15:
            status = HelpStatus.CLOSED
        request_rows.append({
            "id": i + 1, "author_id": author, "idea_id": idea["id"] if idea else None,
            "title": f"Help with the {rng.choice(WHAT)}: {rng.choice(SKILLS)} needed",
            "body": body, "body_html": html, "search_text": plain_words(body),
            "status": status, "created_at": asked[i],
            "updated_at": None, "hidden_at": None, "offers_count": len(helpers),
            "comments_count": 0,
        })
        for skill in rng.sample(range(1, len(SKILLS) + 1), rng.randint(1, 3)):
            skill_rows.append({"help_request_id": i + 1, "skill_id": skill})
    _insert(HelpRequest.__table__, request_rows)
    _insert(help_request_skills, skill_rows)
    echo(f"offers: {len(offer_rows):,}")
    _insert(Offer.__table__, offer_rows)
    _insert(Event.__table__, [
        _event(EventKind.HELP_REQUESTED, r["author_id"], r["created_at"], idea_id=r["idea_id"],
               help_request_id=r["id"])
        for r in request_rows
    ] + [
        _event(EventKind.OFFER_MADE, o["helper_id"], o["created_at"],
               recipient_id=request_rows[o["help_request_id"] - 1]["author_id"],
               help_request_id=o["help_request_id"], offer_id=o["id"])
        for o in offer_rows
    ])
    echo("follows and notifications")
    _follows_and_notifications()


def _follows_and_notifications() -> None:
    """Everyone follows what they took part in; people have notifications about activity
    on their posts (half of them read), as they would on a board that has run a while."""
    run = db.session.execute
    run(text("""
        INSERT INTO follows (user_id, idea_id, created_at)
        SELECT user_id, idea_id, MIN(created_at) FROM (
            SELECT author_id AS user_id, id AS idea_id, created_at FROM ideas
            UNION ALL SELECT author_id, idea_id, created_at FROM comments WHERE idea_id IS NOT NULL
        ) AS taking_part GROUP BY user_id, idea_id
    """))
    run(text("""
        INSERT INTO follows (user_id, help_request_id, created_at)
        SELECT user_id, help_request_id, MIN(created_at) FROM (
            SELECT author_id AS user_id, id AS help_request_id, created_at FROM help_requests
            UNION ALL SELECT helper_id, help_request_id, created_at FROM offers
        ) AS taking_part GROUP BY user_id, help_request_id
    """))
    run(text("""
        INSERT INTO notifications (recipient_id, event_id, category, created_at, email, read_at)
        SELECT recipient_id, id, 'mine', created_at, 'never',
               CASE WHEN id % 2 = 0 THEN created_at END
        FROM events WHERE recipient_id IS NOT NULL AND recipient_id != actor_id
    """))
    run(text("""
        UPDATE users SET unread_notifications = (
            SELECT count(*) FROM notifications
            WHERE recipient_id = users.id AND read_at IS NULL
        )
    """))
