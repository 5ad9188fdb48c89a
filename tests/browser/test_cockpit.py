"""The operator's cockpit in a real browser through the real stack (issue 17): a question the bot could not answer
appears as a gap -> "Answer this" -> the FAQ pair is saved and indexed -> the same question is answered in the
preview chat, with its confidence parts and source; the FAQ is edited inline and its chunks browsed; the outcome
dashboard renders with data."""

import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.harness import LocalRunner
from tests.browser.conftest import ARTIFACTS
from tests.webserver import WebServer

QUESTION = "Do you sell gift cards?"
PERCENT = re.compile(r"^\d{1,3}%$")
ANSWER = "Yes: gift cards for any amount from 10 euros are sold in our shop and online."


@pytest.fixture(scope="module")
def admin(stack: LocalRunner) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, headers=headers, timeout=60) as client:
        yield client


def _indexed(admin: httpx.Client, tenant_id: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        items = admin.get("/api/admin/sources", params={"tenant_id": tenant_id}).json()["items"]
        if items and all(source["status"] == "indexed" for source in items):
            return
        time.sleep(0.5)
    pytest.fail("the knowledge was not indexed in time")


@pytest.fixture(scope="module")
def bike_shop(admin: httpx.Client) -> str:
    """A tenant with one FAQ pair, and a visitor whose question it could not answer."""
    body = {"name": "Bike Shop", "whmcs_client_id": 7170, "plan": "pro"}
    tenant_id = admin.post("/api/admin/tenants", json=body).json()["id"]
    faq = [{"question": "Do you repair electric bikes?", "answer": "Yes, we repair e-bikes of all brands in 3 days."}]
    source = {"tenant_id": tenant_id, "type": "faq", "content": faq}
    assert admin.post("/api/admin/sources", json=source).status_code == 201
    _indexed(admin, tenant_id)
    session = f"visitor-{uuid.uuid4()}"
    consent = {"tenant_id": tenant_id, "session_id": session, "accepted": True, "terms_version": "1"}
    assert admin.post("/api/consent", json=consent).status_code in (200, 201)
    answer = admin.post("/api/chat", json={"tenant_id": tenant_id, "session_id": session, "message": QUESTION}).json()
    assert answer["refused"], answer
    return tenant_id


@pytest.fixture
def page(browser: Browser, stack: LocalRunner) -> Iterator[Page]:
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
    page.screenshot(path=str(ARTIFACTS / f"cockpit-{name}.png"), full_page=True)


def test_a_gap_answered_in_one_click_is_then_answered_in_the_preview(
    page: Page, stack: LocalRunner, admin: httpx.Client, bike_shop: str
) -> None:
    page.goto(f"{stack.base}/admin/tenants/view/?id={bike_shop}&tab=gaps")
    group = page.get_by_test_id("gap-group").first
    expect(group.get_by_test_id("gap-question")).to_have_text(QUESTION, timeout=30_000)
    expect(group.get_by_test_id("gap-count")).to_contain_text("1 question")
    expect(group.get_by_test_id("gap-bot-answer")).not_to_be_empty()
    _shot(page, "gaps")

    group.get_by_test_id("gap-answer").click()
    dialog = page.get_by_test_id("gap-answer-dialog")
    expect(dialog.get_by_test_id("gap-answer-question")).to_have_value(QUESTION)
    dialog.get_by_test_id("gap-answer-text").fill(ANSWER)
    dialog.get_by_test_id("gap-answer-save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("gap-group")).to_have_count(0)

    _indexed(admin, bike_shop)
    page.get_by_test_id("tenant-tab-preview").click()
    page.get_by_test_id("preview-input").fill(QUESTION)
    page.get_by_test_id("preview-send").click()
    answer = page.get_by_test_id("preview-answer").last
    expect(answer).to_contain_text("gift cards for any amount", timeout=60_000)
    expect(answer).to_have_attribute("data-refused", "false")
    verdict = page.get_by_test_id("preview-verdict").last
    expect(verdict.get_by_test_id("preview-confidence")).to_be_visible()
    expect(verdict.locator("[data-part=retrieval_similarity]")).to_have_text(PERCENT)
    verdict.get_by_test_id("preview-sources").locator("summary").click()
    expect(verdict.get_by_test_id("preview-source").first).to_contain_text("cited")
    _shot(page, "preview")

    # The preview counted nowhere: no new gap, no conversation in the inbox for the operator's test.
    assert admin.get(f"/api/admin/tenants/{bike_shop}/gaps").json()["groups"] == []
    conversations = admin.get("/api/admin/conversations", params={"tenant_id": bike_shop}).json()
    assert conversations["total"] == 1


def test_an_faq_pair_is_edited_inline_and_its_chunks_browsed(
    page: Page, stack: LocalRunner, admin: httpx.Client, bike_shop: str
) -> None:
    page.goto(f"{stack.base}/admin/tenants/view/?id={bike_shop}&tab=knowledge")
    row = page.get_by_test_id("source-row").filter(has_text="FAQ").first
    expect(row.get_by_test_id("source-status")).to_have_attribute("data-status", "indexed", timeout=60_000)
    row.get_by_test_id("source-edit").click()
    dialog = page.get_by_test_id("source-edit-dialog")
    dialog.get_by_test_id("source-edit-add").click()
    dialog.get_by_test_id("source-edit-question").last.fill("Do you rent out bikes?")
    dialog.get_by_test_id("source-edit-answer").last.fill("Yes, city bikes for 15 euros a day.")
    dialog.get_by_test_id("source-edit-save").click()
    expect(dialog).to_be_hidden()
    expect(row.get_by_test_id("source-status")).to_have_attribute("data-status", "indexed", timeout=90_000)

    row.get_by_test_id("source-chunks").click()
    chunks = page.get_by_test_id("chunks-dialog")
    expect(chunks.get_by_test_id("chunk").filter(has_text="city bikes for 15 euros")).to_have_count(1, timeout=30_000)
    _shot(page, "chunks")


def test_the_outcome_dashboard_renders_with_data(page: Page, stack: LocalRunner, bike_shop: str) -> None:
    page.get_by_test_id("nav-dashboard").click()
    page.get_by_test_id("dashboard-tenant").select_option(bike_shop)
    expect(page.get_by_test_id("dashboard-total-conversations")).to_have_text("1", timeout=30_000)
    expect(page.get_by_test_id("dashboard-total-visitor_messages")).to_have_text("1")
    expect(page.get_by_test_id("dashboard-total-refused")).to_have_text("1")
    expect(page.get_by_test_id("dashboard-charts").locator(".recharts-bar-rectangle").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("dashboard-csv").click()
    assert download.value.suggested_filename == f"tinyeclipse-outcomes-{bike_shop}.csv"
    _shot(page, "dashboard")


def test_past_the_monthly_quota_the_widget_says_so_and_waits_for_the_team(
    browser: Browser, stack: LocalRunner, admin: httpx.Client
) -> None:
    body = {"name": "Quiet Shop", "whmcs_client_id": 7172, "settings": {"monthly_message_quota": 1}}
    tenant_id = admin.post("/api/admin/tenants", json=body).json()["id"]
    faq = [{"question": "When is the shop open?", "answer": "The shop is open from Tuesday to Saturday, 9 to 18."}]
    assert (
        admin.post("/api/admin/sources", json={"tenant_id": tenant_id, "type": "faq", "content": faq}).status_code
        == 201
    )
    _indexed(admin, tenant_id)
    widget = "#tinyeclipse-widget"
    page_html = (
        '<!doctype html><html lang="nl"><body><h1>Winkel</h1>'
        f'<script src="{stack.base}/widget/v1/widget.js" data-tenant="{tenant_id}" async></script></body></html>'
    )
    with WebServer() as site:
        site.route("/", page_html)
        context = browser.new_context()
        visitor = context.new_page()
        visitor.goto(site.url("/"))
        visitor.locator(f"{widget} .te-launcher").click()
        visitor.locator(f"{widget} .te-accept").click()
        bot_turns = visitor.locator(f"{widget} .te-message.te-bot")
        for question in ("Wanneer is de winkel open?", "Kan ik ook op zondag langskomen?"):
            visitor.locator(f"{widget} .te-input").fill(question)
            visitor.locator(f"{widget} .te-send").click()
            expect(visitor.locator(f"{widget} .te-typing")).to_have_count(0, timeout=30_000)
        expect(bot_turns.last).to_contain_text("limiet voor deze maand bereikt", timeout=30_000)
        expect(visitor.locator(f"{widget} .te-panel")).to_have_attribute("data-handled-by", "waiting")
        visitor.screenshot(path=str(ARTIFACTS / "cockpit-quota-widget.png"))
        context.close()
    quota = admin.get("/api/admin/usage/quota", params={"tenant_id": tenant_id}).json()["tenants"][0]
    assert (quota["used"], quota["quota"], quota["exceeded"]) == (1, 1, True)
