"""The Dutch demo as a new user meets it after `make up`: its own page (/nl/ on the demo site, in Dutch, the widget
embedded for the Dutch tenant) and Dutch answers from its Dutch knowledge, through Caddy and the real runner."""

import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.local.seed import DEMO_NL_TENANT, DEMO_TENANT
from tests.e2e.stack import Stack
from tinyeclipse.chat.language import detect


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(Path(tmp_path_factory.mktemp("demo-nl-e2e")), LLM_PROVIDER="extractive")
    stack.start()
    yield stack
    assert stack.stop(signal.SIGINT) == 0


def _statuses(admin: httpx.Client, tenant_id: str) -> list[str]:
    return [
        source["status"] for source in admin.get("/api/admin/sources", params={"tenant_id": tenant_id}).json()["items"]
    ]


@pytest.fixture(scope="module")
def tenants(stack: Stack) -> dict[int, str]:
    """The seeded demo tenants' ids by WHMCS id, once the ingest worker has indexed their knowledge."""
    with httpx.Client(base_url=stack.base, timeout=30, headers={"Authorization": f"Bearer {stack.admin_key}"}) as admin:
        ids = {t["whmcs_client_id"]: t["id"] for t in admin.get("/api/admin/tenants").json()["items"]}
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and "pending" in [s for i in ids.values() for s in _statuses(admin, i)]:
            time.sleep(0.5)
        assert [_statuses(admin, ids[demo.whmcs_client_id]) for demo in (DEMO_TENANT, DEMO_NL_TENANT)] == [
            ["indexed"] * 5,
            ["indexed"] * 6,
        ]
    return ids


def test_the_dutch_page_embeds_the_widget_for_the_dutch_tenant(stack: Stack, tenants: dict[int, str]) -> None:
    dutch, english = tenants[DEMO_NL_TENANT.whmcs_client_id], tenants[DEMO_TENANT.whmcs_client_id]
    page = httpx.get(f"{stack.demo_origin}/nl/", timeout=10)
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert f'src="{stack.base}/widget/v1/widget.js" data-tenant="{dutch}"' in page.text
    assert re.search(r'<a href="\.\./"[^>]*>English</a>', page.text)
    assert f'data-tenant="{english}"' in httpx.get(f"{stack.demo_origin}/", timeout=10).text
    assert httpx.get(f"{stack.demo_origin}/nl", timeout=10, follow_redirects=True).url.path == "/nl/"


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Hoe kan ik mijn wachtwoord resetten?", 'klik op "Wachtwoord vergeten"'),
        ("Wat kost het Starter pakket?", "€ 4,95 per maand"),
    ],
)
def test_a_dutch_question_on_the_dutch_page_is_answered_in_dutch_from_its_faq(
    stack: Stack, tenants: dict[int, str], question: str, fact: str
) -> None:
    dutch = tenants[DEMO_NL_TENANT.whmcs_client_id]
    session = f"e2e-nl-{len(fact)}"
    # As the widget on the Dutch page asks: from the demo site's origin, with the page's language.
    with httpx.Client(base_url=stack.base, timeout=30, headers={"Origin": stack.demo_origin}) as http:
        consent = {"tenant_id": dutch, "session_id": session, "accepted": True, "terms_version": "1"}
        assert http.post("/api/consent", json=consent).status_code == 201
        ask = {"tenant_id": dutch, "session_id": session, "message": question, "language": "nl"}
        response = http.post("/api/chat", json=ask)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["refused"] and fact in body["answer"] and detect(body["answer"]) == "nl", body
    assert body["sources"][0]["title"] == "Veelgestelde vragen" and body["sources"][0]["cited"], body["sources"]
