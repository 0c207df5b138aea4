"""Every kind of page passes axe-core's WCAG 2.2 A and AA checks and fits a 320 px screen,
in each of the board's languages: English, French and Welsh.

The board is the demo board (see conftest). The language is chosen as a person chooses
it, with the switcher's link, which also keeps a signed-in person's choice in their
account. Screenshots of each page at desktop and phone widths are saved under
test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from e2e_helpers import PHONE, assert_accessible, screenshot

# (name for the screenshot, who is signed in, address, what to do on the page first)
PAGES = [
    ("home", None, "/", None),
    ("ideas", None, "/ideas", None),
    ("ideas-popular-page-1", None, "/ideas?sort=popular", None),
    ("idea", None, "/ideas/1", None),
    ("help", None, "/help", None),
    ("help-open", None, "/help?status=open", None),
    ("help-request", None, "/help/1", None),
    ("profile", None, "/users/amina", None),
    ("login", None, "/login", None),
    ("login-with-errors", None, "/login", "submit"),
    ("register", None, "/register", None),
    ("register-with-errors", None, "/register", "submit"),
    ("not-found", None, "/ideas/999999", None),
    ("dashboard", "tom_h", "/dashboard", None),
    ("account", "tom_h", "/account", None),
    ("account-with-errors", "tom_h", "/account", "too-many-skills"),
    ("new-idea", "tom_h", "/ideas/new", None),
    ("new-idea-with-errors", "tom_h", "/ideas/new", "submit"),
    ("edit-idea", "tom_h", "/ideas/6/edit", None),
    ("delete-idea", "tom_h", "/ideas/6/delete", None),
    ("new-help-request", "tom_h", "/help/new", None),
    ("new-help-request-with-errors", "tom_h", "/help/new", "submit"),
    ("help-request-with-offers", "tom_h", "/help/7", None),
    ("help-request-offer-form", "priya", "/help/7", None),
    ("help-request-offer-with-errors", "priya", "/help/7", "offer-empty"),
    ("idea-signed-in", "priya", "/ideas/1", None),
    ("idea-comment-with-errors", "priya", "/ideas/1", "comment-empty"),
    ("edit-comment", "tom_h", "/comments/1/edit", None),
    ("forbidden", "tom_h", "/ideas/1/edit", None),
    ("ideas-filtered", None, "/ideas?topic=environment&sort=trending", None),
    ("help-by-skill", None, "/help?skill=van", None),
    ("skill", None, "/skills/carpentry", None),
    ("search", None, "/search?q=garden", None),
    ("search-nothing", None, "/search?q=%22%2A%22", None),
    ("code-of-conduct", None, "/code-of-conduct", None),
    ("report", "tom_h", "/report/idea/2", None),
    ("report-with-errors", "tom_h", "/report/idea/2", "submit"),
    ("idea-staff-view", "council_team", "/ideas/1", None),
    ("moderation-queue", "ruth", "/moderation", None),
    ("moderation-target", "ruth", "/moderation/comment/1", None),
    ("moderation-log", "ruth", "/moderation/log", None),
    ("admin-people", "council_team", "/admin/people", None),
    ("admin-topics", "council_team", "/admin/topics", None),
    ("admin-settings", "council_team", "/admin/settings", None),
    ("admin-invites", "council_team", "/admin/invites", None),
    ("notifications", "amina", "/notifications", None),
    ("email-choices", "amina", "/account/notifications", None),
    ("messages", "amina", "/help/1/offers/1/messages", None),
    ("messages-with-errors", "amina", "/help/1/offers/1/messages", "submit"),
    ("help-request-people-who-could-help", "grace", "/help/5", None),
    ("help-by-kind", None, "/help?kind=time", None),
    ("forgot-password", None, "/password/forgot", None),
    ("privacy", None, "/privacy", None),
    ("open-data", None, "/data", None),
    ("stats", None, "/stats", None),
    ("stats-filtered", None, "/stats?topic=environment", None),
    ("ideas-overdue", None, "/ideas?clock=overdue", None),
    ("ideas-waiting-longest", None, "/ideas?sort=waiting", None),
    ("awaiting-an-answer", "ruth", "/admin/answers", None),
    ("delete-account", "sam", "/account/delete", None),
    ("delete-account-with-errors", "sam", "/account/delete", "submit"),
    # Photos: an idea showing one, the form's photo fields (with a photo there to remove,
    # and with a file refused), and a moderator looking at one.
    ("idea-with-photo", None, "/ideas/2", None),
    ("edit-idea-with-photo", "tom_h", "/ideas/6/edit", None),
    ("new-idea-photo-refused", "tom_h", "/ideas/new", "photo-refused"),
    ("moderation-photo", "ruth", "/moderation/photo/1", None),
    ("new-idea-similar-ideas", "grace", "/ideas/new", "similar"),
    ("idea-joined-as-posted", None, "/ideas/7?stay=1", None),
    ("idea-with-a-joined-idea", "tom_h", "/ideas/6", None),
    ("idea-duplicate-with-errors", "tom_h", "/ideas/6", "duplicate-empty"),
]


# English last, so that the demo people's accounts are left in English for the other tests.
LANGUAGES = ("fr", "cy", "en")
PEOPLE = sorted({who for _, who, _, _ in PAGES if who})


def open_page(new_page, who, path, action, language="en"):
    page = new_page(as_person=who)
    # The switcher's link, as a person would follow it: it sets the language cookie, and
    # keeps a signed-in person's choice in their account, then goes on to the page.
    page.goto(f"/language/{language}?next={quote(path, safe='/')}")
    assert page.locator("html").get_attribute("lang") == language
    # The forms are found by where they send, not by their words, which change with the language.
    if action == "submit":
        page.locator("main form[novalidate] button[type=submit]").first.click()
    elif action == "too-many-skills":
        page.locator("main [name=skills]").fill(", ".join(f"skill {n}" for n in range(30)))
        page.locator("main form[novalidate] button[type=submit]").first.click()
    elif action == "offer-empty":
        page.locator("main form[action$='/offers'] button[type=submit]").click()
    elif action == "comment-empty":
        page.locator("main form[action$='/comments'] button[type=submit]").click()
    elif action == "photo-refused":
        page.locator("main [name=title]").fill("Planters on the bridge")
        page.locator("main [name=description]").fill("Two planters, one at each end.")
        page.locator("main [name=photo_1]").set_input_files(
            files=[{"name": "bridge.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"}])
        page.locator("main [name=photo_1_description]").fill("The bridge in spring")
        page.locator("main form[novalidate] button[type=submit]").first.click()
    elif action == "duplicate-empty":
        page.locator("main form[action$='/duplicate'] button[type=submit]").click()
    elif action == "similar":
        page.locator("main [name=title]").fill("Benches by the canal")
        page.locator("main [name=description]").fill("Somewhere to rest on the walk to the lock.")
        page.locator("main form[novalidate] button[type=submit]").last.click()
        # A click waits for the next page to start loading, not for it to be drawn.
        expect(page.locator("#similar"), "the ideas like it were expected first").to_be_visible()
        return page
    if action:
        expect(page.get_by_role("alert"), "the form was expected to show its errors").to_be_visible()
    return page


@pytest.fixture(scope="module", autouse=True)
def people_left_in_english(browser, base_url, signed_in_states):
    """The demo people end these tests with their accounts in English, whichever ran last."""
    yield
    for person in PEOPLE:
        context = browser.new_context(base_url=base_url, storage_state=signed_in_states(person))
        context.new_page().goto("/language/en")
        context.close()


@pytest.mark.parametrize(
    "language, name, who, path, action",
    [(language, *page) for language in LANGUAGES for page in PAGES],
    ids=[f"{language}-{page[0]}" for language in LANGUAGES for page in PAGES],
)
def test_every_page_passes_wcag_checks_and_fits_a_320_pixel_screen(new_page, language, name, who, path, action):
    page = open_page(new_page, who, path, action, language)
    if language != "en":
        name = f"{name}-{language}"
    assert_accessible(page)
    screenshot(page, name)

    # The same page on a small phone: nothing scrolls sideways, and it is still accessible.
    page.set_viewport_size(PHONE)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths[0]} px wide in {widths[1]} px"
    assert_accessible(page)
    screenshot(page, name)


def test_a_very_long_name_does_not_push_pages_sideways(new_page):
    from e2e_helpers import register

    page = new_page(viewport=PHONE)
    username = register(page)
    page.goto("/account")
    page.get_by_label("Display name").fill("W" * 80)
    page.get_by_role("button", name="Save changes").click()
    for path in ("/dashboard", f"/users/{username}"):
        page.goto(path)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{path}: {widths}"
