"""The admin panel's privacy pages in a real browser, through the real stack (issue 18): a visitor who wrote in by
mail is found by the email they left in the chat, their data exported as a JSON download and erased; the tenant is
terminated after typing its name; the audit log page shows who did each of these."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.harness import LocalRunner
from tests.browser.conftest import ARTIFACTS

EMAIL = "ann@example.com"


@pytest.fixture(scope="module")
def tenant(stack: LocalRunner) -> str:
    """A tenant with one visitor's conversation, in which the visitor left their email address."""
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, timeout=60) as client:
        created = client.post(
            "/api/admin/tenants", json={"name": "Bike Shop", "whmcs_client_id": 7500}, headers=headers
        )
        assert created.status_code == 201, created.text
        tenant_id = created.json()["id"]
        visitor = {"tenant_id": tenant_id, "session_id": "visitor-ann"}
        assert client.post("/api/consent", json={**visitor, "accepted": True, "terms_version": "1"}).status_code == 201
        chat = client.post("/api/chat", json={**visitor, "message": "My order never arrived"})
        assert chat.status_code == 200, chat.text
        conversation = chat.json()["conversation_id"]
        assert client.post(f"/api/chat/conversations/{conversation}/handoff", json=visitor).status_code == 200
        contact = client.post(f"/api/chat/conversations/{conversation}/contact", json={**visitor, "email": EMAIL})
        assert contact.status_code == 204, contact.text
    return tenant_id


@pytest.fixture
def operator(browser: Browser, stack: LocalRunner) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{stack.base}/admin/")
    page.get_by_test_id("signin-key").fill(stack.admin_key)
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("tenant-row").first).to_be_visible(timeout=20_000)
    yield page
    context.close()


def test_export_erase_terminate_and_the_audit_log(operator: Page, stack: LocalRunner, tenant: str) -> None:
    page = operator
    page.goto(f"{stack.base}/admin/tenants/view/?id={tenant}&tab=privacy")
    expect(page.get_by_test_id("tenant-retention")).to_contain_text("90 days")  # the tiny plan's default
    page.get_by_test_id("privacy-subject").fill(EMAIL)

    with page.expect_download() as download:
        page.get_by_test_id("privacy-export").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["session_ids"] == ["visitor-ann"]
    assert exported["conversations"][0]["visitor_email"] == EMAIL
    assert exported["conversations"][0]["messages"][0]["content"] == "My order never arrived"

    page.get_by_test_id("privacy-erase").click()
    page.get_by_test_id("privacy-erase-confirm").click()
    expect(page.get_by_text("Erased 1 session(s)")).to_be_visible()

    page.get_by_test_id("tenant-terminate").click()
    confirm = page.get_by_test_id("tenant-terminate-confirm")
    expect(confirm).to_be_disabled()
    page.get_by_test_id("tenant-terminate-name").fill("Bike Shop")
    confirm.click()
    expect(page.get_by_text("Bike Shop terminated.")).to_be_visible()
    expect(page).to_have_url(f"{stack.base}/admin/tenants/")

    page.get_by_test_id("nav-audit").click()
    rows = page.get_by_test_id("audit-row")
    expect(rows.first).to_contain_text("Tenant terminated")
    actions = [rows.nth(i).get_attribute("data-action") for i in range(rows.count())]
    assert actions[:3] == ["tenant.terminate", "privacy.erase", "privacy.export"], actions
    expect(rows.first).to_contain_text("admin")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-audit-log.png"), full_page=True)
    page.get_by_test_id("audit-action").select_option("privacy.")
    expect(rows).to_have_count(2)
