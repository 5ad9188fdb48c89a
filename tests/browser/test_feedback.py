"""A visitor rates an answer in the widget on the demo site, and the operator sees it: the thumbs through the real
stack (Caddy, the chat and admin functions, Postgres), in Debian's Chromium driven by Playwright."""

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from infra.local.harness import LocalRunner
from tests.browser.conftest import ARTIFACTS

WIDGET = "#tinyeclipse-widget"
QUESTION = "How long does a .com domain transfer take?"


@pytest.fixture(scope="module")
def admin(stack: LocalRunner) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def demo(admin: httpx.Client) -> str:
    """The seeded demo tenant (the demo site's widget), once its knowledge is indexed."""
    tenant_id = next(t["id"] for t in admin.get("/api/admin/tenants").json()["items"] if t["whmcs_client_id"] == 1000)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        items = admin.get("/api/admin/sources", params={"tenant_id": tenant_id}).json()["items"]
        if items and all(source["status"] == "indexed" for source in items):
            return tenant_id
        time.sleep(0.5)
    pytest.fail("the demo knowledge was not indexed in time")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _feedback_in_admin(admin: httpx.Client, page: Page, tenant_id: str, message_id: str) -> str | None:
    """What the admin API says the visitor gave this answer (the conversation id is the widget's own)."""
    state = page.evaluate(f"JSON.parse(localStorage.getItem('tinyeclipse:{tenant_id}'))")
    conversation = admin.get(f"/api/admin/conversations/{state['conversation']}").json()
    return next(m["feedback"] for m in conversation["messages"] if m["id"] == message_id)


def _wait_for_feedback(admin: httpx.Client, page: Page, tenant_id: str, message_id: str, expected: str | None) -> None:
    deadline = time.monotonic() + 10
    while _feedback_in_admin(admin, page, tenant_id, message_id) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _feedback_in_admin(admin, page, tenant_id, message_id) == expected


def _pressed(up: Locator, down: Locator, up_pressed: bool, down_pressed: bool) -> None:
    expect(up).to_have_attribute("aria-pressed", str(up_pressed).lower())
    expect(down).to_have_attribute("aria-pressed", str(down_pressed).lower())


def test_a_visitor_rates_a_demo_answer_and_the_operator_sees_it(
    page: Page, browser: Browser, stack: LocalRunner, admin: httpx.Client, demo: str
) -> None:
    page.goto(f"{stack.demo_origin}/")
    page.locator(f"{WIDGET} .te-launcher").click()
    page.locator(f"{WIDGET} .te-accept").click()
    page.locator(f"{WIDGET} .te-input").fill(QUESTION)
    page.locator(f"{WIDGET} .te-send").click()
    answer = page.locator(f"{WIDGET} .te-message.te-bot").last
    expect(answer).to_contain_text("five days", timeout=30_000)
    message_id = answer.get_attribute("data-message-id")
    assert message_id

    # Numbered sources, and the answer's marker shows its source (the demo's sources have no URL: a button).
    sources = answer.locator(".te-sources ol > li")
    expect(sources.first).to_contain_text("Domains and DNS")
    marker = answer.locator(".te-bubble sup .te-cite").first
    expect(marker).to_have_text("1")
    expect(marker).to_have_attribute("aria-label", "Source 1")
    marker.click()
    expect(sources.first).to_be_focused()

    up, down = answer.locator(".te-rate button.te-up"), answer.locator(".te-rate button.te-down")
    expect(up).to_have_attribute("aria-label", "Helpful")
    expect(down).to_have_attribute("aria-label", "Not helpful")
    _pressed(up, down, False, False)

    down.click()
    _pressed(up, down, False, True)
    _wait_for_feedback(admin, page, demo, message_id, "down")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-feedback.png"))

    # The vote is still shown after a reload.
    page.reload()
    page.locator(f"{WIDGET} .te-launcher").click()
    answer = page.locator(f"{WIDGET} .te-message.te-bot").last
    up, down = answer.locator(".te-rate button.te-up"), answer.locator(".te-rate button.te-down")
    _pressed(up, down, False, True)

    # By keyboard: Enter on the other thumb changes the vote, Space on the pressed one clears it.
    up.focus()
    page.keyboard.press("Enter")
    _pressed(up, down, True, False)
    _wait_for_feedback(admin, page, demo, message_id, "up")
    page.keyboard.press("Space")
    _pressed(up, down, False, False)
    _wait_for_feedback(admin, page, demo, message_id, None)

    # Down again, then the operator's conversation view shows the visitor's thumb on that answer.
    down.click()
    _wait_for_feedback(admin, page, demo, message_id, "down")
    conversation_id = page.evaluate(f"JSON.parse(localStorage.getItem('tinyeclipse:{demo}')).conversation")
    operator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    operator.goto(f"{stack.base}/admin/")
    operator.get_by_test_id("signin-key").fill(stack.admin_key)
    operator.get_by_test_id("signin-submit").click()
    expect(operator.get_by_test_id("tenant-row").first).to_be_visible(timeout=20_000)
    operator.goto(f"{stack.base}/admin/conversations/view/?id={conversation_id}")
    rated = operator.locator(f'[data-testid="message"][data-message-id="{message_id}"]')
    expect(rated.get_by_test_id("message-feedback")).to_have_attribute("data-feedback", "down")
    expect(rated.get_by_test_id("message-confidence-parts")).to_contain_text("retrieval")
    operator.screenshot(path=str(ARTIFACTS / "admin-conversation-feedback.png"), full_page=True)
    operator.context.close()


def test_small_talk_gets_no_thumbs(page: Page, stack: LocalRunner, demo: str) -> None:
    page.goto(f"{stack.demo_origin}/")
    page.locator(f"{WIDGET} .te-launcher").click()
    page.locator(f"{WIDGET} .te-accept").click()
    page.locator(f"{WIDGET} .te-input").fill("hi")
    page.locator(f"{WIDGET} .te-send").click()
    answer = page.locator(f"{WIDGET} .te-message.te-bot[data-message-id]").last
    expect(answer).to_be_visible(timeout=30_000)
    expect(answer.locator(".te-rate")).to_have_count(0)
    expect(answer.locator(".te-note-escalated")).to_have_count(0)
