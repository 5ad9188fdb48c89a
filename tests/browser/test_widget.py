"""The widget in a real browser (Debian's Chromium driven by Playwright) on third-party pages, through the real
stack: the runner, Caddy, Postgres, the model and the ingest worker."""

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.harness import LocalRunner
from tests.browser.conftest import ARTIFACTS
from tests.webserver import WebServer

XSS = (
    'Security notice. Our status page <img src=x onerror="window.__pwned = 1"> explains outages. '
    "For the outage history [click here](javascript:window.__pwned=2) or visit https://status.example.com/ today."
)
AGGRESSIVE_CSS = """
* { font-family: "Comic Sans MS", fantasy !important; font-size: 31px !important; color: red !important;
    background: yellow !important; border: 5px dashed green !important; box-sizing: content-box !important; }
button { padding: 40px !important; display: block !important; width: 90vw !important; }
div { margin: 25px !important; }
"""


def page_html(stack: LocalRunner, tenant_id: str, css: str = "", extra: str = "") -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Third-party shop</title>
<style>{css}</style></head><body><h1>Acme Shop</h1><p>Welcome to our shop.</p>
<script src="{stack.base}/widget/v1/widget.js" data-tenant="{tenant_id}" {extra} async></script></body></html>"""


@pytest.fixture(scope="module")
def admin(stack: LocalRunner) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, headers=headers, timeout=30) as client:
        yield client


def _indexed(admin: httpx.Client, tenant_id: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        items = admin.get("/api/admin/sources", params={"tenant_id": tenant_id}).json()["items"]
        if items and all(source["status"] == "indexed" for source in items):
            return
        time.sleep(0.5)
    pytest.fail("the tenant's knowledge was not indexed in time")


@pytest.fixture(scope="module")
def shop(admin: httpx.Client) -> str:
    """A tenant whose knowledge holds the demo help pages and a hostile chunk."""
    tenant = admin.post(
        "/api/admin/tenants",
        # Never refuses: these tests are about how answers render, whatever their confidence.
        json={
            "name": "Acme Shop",
            "whmcs_client_id": 3000,
            "settings": {"contact": "help@acme.example", "refuse_threshold": 0.0},
        },
    ).json()["id"]
    from infra.local.seed import demo_sources

    for source in demo_sources(tenant):
        admin.post("/api/admin/sources", json=source.model_dump(mode="json"))
    admin.post("/api/admin/sources", json={"tenant_id": tenant, "type": "text", "title": "Status", "content": XSS})
    _indexed(admin, tenant)
    return tenant


@pytest.fixture(scope="module")
def site() -> Iterator[WebServer]:
    """A third-party website: its own origin, neither the API's nor the demo's."""
    with WebServer() as server:
        yield server


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    yield page
    context.close()


def _open_and_accept(page: Page) -> None:
    page.locator("#tinyeclipse-widget .te-launcher").click()
    page.locator("#tinyeclipse-widget .te-accept").click()
    expect(page.locator("#tinyeclipse-widget .te-input")).to_be_visible()


def _ask(page: Page, question: str) -> None:
    page.locator("#tinyeclipse-widget .te-input").fill(question)
    page.locator("#tinyeclipse-widget .te-send").click()
    expect(page.locator("#tinyeclipse-widget .te-typing")).to_have_count(0, timeout=30_000)


def test_consent_then_a_demo_question_is_answered_with_a_source_link(
    page: Page, stack: LocalRunner, shop: str, site: WebServer
) -> None:
    site.route("/", page_html(stack, shop))
    page.goto(site.url("/"))
    launcher = page.locator("#tinyeclipse-widget .te-launcher")
    expect(launcher).to_be_visible()
    launcher.click()
    expect(page.locator("#tinyeclipse-widget .te-consent")).to_be_visible()
    expect(page.locator("#tinyeclipse-widget .te-input")).to_be_hidden()
    page.locator("#tinyeclipse-widget .te-accept").click()
    _ask(page, "How long does a .com domain transfer take?")
    answer = page.locator("#tinyeclipse-widget .te-message.te-bot").last
    expect(answer).to_contain_text("five days")
    expect(answer.locator(".te-sources")).to_contain_text("Domains and DNS")
    expect(answer.locator(".te-sources")).not_to_contain_text("money-back")  # only the cited source
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))

    # The conversation survives a reload.
    page.reload()
    page.locator("#tinyeclipse-widget .te-launcher").click()
    expect(page.locator("#tinyeclipse-widget .te-message.te-bot").last).to_contain_text("five days")


def test_an_unanswerable_question_shows_the_human_contact(
    page: Page, stack: LocalRunner, shop: str, site: WebServer
) -> None:
    site.route("/faq", page_html(stack, shop))
    page.goto(site.url("/faq"))
    _open_and_accept(page)
    _ask(page, "What is the best recipe for Mongolian dumplings with yak cheese?")
    answer = page.locator("#tinyeclipse-widget .te-message.te-bot").last
    expect(answer.locator(".te-contact, .te-note-escalated").first).to_be_visible()


def test_a_hostile_knowledge_chunk_stays_inert_text(page: Page, stack: LocalRunner, shop: str, site: WebServer) -> None:
    site.route("/status", page_html(stack, shop))
    page.goto(site.url("/status"))
    _open_and_accept(page)
    _ask(page, "Where is the status page that explains outages and the outage history?")
    answer = page.locator("#tinyeclipse-widget .te-message.te-bot").last
    expect(answer).to_contain_text("status page")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#tinyeclipse-widget img").count() == 0
    hrefs = page.locator("#tinyeclipse-widget a").evaluate_all("links => links.map(link => link.href)")
    assert hrefs and all(href.startswith(("http:", "https:", "mailto:")) for href in hrefs), hrefs
    for link in page.locator("#tinyeclipse-widget a[target=_blank]").all():
        assert set((link.get_attribute("rel") or "").split()) >= {"noopener", "noreferrer"}


def test_host_page_css_does_not_change_the_widget(
    browser: Browser, stack: LocalRunner, shop: str, site: WebServer
) -> None:
    site.route("/plain", page_html(stack, shop))
    site.route("/loud", page_html(stack, shop, css=AGGRESSIVE_CSS))
    styles = {}
    for path in ("/plain", "/loud"):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(site.url(path))
        launcher = page.locator("#tinyeclipse-widget .te-launcher")
        expect(launcher).to_be_visible()
        styles[path] = launcher.evaluate(
            """el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
                       return [s.fontFamily, s.fontSize, s.color, s.backgroundColor, s.borderStyle, s.padding,
                               Math.round(r.width), Math.round(r.height)]; }"""
        )
        context.close()
    assert styles["/loud"] == styles["/plain"]


def test_keyboard_only(page: Page, stack: LocalRunner, shop: str, site: WebServer) -> None:
    site.route("/keys", page_html(stack, shop))
    page.goto(site.url("/keys"))
    expect(page.locator("#tinyeclipse-widget .te-launcher")).to_be_visible()
    for _ in range(10):  # Tab until the launcher has focus
        page.keyboard.press("Tab")
        if page.evaluate(
            "document.activeElement.id === 'tinyeclipse-widget' && "
            "document.activeElement.shadowRoot.activeElement?.classList.contains('te-launcher')"
        ):
            break
    else:
        pytest.fail("Tab never reached the launcher")
    page.keyboard.press("Enter")
    expect(page.locator("#tinyeclipse-widget .te-accept")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#tinyeclipse-widget .te-input")).to_be_focused()
    page.keyboard.type("Which PHP versions do you support?")
    page.keyboard.press("Enter")
    expect(page.locator("#tinyeclipse-widget .te-message.te-bot").last).to_contain_text("PHP", timeout=30_000)
    page.keyboard.press("Escape")
    expect(page.locator("#tinyeclipse-widget .te-panel")).to_be_hidden()
    expect(page.locator("#tinyeclipse-widget .te-launcher")).to_be_focused()


def test_full_screen_on_a_phone(browser: Browser, stack: LocalRunner, shop: str, site: WebServer) -> None:
    site.route("/phone", page_html(stack, shop))
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site.url("/phone"))
    page.locator("#tinyeclipse-widget .te-launcher").click()
    panel = page.locator("#tinyeclipse-widget .te-panel")
    expect(panel).to_be_visible()
    page.wait_for_timeout(500)  # the opening animation
    box = panel.bounding_box()
    assert box is not None and box["width"] >= 385 and box["height"] >= 800
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-mobile.png"))
    context.close()


def test_an_unknown_tenant_renders_nothing_and_warns_once(page: Page, stack: LocalRunner, site: WebServer) -> None:
    site.route("/nobody", page_html(stack, "00000000-0000-4000-8000-000000000000"))
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(site.url("/nobody"))
    page.wait_for_timeout(1500)
    assert (
        page.locator("#tinyeclipse-widget .te-launcher").count() == 0
        or not page.locator("#tinyeclipse-widget .te-launcher").is_visible()
    )
    assert len([text for text in warnings if "TinyEclipse" in text]) == 1, warnings
