"""The hand-off to a person in a real browser, through the real stack (issue 14): a visitor asks for a person, the
widget says the team was told and asks for an email outside office hours; the operator finds the conversation at the
top of the inbox with the visitor's question, takes it and replies; the visitor sees the reply and writes back while
the bot stays silent; the operator hands back and the bot answers the next question. Screenshots in test-artifacts/.
"""

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.harness import LocalRunner
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_widget import page_html
from tests.webserver import WebServer

WIDGET = "#tinyeclipse-widget"
QUESTION = "Can I talk to a real person please?"


@pytest.fixture(scope="module")
def shop(stack: LocalRunner) -> str:
    """A tenant that is never in the office (no open day), with an expected reply time and one FAQ."""
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, headers=headers, timeout=30) as admin:
        response = admin.post(
            "/api/admin/tenants",
            json={
                "name": "Bike Shop",
                "whmcs_client_id": 7100,
                "settings": {
                    "office_hours": {"timezone": "Europe/Amsterdam", "days": {}},
                    "expected_reply": "within one working day",
                    "refuse_threshold": 0.0,
                },
            },
        )
        assert response.status_code == 201, response.text
        tenant = response.json()["id"]
        faq = {
            "tenant_id": tenant,
            "type": "faq",
            "title": "Workshop",
            "content": [
                {
                    "question": "Do you repair electric bikes?",
                    "answer": "Yes, we repair e-bikes of all brands within three working days.",
                },
                {
                    "question": "When is the workshop open?",
                    "answer": "The workshop is open from Tuesday to Saturday, 9:00 to 18:00.",
                },
            ],
        }
        assert admin.post("/api/admin/sources", json=faq).status_code in (201, 202)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            items = admin.get("/api/admin/sources", params={"tenant_id": tenant}).json()["items"]
            if items and all(source["status"] == "indexed" for source in items):
                return tenant
            time.sleep(0.5)
    pytest.fail("the tenant's knowledge was not indexed in time")


@pytest.fixture
def operator(browser: Browser, stack: LocalRunner) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{stack.base}/admin/")
    page.get_by_test_id("signin-key").fill(stack.admin_key)
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("tenant-row").first).to_be_visible(timeout=20_000)
    yield page
    context.close()


@pytest.fixture
def visitor(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def _ask(page: Page, text: str) -> None:
    page.locator(f"{WIDGET} .te-input").fill(text)
    page.locator(f"{WIDGET} .te-send").click()
    expect(page.locator(f"{WIDGET} .te-typing")).to_have_count(0, timeout=30_000)


def _shot(page: Page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_a_visitor_reaches_a_person_and_back_to_the_bot(
    visitor: Page, operator: Page, stack: LocalRunner, shop: str
) -> None:
    panel = visitor.locator(f"{WIDGET} .te-panel")
    status = visitor.locator(f"{WIDGET} .te-handoff .te-status")
    talk = visitor.locator(f"{WIDGET} .te-talk")
    bot_turns = visitor.locator(f"{WIDGET} .te-message.te-bot")

    with WebServer() as site:
        # The query string stays in the visitor's browser: only origin and path reach the operator.
        site.route("/bikes/e-bikes", page_html(stack, shop))
        visitor.goto(site.url("/bikes/e-bikes?coupon=SECRET#top"))
        visitor.locator(f"{WIDGET} .te-launcher").click()
        visitor.locator(f"{WIDGET} .te-accept").click()
        expect(talk).to_be_hidden()  # nothing answered yet

        _ask(visitor, "Do you repair electric bikes?")
        expect(bot_turns.last).to_contain_text("three working days")
        expect(talk).to_be_visible()  # after the first bot answer

        # A request for a person: the team is told, and outside office hours the widget asks for an email.
        _ask(visitor, QUESTION)
        expect(panel).to_have_attribute("data-handled-by", "waiting")
        expect(status).to_contain_text("We've let the team know.")
        expect(status).to_contain_text("away right now")
        expect(status).to_contain_text("Expected reply: within one working day")
        expect(talk).to_be_hidden()
        email_form = visitor.locator(f"{WIDGET} form.te-email")
        expect(email_form).to_be_visible(timeout=10_000)
        expect(email_form.locator(".te-email-why")).to_contain_text("reply even after you close this page")
        email_form.locator(".te-email-input").fill("ann@example")
        email_form.locator(".te-email-send").click()
        expect(email_form.locator(".te-email-error")).to_contain_text("valid email")
        _shot(visitor, "handoff-widget-email")
        email_form.locator(".te-email-input").fill("ann@example.com")
        email_form.locator(".te-email-send").click()
        expect(email_form).to_be_hidden()
        expect(status).to_contain_text("We'll also reply by email.")
        _shot(visitor, "handoff-widget-waiting")

        # The operator: the conversation is at the top of the inbox with the visitor's question.
        operator.get_by_test_id("nav-inbox").click()
        row = operator.get_by_test_id("conversation-row").first
        expect(row).to_have_attribute("data-state", "waiting", timeout=20_000)
        expect(row.get_by_test_id("conversation-last-visitor-message")).to_have_text(QUESTION)
        expect(row.get_by_test_id("conversation-email")).to_have_text("ann@example.com")
        expect(row.get_by_test_id("conversation-page")).to_have_text(f"{site.url('/bikes/e-bikes')[7:]}")
        expect(row.get_by_test_id("conversation-waiting")).to_contain_text("min")
        _shot(operator, "handoff-inbox", full_page=True)

        # Search finds it by the visitor's words; the state filter keeps it.
        operator.get_by_test_id("conversation-search").fill("electric")
        expect(operator.get_by_test_id("conversation-row")).to_have_count(1, timeout=10_000)
        operator.get_by_test_id("conversation-filter-state").select_option("human")
        expect(operator.get_by_test_id("empty-state")).to_be_visible(timeout=10_000)
        operator.get_by_test_id("conversation-filter-state").select_option("waiting")
        row = operator.get_by_test_id("conversation-row").first
        expect(row).to_have_attribute("data-state", "waiting", timeout=10_000)

        # Take over, reply.
        row.click()
        expect(operator.get_by_test_id("conversation-state").first).to_have_attribute("data-state", "waiting")
        operator.get_by_test_id("conversation-take").click()
        expect(operator.get_by_test_id("conversation-state").first).to_have_attribute("data-state", "human")
        operator.get_by_test_id("reply-input").fill("Hi, this is Sam from the workshop. Shall I book your e-bike in?")
        operator.get_by_test_id("reply-send").click()
        expect(operator.locator('[data-testid="message"][data-role="operator"]')).to_contain_text("Sam")

        # The visitor sees the reply and who answers, and writes back: the bot stays silent.
        expect(visitor.locator(f"{WIDGET} .te-message.te-operator")).to_contain_text("book your e-bike", timeout=20_000)
        expect(panel).to_have_attribute("data-handled-by", "human")
        expect(status).to_have_text("You're talking to the Bike Shop team. We'll also reply by email.")
        answers_before = bot_turns.count()
        _ask(visitor, "Yes please, Tuesday morning works for me")
        visitor.wait_for_timeout(1500)
        expect(bot_turns).to_have_count(answers_before)
        _shot(visitor, "handoff-widget-human")
        visitor_reply = operator.locator('[data-testid="message"][data-role="user"]').filter(has_text="Tuesday morning")
        expect(visitor_reply).to_be_visible(timeout=20_000)
        expect(operator.locator('[data-testid="message"][data-role="assistant"]').last).not_to_contain_text("Tuesday")

        # Hand back: the bot answers the next question.
        operator.get_by_test_id("conversation-hand-back").click()
        expect(operator.get_by_test_id("conversation-state").first).to_have_attribute("data-state", "bot")
        transitions = operator.get_by_test_id("transition")
        expect(transitions).to_have_count(3)
        expect(transitions.nth(0)).to_have_attribute("data-to", "waiting")
        expect(transitions.nth(1)).to_have_attribute("data-to", "human")
        expect(transitions.nth(2)).to_have_attribute("data-to", "bot")
        _shot(operator, "handoff-conversation", full_page=True)

        expect(panel).to_have_attribute("data-handled-by", "bot", timeout=20_000)
        expect(status).to_be_hidden()
        expect(talk).to_be_visible()
        _ask(visitor, "When is the workshop open?")
        expect(bot_turns.last).to_contain_text("Tuesday to Saturday")
        _shot(visitor, "handoff-widget-back-to-bot")


def test_the_talk_to_a_person_button_hands_over(visitor: Page, stack: LocalRunner, shop: str) -> None:
    panel = visitor.locator(f"{WIDGET} .te-panel")
    with WebServer() as site:
        site.route("/", page_html(stack, shop))
        visitor.goto(site.url("/"))
        visitor.locator(f"{WIDGET} .te-launcher").click()
        visitor.locator(f"{WIDGET} .te-accept").click()
        _ask(visitor, "When is the workshop open?")
        visitor.locator(f"{WIDGET} .te-talk").click()
        expect(panel).to_have_attribute("data-handled-by", "waiting")
        expect(visitor.locator(f"{WIDGET} .te-status")).to_contain_text("We've let the team know.")
        expect(visitor.locator(f"{WIDGET} .te-talk")).to_be_hidden()
        # The email is optional: "No thanks" hides the form for this conversation, also after a reload.
        visitor.locator(f"{WIDGET} .te-email-skip").click()
        expect(visitor.locator(f"{WIDGET} form.te-email")).to_be_hidden()
        visitor.reload()
        visitor.locator(f"{WIDGET} .te-launcher").click()
        expect(panel).to_have_attribute("data-handled-by", "waiting")
        expect(visitor.locator(f"{WIDGET} form.te-email")).to_be_hidden()
        # While waiting the bot stays silent.
        answers = visitor.locator(f"{WIDGET} .te-message.te-bot")
        before = answers.count()
        _ask(visitor, "Do you repair electric bikes?")
        visitor.wait_for_timeout(1000)
        expect(answers).to_have_count(before)
        expect(visitor.locator(f"{WIDGET} .te-message.te-user").last).to_have_text("Do you repair electric bikes?")
