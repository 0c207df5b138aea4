"""The board's main journeys, as people do them in a real browser, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e_helpers import PASSWORD, register, screenshot, sign_in, unique_name

# The journeys run on both engines the board runs on (the other browser checks on SQLite).
pytestmark = pytest.mark.parametrize("base_url", ["sqlite", "postgresql"], indirect=True)


def post_idea(page, title: str, description: str) -> str:
    page.get_by_role("link", name="Post an idea").first.click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description", exact=True).fill(description)
    with page.expect_navigation():
        page.get_by_role("button", name="Post idea").click()
    # The demo board may have ideas like it: they are shown first, and posting goes on.
    if page.url.endswith("/ideas/new"):
        expect(page.get_by_label("Title")).to_have_value(title)
        page.get_by_role("button", name="Post mine anyway").click()
    page.wait_for_url(re.compile(r"/ideas/\d+$"))
    return page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_newcomer_registers_posts_an_idea_and_finds_it_on_the_home_page(new_page, javascript):
    page = new_page(javascript=javascript)
    register(page)
    title = f"Tool library {unique_name('')}"
    post_idea(page, title, "Lend **drills** and ladders.\n\n- Saturdays\n- Free")

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".prose strong")).to_have_text("drills")
    expect(page.locator(".prose li")).to_have_count(2)
    expect(page.get_by_text("Your idea is on the board.")).to_be_visible()

    page.get_by_role("link", name="Simpl", exact=True).click()
    newest = page.get_by_role("region", name="Newest ideas")
    expect(newest.get_by_role("link", name=title)).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_idea_is_posted_with_a_photo_that_everyone_then_sees(new_page, javascript):
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (1200, 900), "seagreen").save(picture, "JPEG")
    page = new_page(javascript=javascript)
    register(page)
    page.get_by_role("link", name="Post an idea").first.click()
    page.get_by_label("Title").fill(f"A pond in the park {unique_name('')}")
    page.get_by_label("Description", exact=True).fill("Dig a small pond for frogs.")
    page.get_by_label("Photo 1", exact=True).set_input_files(
        files=[{"name": "pond.jpg", "mimeType": "image/jpeg", "buffer": picture.getvalue()}])
    page.get_by_label("Description of photo 1").fill("The dip by the oak where the pond would go")
    page.get_by_role("button", name="Post idea").click()
    page.wait_for_url(re.compile(r"/ideas/\d+$"))

    visitor = new_page(javascript=javascript)
    visitor.goto(page.url)
    photo = visitor.get_by_role("img", name="The dip by the oak where the pond would go")
    expect(photo).to_be_visible()
    visitor.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=photo.element_handle())
    assert photo.evaluate("image => image.naturalWidth") == 800  # the medium size, served


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_neighbour_supports_and_comments_on_an_idea(new_page, javascript):
    author = new_page(javascript=javascript)
    register(author)
    title = f"Benches by the canal {unique_name('')}"
    idea_url = post_idea(author, title, "Three benches from reclaimed timber.")

    neighbour = new_page(javascript=javascript)
    neighbour_name = register(neighbour)
    neighbour.goto(idea_url)
    neighbour.get_by_role("button", name="Support this idea").click()
    expect(neighbour.get_by_text("You support this idea.").first).to_be_visible()
    expect(neighbour.locator(".big-number__value")).to_have_text("1")

    neighbour.get_by_role("textbox", name="Comment").fill("My gran would _love_ this.")
    neighbour.get_by_role("button", name="Post comment").click()
    expect(neighbour.locator(".comment em")).to_have_text("love")
    expect(neighbour.get_by_role("heading", name="Comments (1)")).to_be_visible()

    # The author sees it on the idea and on their dashboard.
    author.goto(idea_url)
    expect(author.locator(".big-number__value")).to_have_text("1")
    author.get_by_role("link", name="Dashboard").click()
    expect(author.get_by_text(f"commented on “{title}”")).to_be_visible()
    assert neighbour_name


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_asking_for_help_offering_it_and_accepting_it(new_page, javascript):
    author = new_page(javascript=javascript)
    author_name = register(author)
    title = f"Repair café {unique_name('')}"
    idea_url = post_idea(author, title, "Fix things instead of binning them.")

    author.get_by_role("link", name="Ask for help with this idea").click()
    author.get_by_label("Title").fill("Someone handy with electronics")
    author.get_by_label("Details").fill("Saturday mornings at St Luke's hall.")
    author.get_by_label("Skills or resources needed").fill("Electronics repair, soldering")
    expect(author.get_by_label("Linked idea (optional)")).to_have_value(idea_url.rsplit("/", 1)[1])
    author.get_by_role("button", name="Ask for help").click()
    author.wait_for_url(re.compile(r"/help/\d+$"))
    request_url = author.url
    expect(author.locator(".skill")).to_have_text(["electronics repair", "soldering"])

    helper = new_page(javascript=javascript)
    helper_name = register(helper)
    helper.goto(request_url)
    helper.get_by_label("Message").fill("I fix radios for fun. Saturdays suit me.")
    helper.get_by_role("button", name="Offer help").click()
    expect(helper.get_by_text("Waiting for an answer").first).to_be_visible()

    author.get_by_role("link", name="Dashboard").click()
    expect(author.get_by_role("region", name="What needs you")).to_contain_text("offered to help with")
    author.goto(request_url)
    author.get_by_role("button", name=re.compile(r"^Accept .*’s offer$")).click()
    expect(author.get_by_text("Matched").first).to_be_visible()

    # Everyone sees the result on their own pages.
    helper.get_by_role("link", name="Dashboard").click()
    help_you_offered = helper.get_by_role("region", name="Help you offered")
    expect(help_you_offered).to_contain_text("Someone handy with electronics")
    expect(help_you_offered).to_contain_text("Accepted")
    helper.goto(idea_url)
    expect(helper.get_by_role("complementary").get_by_role("link", name=helper_name)).to_be_visible()
    helper.goto(f"/users/{helper_name}")
    expect(helper.get_by_role("region", name="Offers of help")).to_contain_text("Accepted")
    author.goto(f"/users/{author_name}")
    expect(author.get_by_role("region", name="Help requests")).to_contain_text("Matched")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_form_with_mistakes_shows_what_is_wrong_and_keeps_what_was_typed(new_page, javascript):
    page = new_page(javascript=javascript)
    page.goto("/register")
    page.get_by_label("Username").fill("ok_name")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill("something else")
    page.get_by_role("button", name="Create account").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page).to_have_title(re.compile(r"^Error: "))
    # Focus moves to the summary (by script where it runs, by autofocus where it does not).
    expect(summary).to_be_focused()
    expect(page.get_by_label("Username")).to_have_value("ok_name")
    expect(page.get_by_label("Email address")).to_have_value("not-an-email")
    expect(page.locator("#email-error")).to_contain_text("right format")
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")

    summary.get_by_role("link", name=re.compile("right format")).click()
    expect(page.get_by_label("Email address")).to_be_focused()
    screenshot(page, "register-with-errors")


def test_signing_out_and_in_again(new_page):
    page = new_page()
    name = register(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    sign_in(page, name)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
