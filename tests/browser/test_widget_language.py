"""The localised widget in a real browser, through the real stack (issue 15): its strings follow data-language, else
the page's <html lang>, else the browser's language; nl, de and fr come from /widget/v1/i18n/ through Caddy, and the
chosen language goes to the API with the config request and every chat message."""

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from infra.local.harness import LocalRunner
from tests.browser.conftest import ARTIFACTS
from tests.webserver import WebServer
from tinyeclipse.chat.replies import replies

WIDGET = "#tinyeclipse-widget"


def page_html(stack: LocalRunner, tenant_id: str, lang: str | None = None, extra: str = "") -> str:
    html_lang = f' lang="{lang}"' if lang is not None else ""
    return f"""<!doctype html><html{html_lang}><head><meta charset="utf-8"><title>Fietsenwinkel</title></head>
<body><h1>De Fietsenmaker</h1>
<script src="{stack.base}/widget/v1/widget.js" data-tenant="{tenant_id}" {extra} async></script></body></html>"""


@pytest.fixture(scope="module")
def shop(stack: LocalRunner) -> str:
    """A tenant with a contact address and no knowledge, so that any question is refused with the contact route."""
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, headers=headers, timeout=30) as admin:
        response = admin.post(
            "/api/admin/tenants",
            json={"name": "De Fietsenmaker", "whmcs_client_id": 7300, "settings": {"contact": "hulp@fiets.example"}},
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]


@pytest.fixture(scope="module")
def site() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


@pytest.fixture
def browser_locale() -> str:
    return "en-US"


@pytest.fixture
def page(browser: Browser, browser_locale: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=browser_locale)
    page = context.new_page()
    yield page
    context.close()


def _stack_requests(page: Page, stack: LocalRunner) -> list[Request]:
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r) if r.url.startswith(stack.base + "/") else None)
    return requests


def _config_language(requests: list[Request]) -> list[str]:
    config = [r for r in requests if urlsplit(r.url).path == "/api/chat/config"]
    assert len(config) == 1, [r.url for r in requests]
    return parse_qs(urlsplit(config[0].url).query).get("language", [])


def test_a_dutch_page_gets_a_dutch_widget_consent_included(
    page: Page, stack: LocalRunner, shop: str, site: WebServer
) -> None:
    site.route("/nl", page_html(stack, shop, lang="nl-NL"))
    requests = _stack_requests(page, stack)
    page.goto(site.url("/nl"))

    launcher = page.locator(f"{WIDGET} .te-launcher")
    expect(launcher).to_have_attribute("aria-label", "Chat openen")
    expect(page.locator(WIDGET)).to_have_attribute("lang", "nl")
    assert _config_language(requests) == ["nl"]
    launcher.click()

    consent = page.locator(f"{WIDGET} .te-consent")
    expect(consent).to_contain_text("Om met ons te chatten, vragen we je akkoord te gaan met onze voorwaarden.")
    expect(page.locator(f"{WIDGET} .te-accept")).to_have_text("Akkoord")
    expect(page.locator(f"{WIDGET} .te-decline")).to_have_text("Niet akkoord")
    expect(page.locator(f"{WIDGET} .te-close")).to_have_attribute("aria-label", "Chat sluiten")

    page.locator(f"{WIDGET} .te-decline").click()
    declined = page.locator(f"{WIDGET} .te-declined")
    expect(declined).to_contain_text("Geen probleem. Zonder akkoord met onze voorwaarden")
    expect(declined.locator(".te-contact")).to_contain_text(
        "Je kunt ons team ook rechtstreeks bereiken: hulp@fiets.example"
    )
    page.locator(f"{WIDGET} .te-reconsider").click()
    page.locator(f"{WIDGET} .te-accept").click()

    box = page.locator(f"{WIDGET} .te-input")
    expect(box).to_have_attribute("placeholder", "Typ je bericht\u2026")
    expect(page.locator(f"{WIDGET} .te-send")).to_have_text("Versturen")
    expect(page.locator(f"{WIDGET} .te-new")).to_have_text("Nieuwe chat")
    # The built-in greeting, localised by the API for the language the widget asked for.
    expect(page.locator(f"{WIDGET} .te-message.te-bot").first).to_have_text("Hoi! Waarmee kan ik je helpen?")
    box.fill("Wat kost een nieuwe fietsketting?")
    # The answer's wording is the API's (tests/integration/test_chat_language.py); the widget tells it the language.
    with page.expect_request(lambda r: r.method == "POST" and urlsplit(r.url).path == "/api/chat") as chat:
        page.locator(f"{WIDGET} .te-send").click()
    assert json.loads(chat.value.post_data or "{}")["language"] == "nl"
    expect(page.locator(f"{WIDGET} .te-typing")).to_have_count(0, timeout=30_000)
    # Asking for a person tells the API the language too: the expected reply comes back in Dutch.
    talk = page.locator(f"{WIDGET} .te-talk")
    expect(talk).to_have_text("Met een medewerker praten")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/handoff")) as handoff:
        talk.click()
    assert json.loads(handoff.value.request.post_data or "{}")["language"] == "nl"
    assert handoff.value.json()["expected_reply"] == replies("nl").expected_reply
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-dutch.png"))


def test_data_language_wins_over_the_page(page: Page, stack: LocalRunner, shop: str, site: WebServer) -> None:
    site.route("/de", page_html(stack, shop, lang="nl", extra='data-language="de-AT"'))
    requests = _stack_requests(page, stack)
    page.goto(site.url("/de"))
    page.locator(f"{WIDGET} .te-launcher").click()
    expect(page.locator(f"{WIDGET} .te-consent")).to_contain_text("stimmen Sie bitte unseren Nutzungsbedingungen zu")
    expect(page.locator(f"{WIDGET} .te-accept")).to_have_text("Zustimmen")
    assert _config_language(requests) == ["de"]


@pytest.mark.parametrize("browser_locale", ["fr-BE"])
def test_without_a_page_language_the_browser_decides(
    page: Page, stack: LocalRunner, shop: str, site: WebServer
) -> None:
    site.route("/fr", page_html(stack, shop))
    page.goto(site.url("/fr"))
    expect(page.locator(f"{WIDGET} .te-launcher")).to_have_attribute("aria-label", "Ouvrir le chat")
    page.locator(f"{WIDGET} .te-launcher").click()
    expect(page.locator(f"{WIDGET} .te-consent")).to_contain_text(
        "Pour discuter avec nous, veuillez accepter nos conditions"
    )
    expect(page.locator(f"{WIDGET} .te-accept")).to_have_text("Accepter")


def test_a_language_without_strings_shows_english_and_still_tells_the_api(
    page: Page, stack: LocalRunner, shop: str, site: WebServer
) -> None:
    site.route("/es", page_html(stack, shop, lang="es-ES"))
    requests = _stack_requests(page, stack)
    page.goto(site.url("/es"))
    page.locator(f"{WIDGET} .te-launcher").click()
    expect(page.locator(f"{WIDGET} .te-consent")).to_contain_text("To chat with us, please accept our terms.")
    expect(page.locator(WIDGET)).to_have_attribute("lang", "en")
    assert _config_language(requests) == ["es"]
    assert not [r for r in requests if "/widget/v1/i18n/" in r.url]
