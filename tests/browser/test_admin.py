"""The operator's admin panel in a real browser, with the widget on a client's site, through the real stack:
sign in, create a tenant, teach it an FAQ, embed it, a visitor's escalated question lands in the inbox, the
operator's reply reaches the visitor, usage is charted."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.harness import LocalRunner
from tests.browser.conftest import ARTIFACTS
from tests.webserver import WebServer

WIDGET = "#tinyeclipse-widget"


@pytest.fixture
def operator(browser: Browser, stack: LocalRunner) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{stack.base}/admin/")
    page.get_by_test_id("signin-key").fill(stack.admin_key)
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("tenant-row").first).to_be_visible(timeout=20_000)
    yield page
    context.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def test_a_wrong_key_is_refused_with_a_clear_message(browser: Browser, stack: LocalRunner) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{stack.base}/admin/")
    page.get_by_test_id("signin-key").fill("not-the-key")
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("signin-error")).to_contain_text("not accepted")
    context.close()


def test_from_a_new_tenant_to_an_operator_reply_in_the_widget(
    operator: Page, browser: Browser, stack: LocalRunner
) -> None:
    page = operator
    page.get_by_test_id("tenant-create").click()
    page.get_by_test_id("tenant-name").fill("Bike Shop")
    page.get_by_test_id("tenant-whmcs").fill("5150")
    page.get_by_test_id("tenant-create-submit").click()
    expect(page.get_by_test_id("tenant-name-heading")).to_contain_text("Bike Shop")  # the new tenant opens
    snippet = page.get_by_test_id("embed-snippet")
    expect(snippet).to_contain_text("/widget/v1/widget.js")
    embed = snippet.inner_text()
    assert re.search(r'data-tenant="[0-9a-f-]{36}"', embed)

    page.get_by_test_id("tenant-tab-knowledge").click()
    page.get_by_test_id("source-add").click()
    page.get_by_test_id("source-tab-faq").click()
    page.get_by_test_id("faq-question").first.fill("Do you repair electric bikes?")
    page.get_by_test_id("faq-answer").first.fill("Yes, we repair e-bikes of all brands within three working days.")
    page.get_by_test_id("source-submit").click()
    expect(page.get_by_test_id("source-status").first).to_contain_text("indexed", timeout=90_000)
    _shot(page, "knowledge")

    # A visitor on the client's own site, with the snippet the operator copied.
    with WebServer() as site:
        site.route("/", f"<!doctype html><html><body><h1>Bike Shop</h1>{embed}</body></html>")
        visitor_context = browser.new_context()
        visitor = visitor_context.new_page()
        visitor.goto(site.url("/"))
        visitor.locator(f"{WIDGET} .te-launcher").click()
        visitor.locator(f"{WIDGET} .te-accept").click()
        visitor.locator(f"{WIDGET} .te-input").fill("Can you fix the brakes of my electric bike?")
        visitor.locator(f"{WIDGET} .te-send").click()
        answer = visitor.locator(f"{WIDGET} .te-message.te-bot").last
        expect(answer.locator(".te-note-escalated, .te-contact").first).to_be_visible(timeout=30_000)

        # The operator finds it in the Escalated inbox and replies.
        page.get_by_test_id("nav-inbox").click()
        conversation = page.get_by_test_id("conversation-row").first
        expect(conversation).to_be_visible(timeout=20_000)
        conversation.click()
        expect(page.get_by_test_id("message").filter(has_text="electric bike").first).to_be_visible()
        page.get_by_test_id("reply-input").fill("Hi, this is Sam from the workshop: yes, bring it in on Monday.")
        page.get_by_test_id("reply-send").click()
        expect(page.locator('[data-testid="message"][data-role="operator"]')).to_contain_text("Sam")
        _shot(page, "conversation")

        # The widget polls and shows the reply as the support team's.
        reply = visitor.locator(f"{WIDGET} .te-message.te-operator")
        expect(reply).to_contain_text("bring it in on Monday", timeout=20_000)
        ARTIFACTS.mkdir(exist_ok=True)
        visitor.screenshot(path=str(ARTIFACTS / "widget-operator-reply.png"))
        visitor_context.close()

    # Usage shows the day's traffic in a chart.
    page.get_by_test_id("nav-usage").click()
    chart = page.get_by_test_id("usage-chart")
    expect(chart.locator("svg").first).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("usage-totals")).to_contain_text("1")
    _shot(page, "usage")
