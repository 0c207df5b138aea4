"""Demo content: an imaginary neighbourhood's board, a few weeks into its life."""

from __future__ import annotations

from datetime import timedelta

from werkzeug.security import generate_password_hash

from .extensions import db
from .help.models import invite_to_help, send_message
from .models import Area, HelpKind, HelpRequest, Idea, Role, Topic, User, utcnow
from .moderation import report

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
]  # fmt: skip

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

# Private messages once an offer is accepted: (help request index, helper, [(sender, text)])
MESSAGES = [
    (0, "tom_h", [
        ("amina", "Thank you Tom! Would Saturday the 14th at 9 work? Ruth has the pavilion key."),
        ("tom_h", "The 14th is fine. I'll bring the mitre saw and a flask."),
    ]),
]  # fmt: skip

# (help request index, invited person): the person asking invites someone whose skills match
INVITATIONS = [(4, "sam")]

# (helper, help request index, message, answer)
OFFERS = [
    ("tom_h", 0, "I was a joiner for 40 years. I can do this over two Saturdays with my own tools.", "accept"),
    ("lukasz", 0, "I can help Tom carry and fix the uprights.", "accept"),
    ("lukasz", 1, "I have a van and free afternoons most weeks.", "accept"),
    ("ruth", 2, "I've written a few of these for the residents' association. Send me the draft.", "accept"),
    ("dave", 6, "I'm round the corner, I'll pop over on Sunday.", None),
    ("amina", 3, "I did a first-aid course last spring, happy to cover October.", None),
    ("sam", 5, "I can scan the photos at college for free.", None),
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
]  # fmt: skip

SUPPORTS = {0: 7, 1: 6, 2: 5, 3: 6, 4: 4, 5: 3, 6: 2, 7: 3}


def fill_demo_board(password: str) -> list[User]:
    """Add the demo neighbourhood's people and posts to the session (the caller commits)."""
    now = utcnow()
    password_hash = generate_password_hash(password)
    people: dict[str, User] = {}
    for username, name, bio, skills in PEOPLE:
        person = User(
            username=username,
            email=f"{username}@example.org",
            password_hash=password_hash,
            display_name=name,
            bio=bio,
            created_at=now - timedelta(days=30),
            email_verified_at=now - timedelta(days=30),
        )
        person.set_skills([s.strip() for s in skills.split(",")])
        db.session.add(person)
        people[username] = person
    for username, (role, official) in STAFF.items():
        people[username].role, people[username].is_official = role, official
    topics = {name: Topic.named(name) for name in TOPICS}
    areas = {name: Area.named(name) for name in AREAS}
    db.session.add_all([*topics.values(), *areas.values()])
    for username, names in HELPS_IN.items():
        people[username].areas = [areas[name] for name in names]
    db.session.flush()

    ideas = []
    for author, title, body, days in IDEAS:
        idea = Idea.post(people[author], title, body)
        idea.created_at = idea.last_activity_at = now - timedelta(days=days)
        ideas.append(idea)

    for index, (area, names) in PLACES.items():
        ideas[index].place(areas.get(area), [topics[name] for name in names])

    supporters = list(people.values())
    for index, count in SUPPORTS.items():
        for person in supporters[:count]:
            if person.id != ideas[index].author_id:
                ideas[index].toggle_support(person)

    requests = []
    for author, idea_index, title, body, skills, days in HELP_REQUESTS:
        idea = ideas[idea_index] if idea_index is not None else None
        help_request = HelpRequest.post(
            people[author], title, body, [s.strip() for s in skills.split(",")], idea=idea,
            kind=KINDS.get(len(requests), HelpKind.SKILLS), area=idea.area if idea else None,
            topics=idea.topics if idea else [],
        )
        help_request.created_at = now - timedelta(days=days)
        requests.append(help_request)

    for helper, request_index, message, answer in OFFERS:
        help_request = requests[request_index]
        offer = help_request.make_offer(people[helper], message)
        if answer == "accept":
            help_request.accept(offer, by=help_request.author)

    for author, idea_index, body, days in COMMENTS:
        comment = ideas[idea_index].add_comment(people[author], body)
        comment.created_at = now - timedelta(days=days)
    requests[0].add_comment(people["amina"], "Thank you both! Timber arrives on Friday.")
    for request_index, helper, messages in MESSAGES:
        offer = requests[request_index].offer_from(people[helper])
        for sender, text in messages:
            send_message(offer, people[sender], text)
    for request_index, person in INVITATIONS:
        invite_to_help(requests[request_index], people[person], by=requests[request_index].author)

    advert = ideas[2].add_comment(people["dave"], "Selling my old van, good condition, message me!")
    report(advert, by=people["priya"], reason="An advert, not about the idea.")

    for index, answers in ANSWERS.items():
        for status, response, days in answers:
            update = ideas[index].answer(status, response, by=people["council_team"])
            update.created_at = now - timedelta(days=days)
    return list(people.values())
