"""The widget's "Your data" menu in a real browser, through the real stack (issue 18): the visitor downloads this
chat's data as JSON, then deletes it after confirming; the widget starts over with a new session and asks for
consent again, and nothing of the old session is left to export."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.harness import LocalRunner
from tests.browser.conftest import ARTIFACTS
from tests.webserver import WebServer

WIDGET = "#tinyeclipse-widget"


@pytest.fixture(scope="module")
def admin(stack: LocalRunner) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def shop(admin: httpx.Client) -> str:
    response = admin.post("/api/admin/tenants", json={"name": "Bike Shop", "whmcs_client_id": 7400})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture(scope="module")
def site() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def _page(stack: LocalRunner, tenant: str, extra: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bike Shop</title></head>
<body><h1>Bike Shop</h1>
<script src="{stack.base}/widget/v1/widget.js" data-tenant="{tenant}" {extra} async></script></body></html>"""


def _session(page: Page, tenant: str) -> str:
    return json.loads(page.evaluate(f"localStorage.getItem('tinyeclipse:{tenant}')"))["session"]


def test_the_visitor_downloads_then_deletes_their_data(
    page: Page, stack: LocalRunner, shop: str, site: WebServer, admin: httpx.Client
) -> None:
    site.route("/", _page(stack, shop))
    page.goto(site.url("/"))
    page.locator(f"{WIDGET} .te-launcher").click()
    page.locator(f"{WIDGET} .te-accept").click()
    page.locator(f"{WIDGET} .te-input").fill("Do you repair carbon frames?")
    page.locator(f"{WIDGET} .te-send").click()
    expect(page.locator(f"{WIDGET} .te-message.te-bot")).to_have_count(2, timeout=30_000)  # greeting, answer
    session = _session(page, shop)

    page.locator(f"{WIDGET} .te-data").click()
    menu = page.locator(f"{WIDGET} .te-privacy")
    expect(menu).to_contain_text("This chat keeps your consent, your messages")
    expect(page.locator(f"{WIDGET} .te-chat")).to_be_hidden()

    with page.expect_download() as download:
        menu.get_by_role("button", name="Download my data").click()
    assert download.value.suggested_filename.startswith("chat-data-")
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["session_ids"] == [session]
    [conversation] = exported["conversations"]
    assert conversation["messages"][0] == {
        **conversation["messages"][0],
        "role": "user",
        "content": "Do you repair carbon frames?",
    }
    assert exported["consents"][0]["accepted"] is True
    expect(menu).to_contain_text("Your data has been downloaded.")

    menu.get_by_role("button", name="Delete my data").click()
    expect(menu).to_contain_text("This can't be undone.")
    menu.get_by_role("button", name="Cancel").click()
    expect(menu).to_contain_text("This chat keeps your consent")
    menu.get_by_role("button", name="Delete my data").click()
    menu.get_by_role("button", name="Delete", exact=True).click()
    expect(menu).to_contain_text("Your data has been deleted.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-privacy-deleted.png"))

    # A new session, asked for consent again; the old one has nothing left.
    assert _session(page, shop) != session
    menu.get_by_role("button", name="Back").click()
    expect(page.locator(f"{WIDGET} .te-privacy")).to_have_count(0)
    expect(page.locator(f"{WIDGET} .te-consent")).to_be_visible()
    left = admin.post("/api/admin/privacy/export", json={"tenant_id": shop, "session_id": session}).json()
    assert left["consents"] == [] and left["conversations"] == []
    audit = admin.get("/api/admin/audit", params={"tenant_id": shop, "action": "privacy."}).json()["items"]
    assert [(entry["actor"], entry["action"]) for entry in audit][-2:] == [
        ("visitor:widget", "privacy.erase"),
        ("visitor:widget", "privacy.export"),
    ]
    # After a reload the widget keeps the new session: still no consent, no old messages.
    page.reload()
    page.locator(f"{WIDGET} .te-launcher").click()
    expect(page.locator(f"{WIDGET} .te-consent")).to_be_visible()
    expect(page.locator(f"{WIDGET} .te-message.te-user")).to_have_count(0)


def test_the_menu_speaks_the_widgets_language(page: Page, stack: LocalRunner, shop: str, site: WebServer) -> None:
    site.route("/nl", _page(stack, shop, extra='data-language="nl"'))
    page.goto(site.url("/nl"))
    page.locator(f"{WIDGET} .te-launcher").click()
    data = page.locator(f"{WIDGET} .te-data")
    expect(data).to_have_text("Jouw gegevens")
    data.click()
    menu = page.locator(f"{WIDGET} .te-privacy")
    expect(menu.get_by_role("button", name="Mijn gegevens downloaden")).to_be_visible()
    menu.get_by_role("button", name="Mijn gegevens verwijderen").click()
    expect(menu).to_contain_text("Dit kan niet ongedaan worden gemaakt.")
    menu.get_by_role("button", name="Annuleren").click()
    menu.get_by_role("button", name="Terug").click()
    expect(page.locator(f"{WIDGET} .te-consent")).to_be_visible()
