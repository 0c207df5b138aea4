"""No English is left on the French and Welsh pages.

Every kind of page is rendered, for a visitor and for people signed in with each role,
in French and in Welsh, on a board whose people write in made-up words that belong to
no language. The board's own English texts (the msgids of the compiled catalogues whose
translation differs from the English) must then appear nowhere a person reads or hears:
not as a text node or an element's whole text, not as a whole sentence inside one, and
not in the attributes a person perceives (alt, title, aria-label, placeholder, the value
of a button, <title>), nor in feed entries or the charts drawn on the server. Each page
must also say its language in <html lang>.
"""

from __future__ import annotations

import base64
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from sqlalchemy import update

from board.extensions import db
from board.help.models import invite_to_help, send_message
from board.models import Area, Comment, HelpKind, HelpRequest, Idea, Role, Topic, User
from board.moderation import moderate, report
from board.people.own_data import erase
from helpers import PASSWORD_HASH, Auth, make_test_app, offer_languages

TRANSLATIONS = Path(__file__).resolve().parent.parent / "board" / "translations"
LANGUAGES = ("fr", "cy")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
# Placeholders that always stand for a number.
NUMBER = re.compile(r"%\((?:count|number|n|num|total|days|page|pages|limit|minutes|hours)\)[sd]|%\(\w+\)d|\{count\}|\{n\}")

# English texts that may rightly stand on a French or Welsh page, as (language, text), each
# with its reason. None is needed today: texts translated as the same words (Simpl, API,
# CSV) are left out on their own, and made-up words keep people's writing out of the way.
# Keep it short: an entry hides that text on every page.
ALLOWED: dict[tuple[str, str], str] = {}

# --- The board's English --------------------------------------------------------------


def catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as f:
        return read_mo(f)


def pieces(msgid: str) -> list[str]:
    """The runs of text a person reads in a message: markup in it splits it into pieces."""
    text = re.sub(r"\s+", " ", msgid)
    return [unescape(p).strip() for p in re.split(r"<[^>]+>", text) if unescape(p).strip()]


def worth_checking(piece: str) -> bool:
    """A piece with a real word in it, once placeholders are out. Where a placeholder may
    stand for any words, its own words must be more than one short one: "%(date)s at
    %(time)s" would otherwise be found in every Welsh sentence with "at" (to) in it."""
    words = PLACEHOLDER.sub(" ", piece)
    if not re.search(r"[^\W\d_]{2,}", words):
        return False
    any_words = any(not NUMBER.fullmatch(p.group()) for p in PLACEHOLDER.finditer(piece))
    return not any_words or len(words.split()) > 1 or len(words.strip()) >= 5


def as_pattern(piece: str) -> str:
    pattern, position = "", 0
    piece = piece.replace("%%", "%")
    for placeholder in PLACEHOLDER.finditer(piece):
        pattern += re.escape(piece[position:placeholder.start()])
        pattern += r"[\d.,\s]+?" if NUMBER.fullmatch(placeholder.group()) else ".+?"
        position = placeholder.end()
    return pattern + re.escape(piece[position:])


def english_texts(language: str) -> dict[str, str]:
    """The English pieces (as regular expressions) whose translation is not the same words."""
    found: dict[str, str] = {}
    for message in catalogue(language):
        if not message.id:
            continue
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        translated = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in english:
            if text in translated:
                continue
            translated_pieces = {p for t in translated for p in pieces(t)}
            for piece in pieces(text):
                if piece in translated_pieces or not worth_checking(piece):
                    continue
                if (language, piece) in ALLOWED:
                    continue
                found[piece] = as_pattern(piece)
    return found


class English:
    """Finds the board's English in a run of text: the whole of it, or a whole sentence in it."""

    def __init__(self, language: str):
        self.texts = english_texts(language)
        self.whole = {text: re.compile(pattern, re.S) for text, pattern in self.texts.items()}
        self.sentences = {
            text: re.compile(r"(?:^|(?<=[.!?:] ))" + pattern + r"(?= |$)", re.S)
            for text, pattern in self.texts.items()
            if re.search(r"[.!?]$", text) and " " in text
        }
        self.any_whole = re.compile("|".join(f"(?:{p})" for p in self.texts.values()), re.S)

    def in_text(self, text: str) -> list[str]:
        found = []
        if len(text) <= 400 and self.any_whole.fullmatch(text):
            found += [english for english, pattern in self.whole.items() if pattern.fullmatch(text)]
        if len(text) <= 2000:
            found += [english for english, pattern in self.sentences.items()
                      if english not in found and pattern.search(text)]
        return found


# --- What a person reads on a page -------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
PERCEIVED = ("alt", "title", "aria-label", "placeholder")
CODE = {"code", "kbd", "samp"}
SVG_IMAGE = "data:image/svg+xml;base64,"


class Readable(HTMLParser):
    """The texts of a page a person reads or hears: text nodes, each element's whole text,
    and the attributes shown or read aloud. Text in another language than the page's
    (marked with lang="..."), code, scripts and styles are left out."""

    def __init__(self, page_language: str):
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.html_lang = None
        self.stack: list[list] = []  # [tag, own language?, collected text]
        self.texts: list[str] = []

    def _foreign(self) -> bool:
        return any(not same for _, same, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        lang = attrs.get("lang")
        # Code (a column's name, a command) is the same whatever the page's language.
        same = (lang is None or lang.split("-")[0] == self.page_language) and tag not in CODE
        if not self._foreign() and same:
            for name in PERCEIVED:
                if attrs.get(name):
                    self.texts.append(collapse(attrs[name]))
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
                self.texts.append(collapse(attrs["value"]))
            if tag == "img" and (attrs.get("src") or "").startswith(SVG_IMAGE):
                # A chart drawn on the server: its title, legend and labels are read too.
                svg = base64.b64decode(attrs["src"][len(SVG_IMAGE):]).decode()
                self.texts += readable(svg, self.page_language).texts
        if tag not in VOID:
            self.stack.append([tag, same, []])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not any(open_tag == tag for open_tag, _, _ in self.stack):
            return
        while self.stack:
            open_tag, same, words = self.stack.pop()
            whole = collapse(" ".join(words))
            foreign = not same or self._foreign()
            if whole and not foreign and open_tag not in ("script", "style"):
                self.texts.append(whole)
            if self.stack and same and open_tag not in ("script", "style"):
                self.stack[-1][2].append(whole)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self.stack or self.stack[-1][0] in ("script", "style"):
            return
        if self.stack[-1][0] in ("content", "summary") and "<" in data:
            # A feed entry's HTML, escaped in the feed: read as the reader shows it.
            self.texts += [] if self._foreign() else readable(data, self.page_language).texts
            return
        text = collapse(data)
        if text:
            self.stack[-1][2].append(text)
            if not self._foreign():
                self.texts.append(text)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def readable(html: str, language: str) -> Readable:
    parser = Readable(language)
    parser.feed(html)
    parser.close()
    return parser


# --- A board written in no language ------------------------------------------------------

# Made-up words, so that what people write can be neither English nor French nor Welsh.
WORDS = ["zumbo", "kreel", "vontrak", "blarvo", "snik", "trell", "quazzo", "plimt", "drovva", "yekko"]


def nonsense(n: int, start: int = 0) -> str:
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(n)).capitalize()


def build_board(app, language: str) -> dict:
    """People with each role, ideas with supporters, comments and answers, help requests with
    offers and a conversation, a report, and notifications: every page has something to show."""
    from board.admin.models import BoardSettings, Invite
    from board.auth.models import Registration
    from board.notifications.models import Category
    from board.tokens import RESET, make_token, unsubscribe_token

    offer_languages(app)
    with app.app_context():
        settings = db.session.get(BoardSettings, 1)
        settings.pledge_on, settings.pledge_supporters, settings.pledge_days = True, 2, 10
        people = {}
        for name, role, official in [("zora", Role.ADMIN, True), ("moda", Role.MODERATOR, False),
                                     ("kalo", Role.MEMBER, False), ("vesh", Role.MEMBER, False)]:
            person = User(username=name, email=f"{name}@example.org", password_hash=PASSWORD_HASH,
                          display_name=nonsense(2, len(people)), bio=nonsense(6), role=role,
                          is_official=official)
            person.set_skills(["trelk", "plimt"])
            db.session.add(person)
            people[name] = person
        db.session.flush()
        topic, area = Topic.named("Zumbo"), Area.named("Kreel")
        db.session.add_all([topic, area])
        kalo, vesh, zora, moda = (people[n] for n in ("kalo", "vesh", "zora", "moda"))
        idea = Idea.post(kalo, nonsense(4), nonsense(12) + ".\n\n" + nonsense(8, 3) + ".")
        idea.place(area, [topic])
        answered = Idea.post(vesh, nonsense(3, 5), nonsense(10, 2) + ".")
        waiting = Idea.post(vesh, nonsense(3, 7), nonsense(10, 4) + ".")
        for supporter in (vesh, zora, moda):
            idea.toggle_support(supporter)
        for supporter in (kalo, zora, moda):
            answered.toggle_support(supporter)
            waiting.toggle_support(supporter)
        idea.add_comment(vesh, nonsense(7, 1) + ".")
        reported = idea.add_comment(moda, nonsense(5, 2) + "!")
        answered.answer("in_progress", nonsense(9, 6) + ".", by=zora)
        help_request = HelpRequest.post(kalo, nonsense(4, 1), nonsense(11, 3) + ".", ["trelk", "snik"],
                                        idea=idea, kind=HelpKind.SKILLS, area=area, topics=[topic])
        open_request = HelpRequest.post(vesh, nonsense(3, 2), nonsense(6, 5) + ".", ["plimt"],
                                        kind=HelpKind.TIME)
        help_request.add_comment(vesh, nonsense(4, 8) + ".")
        offer = help_request.make_offer(vesh, nonsense(6, 4) + ".")
        help_request.make_offer(moda, nonsense(5, 6) + ".")
        help_request.accept(offer, by=kalo)
        send_message(offer, kalo, nonsense(5, 7) + "?")
        send_message(offer, vesh, nonsense(4, 9) + ".")
        open_request.make_offer(kalo, nonsense(3, 3) + ".")
        invite_to_help(open_request, zora, by=vesh)
        report(reported, by=kalo, reason=nonsense(4, 4) + ".")
        # The moderators' log has something to say: a comment hidden, an idea's comments locked.
        hidden = answered.add_comment(kalo, nonsense(3, 1) + ".")
        db.session.flush()
        moderate("hide", hidden, by=moda, reason=nonsense(3, 2) + ".")
        moderate("lock", waiting, by=moda, reason=nonsense(3, 5) + ".")
        # Someone reported, was moderated, then deleted their account and their posts: the
        # board writes its own words in their place in the log and the reports.
        gone = User(username="gone", email="gone@example.org", password_hash=PASSWORD_HASH)
        db.session.add(gone)
        db.session.flush()
        report(answered, by=gone, reason=nonsense(5, 3) + ".")
        moderate("hide", idea.add_comment(gone, nonsense(4, 6) + "."), by=moda, reason=nonsense(2) + ".")
        moderate("suspend", gone, by=moda, reason=nonsense(2, 4) + ".")
        erase(gone, keep_posts=False)
        db.session.flush()
        # What people wrote is marked as written in the page's language.
        for model in (Idea, HelpRequest, Comment):
            db.session.execute(update(model).values(language=language))
        # Links people get by email: a password reset, a registration to finish (and one whose
        # username was taken meanwhile), unsubscribing, and an invitation to the board.
        links = {
            "reset": make_token(RESET, vesh),
            "finish": Registration.start("newcomer", "newcomer@example.org", PASSWORD_HASH, None, 24)[1],
            "taken": Registration.start("kalo", "someone@example.org", PASSWORD_HASH, None, 24)[1],
            "unsubscribe": unsubscribe_token(vesh, (Category.MINE, Category.FOLLOWING)),
            "invite": Invite.make(zora, 7, nonsense(2))[1],
        }
        db.session.commit()
        return {**links, "hidden": hidden.id, "waiting": waiting.id, "idea": idea.id, "answered": answered.id, "request": help_request.id,
                "open_request": open_request.id, "offer": offer.id, "comment": reported.id,
                "topic": topic.id}


# (who is signed in, method, address, form sent): every kind of page, and its forms refused.
def pages(ids: dict) -> list[tuple[str | None, str, str, dict | None]]:
    idea, request, offer, comment = ids["idea"], ids["request"], ids["offer"], ids["comment"]
    visitor = [
        "/", "/ideas", "/ideas?sort=popular", "/ideas?sort=trending", "/ideas?sort=waiting",
        "/ideas?sort=recent", "/ideas?clock=awaiting", "/ideas?clock=overdue", "/ideas?clock=answered",
        "/ideas?topic=zumbo", "/ideas?status=in_progress", "/ideas?page=99",
        f"/ideas/{idea}", f"/ideas/{ids['answered']}", f"/ideas/{ids['idea']}/activity.atom",
        "/ideas.atom", "/ideas.atom?topic=zumbo", "/help.atom",
        "/help", "/help?status=open", "/help?kind=time", "/help?skill=trelk",
        f"/help/{request}", f"/help/{ids['open_request']}",
        "/search?q=zumbo", "/search?q=qxqxqx", "/search?q=", "/users/kalo", "/skills/trelk",
        "/login", "/register", "/password/forgot", "/password/reset/not-a-token",
        "/verify/not-a-token", "/register/finish/not-a-token", "/register/sent",
        f"/password/reset/{ids['reset']}", f"/register/finish/{ids['finish']}",
        f"/register/finish/{ids['taken']}", f"/unsubscribe/{ids['unsubscribe']}",
        f"/register?invite={ids['invite']}",
        "/code-of-conduct", "/privacy", "/data", "/stats", "/stats?topic=zumbo",
        "/ideas/999999",
    ]
    signed_in = [
        ("kalo", "/dashboard"), ("kalo", "/notifications"), ("kalo", "/account"),
        ("kalo", "/account/password"), ("kalo", "/account/notifications"), ("kalo", "/account/delete"),
        ("kalo", "/ideas/new"), ("kalo", f"/ideas/{idea}/edit"), ("kalo", f"/ideas/{idea}/delete"),
        ("kalo", f"/ideas/{idea}"), ("kalo", "/help/new"), ("kalo", f"/help/{request}"),
        ("kalo", f"/help/{request}/edit"), ("kalo", f"/help/{request}/delete"),
        ("kalo", f"/help/{request}/offers/{offer}/messages"), ("kalo", f"/report/idea/{ids['answered']}"),
        ("vesh", f"/help/{request}"), ("vesh", f"/help/{ids['open_request']}"), ("vesh", "/dashboard"),
        ("vesh", f"/comments/{comment - 1}/edit"), ("vesh", f"/comments/{comment - 1}/delete"),
        ("vesh", f"/ideas/{idea}/edit"),  # someone else's idea: 403
        ("zora", "/dashboard"), ("zora", "/notifications"), ("zora", f"/ideas/{idea}"),
        ("zora", "/admin"), ("zora", "/admin/people"), ("zora", "/admin/topics"), ("zora", "/admin/areas"),
        ("zora", f"/admin/topics/{ids['topic']}"), ("zora", "/admin/settings"), ("zora", "/admin/invites"),
        ("zora", "/admin/answers"), ("zora", "/moderation"), ("zora", "/moderation/log"),
        ("moda", "/moderation"), ("moda", "/moderation/log"), ("moda", f"/moderation/comment/{comment}"),
        ("moda", "/admin/answers"), ("moda", f"/ideas/{idea}"), ("moda", f"/moderation/comment/{ids['hidden']}"),
        ("moda", f"/moderation/idea/{ids['waiting']}"), ("moda", f"/ideas/{ids['answered']}"),
        (None, f"/ideas/{ids['waiting']}"),
    ]
    refused = [
        (None, "/login", {"login": "", "password": ""}),
        (None, "/login", {"login": "kalo", "password": "wrong password"}),
        (None, "/register", {"username": "", "email": "nope", "password": "x"}),
        (None, "/password/forgot", {"email": "nope"}),
        (None, f"/password/reset/{ids['reset']}", {"password": "x", "confirm": "y"}),
        ("kalo", "/ideas/new", {"title": "", "description": ""}),
        ("kalo", f"/ideas/{idea}/edit", {"title": "", "description": nonsense(3)}),
        ("kalo", "/help/new", {"title": "", "description": ""}),
        ("kalo", f"/help/{request}/edit", {"title": "", "description": ""}),
        ("kalo", "/account", {"display_name": "", "skills": ", ".join(f"s{n}" for n in range(40))}),
        ("kalo", "/account/password", {"current_password": "wrong", "password": "x"}),
        ("kalo", "/account/delete", {"password": "wrong"}),
        ("kalo", f"/report/idea/{ids['answered']}", {"reason": ""}),
        ("kalo", f"/help/{request}/offers/{offer}/messages", {"body": ""}),
        ("vesh", f"/ideas/{idea}/comments", {"comment": ""}),
        ("vesh", f"/help/{request}/comments", {"comment": ""}),
        ("vesh", f"/comments/{comment - 1}/edit", {"comment": ""}),
        ("zora", f"/help/{ids['open_request']}/offers", {"message": ""}),
        ("zora", f"/ideas/{idea}/status", {"status": "", "response": ""}),
        ("zora", "/admin/people", {"username": "nobody-here"}),
        ("zora", "/admin/settings", {"name": "", "contact_email": "nope", "pledge_days": "-1"}),
        ("zora", "/admin/topics", {"name": ""}),
    ]
    return ([(None, "GET", path, None) for path in visitor]
            + [(who, "GET", path, None) for who, path in signed_in]
            + [(who, "POST", path, data) for who, path, data in refused])


def leftovers(english: English, language: str, html: str) -> list[str]:
    page = readable(html, language)
    found = [] if page.html_lang in (None, language) else [f"<html lang={page.html_lang!r}>"]
    for text in dict.fromkeys(page.texts):
        found += [f"{english_text!r} in {text[:120]!r}" for english_text in english.in_text(text)]
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_on_any_page(app, language):
    ids = build_board(app, language)
    english = English(language)
    browsers = {}
    for who in (None, "kalo", "vesh", "zora", "moda"):
        browsers[who] = app.test_client()
        # The language is chosen with the switcher before signing in, as a person would.
        assert browsers[who].get(f"/language/{language}").status_code == 302
        if who:
            Auth(browsers[who]).login(who)

    problems = []
    for who, method, path, data in pages(ids):
        response = browsers[who].open(path, method=method, data=data)
        if response.status_code in (301, 302, 303):
            problems.append(f"{method} {path} as {who or 'a visitor'}: sent on to {response.location}")
            continue
        html = response.get_data(as_text=True)
        if response.mimetype == "text/html":
            assert re.search(rf'<html lang="{language}"', html), f"{path}: <html lang> is not {language}"
        for problem in leftovers(english, language, html):
            problems.append(f"{method} {path} as {who or 'a visitor'} ({response.status_code}): {problem}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_on_the_pages_for_too_much_and_too_often(database_url, language):
    """413 and 429 need the board's limits on: a board of its own on the same database."""
    strict = make_test_app(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per hour",
                           MAX_CONTENT_LENGTH=2000)
    english = English(language)
    browser = strict.test_client()
    browser.get(f"/language/{language}")
    too_big = browser.post("/login", data={"login": "x" * 5000, "password": "x"})
    assert too_big.status_code == 413
    browser.post("/login", data={"login": "x", "password": "x"})
    too_often = browser.post("/login", data={"login": "x", "password": "x"})
    assert too_often.status_code == 429
    for response in (too_big, too_often):
        html = response.get_data(as_text=True)
        assert re.search(rf'<html lang="{language}"', html)
        assert leftovers(english, language, html) == []
    with strict.app_context():
        db.engine.dispose()


def test_a_text_left_untranslated_is_found(database_url, tmp_path):
    """The check itself: French catalogues from which one translation was taken out make a
    page that the check reports, naming the page's English; the real ones do not."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po", "rb") as f:
        french = read_po(f)
    french["Page not found"].string = ""  # as if nobody had translated it yet
    copy = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    with open(copy / "messages.mo", "wb") as f:
        write_mo(f, french)
    english = English("fr")
    for directory, expected in [(str(tmp_path / "translations"), True), (str(TRANSLATIONS), False)]:
        board = make_test_app(database_url, BABEL_TRANSLATION_DIRECTORIES=directory)
        # Flask-Babel keeps each catalogue it loaded for the whole process: forget them, so
        # that this board reads the catalogues it was given.
        with board.app_context():
            loaded = board.extensions["babel"].instance.domain_instance.cache
        loaded.clear()
        try:
            browser = board.test_client()
            browser.get("/language/fr")
            page = browser.get("/ideas/999999").get_data(as_text=True)
        finally:
            loaded.clear()
            with board.app_context():
                db.engine.dispose()
        found = [f for f in leftovers(english, "fr", page) if "'Page not found'" in f]
        assert bool(found) is expected, found
