"""Everything can be done with the keyboard alone, and you can always see where you are."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e_helpers import PASSWORD, unique_name

MAX_TABS = 120


def tab_to(page, locator) -> None:
    """Press Tab until `locator` has the focus, checking that every stop shows where it is."""
    # A form that was just sent loads a new page: its text can be read before its stylesheet
    # has arrived, and focus drawn then would be the browser's own, not the board's.
    page.wait_for_load_state("load")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        assert_focus_is_visible(page)
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def assert_focus_is_visible(page) -> None:
    """The focused element draws a focus indicator: a visible outline or a box shadow."""
    page.wait_for_load_state("load")  # judged with the stylesheet, as axe is (e2e_helpers)
    style = page.evaluate(
        """() => {
            const element = document.activeElement;
            if (!element || element === document.body) return null;
            const s = getComputedStyle(element);
            return {tag: element.tagName, text: (element.textContent || element.name || '').trim().slice(0, 40),
                    outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
                    outlineColor: s.outlineColor, shadow: s.boxShadow};
        }"""
    )
    if style is None:
        return
    outline = (style["outline"] != "none" and style["outlineWidth"] >= 2
               and style["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)"))
    assert outline or style["shadow"] != "none", f"no visible focus on {style}"


def type_into(page, label: str, text: str, role: str = "textbox") -> None:
    tab_to(page, page.get_by_role(role, name=label, exact=True))
    page.keyboard.type(text)


def test_the_skip_link_is_the_first_stop_and_jumps_to_the_content(page):
    page.goto("/ideas")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab continues from the content, not from the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def register_by_keyboard(page) -> str:
    page.goto("/")
    tab_to(page, page.get_by_role("link", name="Register"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/register")
    username = unique_name("kb")
    type_into(page, "Username", username)
    type_into(page, "Email address", f"{username}@example.org")
    type_into(page, "Password", PASSWORD)
    type_into(page, "Confirm password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard")
    return username


def test_the_whole_journey_can_be_done_with_the_keyboard_alone(new_page):
    author = new_page()
    register_by_keyboard(author)

    # Post an idea.
    tab_to(author, author.get_by_role("link", name="Post an idea"))
    author.keyboard.press("Enter")
    author.wait_for_url("**/ideas/new")
    title = f"Street orchard {unique_name('')}"
    type_into(author, "Title", title)
    type_into(author, "Description", "Plant **fruit trees** on the verge.")
    tab_to(author, author.get_by_role("button", name="Post idea"))
    author.keyboard.press("Space")
    # The demo board has ideas about its streets: they are shown, and posting goes on.
    expect(author.get_by_role("heading", name="Ideas like yours are already on the board")).to_be_visible()
    tab_to(author, author.get_by_role("button", name="Post mine anyway"))
    author.keyboard.press("Space")
    author.wait_for_url(re.compile(r"/ideas/\d+$"))
    idea_url = author.url
    expect(author.get_by_role("heading", level=1)).to_have_text(title)

    # A neighbour supports it and comments.
    neighbour = new_page()
    register_by_keyboard(neighbour)
    neighbour.goto(idea_url)
    tab_to(neighbour, neighbour.get_by_role("button", name="Support this idea"))
    neighbour.keyboard.press("Space")
    expect(neighbour.locator(".big-number__value")).to_have_text("1")
    type_into(neighbour, "Comment", "I can bring a spade.")
    tab_to(neighbour, neighbour.get_by_role("button", name="Post comment"))
    neighbour.keyboard.press("Enter")
    expect(neighbour.locator(".comment").last).to_contain_text("I can bring a spade.")

    # The author asks for help.
    author.reload()
    tab_to(author, author.get_by_role("link", name="Ask for help with this idea"))
    author.keyboard.press("Enter")
    author.wait_for_url("**/help/new?idea=*")
    type_into(author, "Title", "Help digging on Sunday")
    type_into(author, "Details", "Twelve holes, two hours.")
    type_into(author, "Skills or resources needed", "digging, spades")
    tab_to(author, author.get_by_role("button", name="Ask for help"))
    author.keyboard.press("Enter")
    author.wait_for_url(re.compile(r"/help/\d+$"))
    request_url = author.url

    # A helper offers.
    helper = new_page()
    register_by_keyboard(helper)
    helper.goto(request_url)
    type_into(helper, "Message", "I have a spade and Sunday free.")
    tab_to(helper, helper.get_by_role("button", name="Offer help"))
    helper.keyboard.press("Enter")
    expect(helper.get_by_text("Waiting for an answer").first).to_be_visible()

    # The author accepts.
    author.reload()
    tab_to(author, author.get_by_role("button", name=re.compile(r"^Accept ")))
    author.keyboard.press("Space")
    expect(author.get_by_text("Matched").first).to_be_visible()
    helper.goto("/dashboard")
    expect(helper.get_by_role("region", name="Help you offered")).to_contain_text("Accepted")


def test_error_summary_links_take_the_keyboard_to_the_field(page):
    page.goto("/login")
    tab_to(page, page.get_by_role("button", name="Sign in"))
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Username or email address")).to_be_focused()
