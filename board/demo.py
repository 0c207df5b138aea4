"""Demo content: an imaginary neighbourhood's board, a few weeks into its life."""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import DateTime, func, select, update

from .extensions import db
from .help.models import invite_to_help, send_message
from .ideas.duplicates import accept as accept_duplicate
from .ideas.duplicates import propose
from .models import Area, HelpKind, HelpRequest, Idea, Role, Topic, User, utcnow
from .moderation import report
from .passwords import hash_password
from .photos import add_photo, remake

PEOPLE = [
    ("amina", "Amina Yusuf", "Runs the Saturday repair café at St Luke's hall.", "electronics repair, sewing, event planning"),
    ("tom_h", "Tom Hughes", "Retired joiner on Elm Road. Happy to lend tools.", "carpentry, tools, van"),
    ("priya", "Priya Shah", "Community gardener and allotment secretary.", "gardening, composting, grant writing"),
    ("dave", "Dave O'Neill", "Dad of two, cycles everywhere.", "bike repair, first aid, saturday mornings"),
    ("grace", "Grace Mensah", "Youth worker at the Northside centre.", "youth work, safeguarding, facilitation"),
    ("lukasz", "Łukasz Nowak", "Electrician by trade, new to the area.", "electrics, van, lifting"),
    ("ruth", "Ruth Evans", "Chair of the Elm Park residents' association.", "event planning, leaflets, council contacts"),
    ("sam", "Sam Carter", "Student at the college, likes making websites.", "web design, photography, social media, maths"),
    ("council_team", "Lena Price, Elm Park Council", "Community engagement officer. I answer ideas for the council.", "council contacts, grant writing"),
]  # fmt: skip

# Who runs the demo board: the council officer is an admin with the Official badge,
# the residents' association chair moderates.
STAFF = {"council_team": (Role.ADMIN, True), "ruth": (Role.MODERATOR, False)}

# The areas each person can help in: requests there come first on their dashboard.
HELPS_IN = {
    "amina": ["Elm Park"], "tom_h": ["Elm Park", "Mill Street"], "priya": ["Mill Street"],
    "dave": ["Elm Park"], "grace": ["Northside"], "lukasz": ["Canal Quarter", "Northside"],
    "ruth": ["Elm Park"], "sam": ["Northside"],
}  # fmt: skip

TOPICS = ["Environment", "Transport", "Young people", "Older people", "Culture and events"]
AREAS = ["Elm Park", "Northside", "Canal Quarter", "Mill Street"]
# idea index -> (area, topics)
PLACES = {
    0: ("Elm Park", ["Environment", "Culture and events"]),
    1: ("Mill Street", ["Environment"]),
    2: ("Elm Park", ["Transport", "Young people"]),
    3: ("Northside", ["Young people"]),
    4: ("Elm Park", ["Culture and events"]),
    5: ("Canal Quarter", ["Older people", "Transport"]),
    6: (None, ["Culture and events"]),
    7: ("Northside", ["Older people"]),
    8: ("Canal Quarter", ["Older people"]),
}
# idea index -> official answers, oldest first: (status, response, days ago)
ANSWERS = {
    0: [("under_consideration", "Thank you. The pavilion is council property: our estates team is checking "
         "the building's condition and insurance for a lending library.", 18),
        ("in_progress", "Good news: the council will lend the pavilion free of charge for a year from "
         "January. We will sign a simple licence with the residents' association.", 6)],
    1: [("done", "The verge is in the council's **Pollinator Plan**. Mowing stopped in May and the "
         "parks team sowed native seed in September.", 4)],
    5: [("not_taken_forward", "The canal path belongs to the Canal & River Trust, not the council. We "
         "have passed the idea to them and will post their answer here.", 3)],
}

IDEAS = [
    ("amina", "A tool library in the old bowls pavilion",
     "Most of us own a drill we use twice a year. A **tool library** would let neighbours borrow "
     "drills, ladders, wallpaper strippers and garden tools for free.\n\nThe bowls pavilion on "
     "Park Lane has stood empty since 2023. It has power, a lockable store and a ramp.\n\n"
     "What it would take:\n\n- shelves and a simple lending system\n- volunteers for two "
     "sessions a week\n- the council's agreement to use the building", 26),
    ("priya", "Turn the verge on Mill Street into a wildflower strip",
     "The grass verge outside the shops is mown bare every fortnight. Planted with native "
     "wildflowers it would feed bees, look lovely and cost less to look after.\n\nThe "
     "council's *Pollinator Plan* supports exactly this.", 21),
    ("dave", "Bike repair pop-up at the Saturday market",
     "Lots of bikes sit in sheds with a flat tyre. A monthly pop-up where volunteers fix "
     "bikes for free (donations welcome) would get more people cycling to school.", 18),
    ("grace", "Homework club with free supper for teenagers",
     "Many young people at Northside have nowhere quiet to work after school. Two evenings a "
     "week in the centre, with volunteers to help and a hot meal, would make a real "
     "difference.", 15),
    ("ruth", "Street party for the King's Road jubilee of the park",
     "The park turns 100 next summer. Let's close King's Road for an afternoon: music, food "
     "from our neighbours, games for children and a photo exhibition of the park over the "
     "years.", 10),
    ("tom_h", "Benches along the canal path",
     "Older neighbours tell me the walk from the bridge to the lock is too long without a "
     "rest. Three benches made from reclaimed timber would fix that.", 7),
    ("sam", "A simple website listing every group in Elm Park",
     "From the knitting circle to the running club: one page with what each group does, when "
     "it meets and who to contact.", 4),
    ("lukasz", "Free electrical safety checks for older residents",
     "Old wiring and overloaded sockets cause fires. I'd like to offer free checks to anyone "
     "over 70, and fit smoke alarms where they are missing.", 2),
    # Says what "Benches along the canal path" says: joined with it (DUPLICATE below).
    ("grace", "Somewhere to sit by the canal",
     "My nan can't walk the canal path any more without a rest. Could we have seats by the lock?", 6.5),
]  # fmt: skip

# Pictures drawn here, on a few ideas: (idea index, picture, its description, days ago).
PHOTOS = [
    (0, "pavilion", "A drawing of the empty bowls pavilion on Park Lane: a green wooden hut with a "
     "ramp up to its door, under a blue sky.", 25.9),
    (1, "verge", "A drawing of the Mill Street verge planted with wildflowers: red, yellow and "
     "blue flowers along a strip of grass in front of the shops.", 20.9),
    (5, "benches", "A drawing of the canal path with three wooden benches beside the water, "
     "between the bridge and the lock.", 6.9),
]
# (idea index, the idea it duplicates, proposed how many days ago, joined how many days ago):
# its author saw the other idea too late and proposed joining; that idea's author agreed.
DUPLICATE = (8, 5, 2.2, 1.5)

# (author, idea index or None, title, details, skills, days ago)
HELP_REQUESTS = [
    ("amina", 0, "Someone to build shelves for the tool library",
     "We need sturdy shelving along one wall of the pavilion store, about 4 metres. Timber "
     "is donated; we need the skills and a few Saturday mornings.", "carpentry, tools, saturday mornings", 20),
    ("amina", 0, "A van to collect donated tools",
     "Three neighbours are donating workbenches and a lawnmower. We need a van for one "
     "afternoon to bring them to the pavilion.", "van, lifting", 12),
    ("priya", 1, "Help writing a small grant bid for seeds",
     "The Community Green Fund closes next month. I'd love a second pair of eyes on the "
     "budget and the wording.", "grant writing, council contacts", 16),
    ("dave", 2, "Volunteers with first aid for the bike pop-up",
     "We need one person with a first-aid certificate at each pop-up.", "first aid, saturday mornings", 9),
    ("grace", 3, "Volunteers to help with maths homework",
     "GCSE maths mostly. Tuesday and Thursday 5 to 7 pm. A DBS check is arranged by the centre.",
     "tutoring, maths, youth work", 6),
    ("ruth", 4, "Photos of the park from before 1990",
     "For the exhibition: does anyone have old photos of the park we could scan?", "photography, local history", 3),
    ("tom_h", None, "A hand moving a workbench into my garage",
     "It's heavy and my back isn't what it was. Twenty minutes, with tea and biscuits.", "lifting", 1),
]  # fmt: skip

# help request index -> the kind of help it needs, where it is not a skill
KINDS = {1: HelpKind.EQUIPMENT, 2: HelpKind.COUNCIL, 3: HelpKind.TIME, 4: HelpKind.TIME,
         6: HelpKind.TIME}

# Private messages once an offer is accepted: (help request index, helper, [(sender, text, days ago)])
MESSAGES = [
    (0, "tom_h", [
        ("amina", "Thank you Tom! Would Saturday the 14th at 9 work? Ruth has the pavilion key.", 17.8),
        ("tom_h", "The 14th is fine. I'll bring the mitre saw and a flask.", 17.5),
    ]),
]  # fmt: skip

# (help request index, invited person, days ago): the person asking invites someone whose skills match
INVITATIONS = [(4, "sam", 5)]

# (helper, help request index, message, days ago, accepted how many days ago or None)
OFFERS = [
    ("tom_h", 0, "I was a joiner for 40 years. I can do this over two Saturdays with my own tools.", 19, 18),
    ("lukasz", 0, "I can help Tom carry and fix the uprights.", 17, 16.5),
    ("lukasz", 1, "I have a van and free afternoons most weeks.", 11, 10),
    ("ruth", 2, "I've written a few of these for the residents' association. Send me the draft.", 15, 14),
    ("dave", 6, "I'm round the corner, I'll pop over on Sunday.", 0.4, None),
    ("amina", 3, "I did a first-aid course last spring, happy to cover October.", 8, None),
    ("sam", 5, "I can scan the photos at college for free.", 2, None),
]  # fmt: skip

# (author, idea index, comment, days ago)
COMMENTS = [
    ("tom_h", 0, "Brilliant idea. I have a garage full of tools I'd happily donate.", 24),
    ("ruth", 0, "The residents' association can raise this at the council's area forum next month.", 22),
    ("priya", 0, "Could we lend garden tools in spring too? The allotment has spare forks.", 19),
    ("dave", 1, "My children would love to help plant it. Count us in.", 20),
    ("amina", 2, "We could run it next to the repair café on the same day!", 15),
    ("grace", 3, "The centre's kitchen is free on those evenings, I've checked.", 14),
    ("sam", 4, "I can make a poster and a page for it.", 8),
    ("lukasz", 5, "The canal trust might fund the timber; worth asking.", 5),
    ("sam", 8, "Yes please, with a back to lean on.", 6.2),
]  # fmt: skip

# (author, help request index, comment, days ago)
REQUEST_COMMENTS = [("amina", 0, "Thank you both! Timber arrives on Friday.", 15.5)]

# An advert posted under an idea, and reported: (author, idea index, comment, days ago,
# reporter, reason, days ago)
ADVERT = ("dave", 2, "Selling my old van, good condition, message me!", 3,
          "priya", "An advert, not about the idea.", 2.5)

SUPPORTS = {0: 7, 1: 6, 2: 5, 3: 6, 4: 4, 5: 3, 6: 2, 7: 3, 8: 0}

# The council's pledge: ideas with 2 supporters get an answer within 10 days. With the
# supports and answers above, two ideas are answered in time, one late, one is overdue
# and the others wait.
PLEDGE = (2, 10)

# Notifications older than this many days have been read; newer ones wait.
READ_AFTER_DAYS = 4


class Story:
    """The demo told in the order it happened, each step dated when it happened.

    The board's own rules (posting, offering, notifying, queueing email) stamp what
    they make with the present moment; after each step, everything that step made or
    changed is moved back to the step's own time, so that notifications, events,
    email and counters' dates agree with what they are about.
    """

    def __init__(self, now: datetime):
        self.now = now
        self.steps: list[tuple[float, int, object]] = []

    def on(self, days_ago: float, step) -> None:
        self.steps.append((days_ago, len(self.steps), step))

    def tell(self) -> None:
        # Oldest first; steps on the same day keep the order they were written in.
        for days_ago, _, step in sorted(self.steps, key=lambda s: (-s[0], s[1])):
            with self.dated(self.now - timedelta(days=days_ago)):
                step()

    @contextmanager
    def dated(self, when: datetime):
        started = utcnow()
        yield
        db.session.flush()
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, DateTime):
                    db.session.execute(
                        update(table).where(column >= started).values({column.name: when})
                    )
        db.session.expire_all()


def fill_demo_board(password: str) -> list[User]:
    """Add the demo neighbourhood's people and posts to the session (the caller commits)."""
    from .notifications.models import Notification

    now = utcnow()
    story = Story(now)
    password_hash = hash_password(password)
    people: dict[str, User] = {}
    topics: dict[str, Topic] = {}
    areas: dict[str, Area] = {}
    ideas: dict[int, Idea] = {}
    requests: dict[int, HelpRequest] = {}

    def set_up_labels():
        topics.update({name: Topic.named(name) for name in TOPICS})
        areas.update({name: Area.named(name) for name in AREAS})
        db.session.add_all([*topics.values(), *areas.values()])

    story.on(40, set_up_labels)

    def make_the_pledge():
        from .admin.models import BoardSettings

        settings = db.session.get(BoardSettings, 1)
        if settings is None:
            settings = BoardSettings(id=1, name=current_app.config["BOARD_NAME"])
            settings.set_texts("", "")
            db.session.add(settings)
        settings.pledge_on = True
        settings.pledge_supporters, settings.pledge_days = PLEDGE
        db.session.flush()

    story.on(40, make_the_pledge)

    def join(username, name, bio, skills):
        person = User(username=username, email=f"{username}@example.org",
                      password_hash=password_hash, display_name=name, bio=bio)
        person.set_skills([s.strip() for s in skills.split(",")])
        person.email_verified_at = utcnow()
        if username in STAFF:
            person.role, person.is_official = STAFF[username]
        person.areas = [areas[area] for area in HELPS_IN.get(username, [])]
        db.session.add(person)
        people[username] = person

    for number, row in enumerate(PEOPLE):
        story.on(38 - number * 1.3, lambda row=row: join(*row))

    def post_idea(index, author, title, body):
        idea = Idea.post(people[author], title, body)
        area, names = PLACES[index]
        idea.place(areas.get(area), [topics[name] for name in names])
        ideas[index] = idea

    for index, (author, title, body, days) in enumerate(IDEAS):
        story.on(days, lambda i=index, a=author, t=title, b=body: post_idea(i, a, t, b))
        # Supporters come over the days after an idea is posted.
        supporters = [username for username, *_ in PEOPLE if username != author][:SUPPORTS[index]]
        for number, username in enumerate(supporters):
            story.on(days * (1 - (number + 1) / (len(supporters) + 1)),
                     lambda i=index, u=username: ideas[i].toggle_support(people[u]))

    def add_drawing(index, picture, description):
        idea = ideas[index]
        add_photo(idea, remake(drawn_picture(picture)), description, by=idea.author)

    for index, picture, description, days in PHOTOS:
        story.on(days, lambda i=index, p=picture, d=description: add_drawing(i, p, d))

    def ask_for_help(index, author, idea_index, title, body, skills):
        idea = ideas[idea_index] if idea_index is not None else None
        requests[index] = HelpRequest.post(
            people[author], title, body, [s.strip() for s in skills.split(",")], idea=idea,
            kind=KINDS.get(index, HelpKind.SKILLS), area=idea.area if idea else None,
            topics=idea.topics if idea else [],
        )

    for index, (author, idea_index, title, body, skills, days) in enumerate(HELP_REQUESTS):
        story.on(days, lambda r=(index, author, idea_index, title, body, skills): ask_for_help(*r))

    def accept(request_index, helper):
        help_request = requests[request_index]
        help_request.accept(help_request.offer_from(people[helper]), by=help_request.author)

    for helper, request_index, message, days, accepted in OFFERS:
        story.on(days, lambda r=request_index, h=helper, m=message:
                 requests[r].make_offer(people[h], m))
        if accepted is not None:
            story.on(accepted, lambda r=request_index, h=helper: accept(r, h))

    for author, idea_index, body, days in COMMENTS:
        story.on(days, lambda i=idea_index, a=author, b=body: ideas[i].add_comment(people[a], b))
    for author, request_index, body, days in REQUEST_COMMENTS:
        story.on(days, lambda r=request_index, a=author, b=body:
                 requests[r].add_comment(people[a], b))
    for request_index, helper, messages in MESSAGES:
        for sender, text, days in messages:
            story.on(days, lambda r=request_index, h=helper, s=sender, t=text:
                     send_message(requests[r].offer_from(people[h]), people[s], t))
    for request_index, person, days in INVITATIONS:
        story.on(days, lambda r=request_index, p=person:
                 invite_to_help(requests[r], people[p], by=requests[r].author))

    author, idea_index, body, days, reporter, reason, reported = ADVERT
    advert: list = []
    story.on(days, lambda: advert.append(ideas[idea_index].add_comment(people[author], body)))
    story.on(reported, lambda: report(advert[0], by=people[reporter], reason=reason))

    duplicate_index, target_index, proposed, joined = DUPLICATE
    # Amina supports both ideas and counts once; Łukasz only this one, and joining brings him.
    for days, username in ((6.4, "amina"), (6.3, "lukasz")):
        story.on(days, lambda u=username: ideas[duplicate_index].toggle_support(people[u]))
    proposals: list = []
    story.on(proposed, lambda: proposals.append(propose(
        ideas[duplicate_index], ideas[target_index], by=ideas[duplicate_index].author)))
    story.on(joined, lambda: accept_duplicate(proposals[0], by=ideas[target_index].author))

    for index, answers in ANSWERS.items():
        for status, response, days in answers:
            story.on(days, lambda i=index, s=status, r=response:
                     ideas[i].answer(s, r, by=people["council_team"]))

    story.tell()
    _read_older_notifications(now - timedelta(days=READ_AFTER_DAYS), Notification)
    return list(people.values())


def drawn_picture(picture: str) -> bytes:
    """A simple picture for a demo idea, drawn with Pillow, as PNG bytes: nothing to ship."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (960, 640), "#bfe3f5")  # sky
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 430, 960, 640), fill="#6aa84f")  # grass
    if picture == "pavilion":
        draw.rectangle((300, 230, 660, 450), fill="#3d7a4a", outline="#1f3d25", width=6)
        draw.polygon([(270, 240), (480, 120), (690, 240)], fill="#7a3d2e")
        draw.rectangle((440, 320, 520, 450), fill="#c9a26b")
        draw.polygon([(520, 450), (640, 450), (640, 470), (520, 470)], fill="#999999")  # ramp
        label = "The bowls pavilion"
    elif picture == "verge":
        draw.rectangle((0, 150, 960, 430), fill="#d9c7a8")  # the shops
        for x in range(60, 960, 220):
            draw.rectangle((x, 220, x + 140, 340), fill="#9fc5e8", outline="#555555", width=4)
        for x in range(40, 960, 60):
            for row, colour in enumerate(("#d7263d", "#f4d35e", "#3f88c5")):
                y = 470 + row * 45 + (x % 3) * 8
                draw.ellipse((x - 14, y - 14, x + 14, y + 14), fill=colour)
        label = "Wildflowers on Mill Street"
    else:
        draw.rectangle((0, 500, 960, 640), fill="#2f6690")  # the canal
        for x in (120, 420, 720):
            draw.rectangle((x, 400, x + 150, 420), fill="#8b5a2b")
            draw.rectangle((x, 360, x + 150, 378), fill="#8b5a2b")
            draw.rectangle((x + 10, 420, x + 25, 470), fill="#5c3a1a")
            draw.rectangle((x + 125, 420, x + 140, 470), fill="#5c3a1a")
        label = "Benches by the canal"
    font = ImageFont.load_default(size=40)
    left, top, right, bottom = draw.textbbox((40, 30), label, font=font)
    draw.rectangle((left - 16, top - 12, right + 16, bottom + 12), fill="white")
    draw.text((40, 30), label, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _read_older_notifications(before: datetime, Notification) -> None:
    """People have read what they were told about a while ago, not what came lately."""
    for notification in db.session.scalars(select(Notification).where(
            Notification.created_at < before, Notification.read_at.is_(None))):
        notification.read_at = notification.created_at + timedelta(hours=5)
    db.session.flush()
    db.session.execute(update(User).values(unread_notifications=(
        select(func.count(Notification.id))
        .where(Notification.recipient_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )))
    db.session.expire_all()
