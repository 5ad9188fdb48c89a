"""The monthly message quota: plan defaults and overrides, the bot's polite notice and hand-off past it, the
usage API's report (GET /api/admin/usage/quota)."""

from uuid import UUID

from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.integration.conftest import HOSTING, ask, give_consent, make_tenant
from tinyeclipse.config import Settings
from tinyeclipse.db import Database


def _quota(admin: TestClient, tenant: UUID | None = None) -> dict:
    params = {"tenant_id": str(tenant)} if tenant else {}
    response = admin.get("/api/admin/usage/quota", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_past_the_quota_the_bot_says_so_and_the_team_takes_over(
    admin: TestClient, chat: TestClient, clean_db: Database, settings: Settings
) -> None:
    tenant = make_tenant(clean_db, settings, 8401, HOSTING, '{"monthly_message_quota": 2}')
    give_consent(clean_db, tenant, "visitor-1")
    first = ask(chat, tenant, "How long do you keep backups?").json()
    assert "30 days" in first["answer"]
    assert ask(chat, tenant, "Hello!", conversation_id=first["conversation_id"]).json()["intent"] == "greeting"
    usage = _quota(admin, tenant)["tenants"][0]
    assert (usage["used"], usage["quota"], usage["remaining"], usage["exceeded"]) == (2, 2, 0, True)

    over = ask(chat, tenant, "Which IMAP port do I use?", conversation_id=first["conversation_id"]).json()
    assert over["intent"] == "quota" and over["handled_by"] == "waiting" and over["sources"] == []
    assert "limit for this month" in over["answer"] and "993" not in over["answer"]
    conversation = admin.get(f"/api/admin/conversations/{first['conversation_id']}").json()
    assert conversation["transitions"][-1]["reason"] == "quota_exhausted"
    assert conversation["messages"][-1]["intent"] == "quota"
    # Now the team answers: the bot stays silent, and nothing more is counted.
    held = ask(chat, tenant, "Hello?", conversation_id=first["conversation_id"]).json()
    assert held["answer"] == "" and held["handled_by"] == "waiting"
    assert _quota(admin, tenant)["tenants"][0]["used"] == 2


def test_the_notice_is_in_the_visitors_language(
    admin: TestClient, chat: TestClient, clean_db: Database, settings: Settings
) -> None:
    tenant = make_tenant(clean_db, settings, 8402, HOSTING, '{"monthly_message_quota": 1}')
    give_consent(clean_db, tenant, "visitor-1")
    ask(chat, tenant, "How long do you keep backups?")
    over = ask(chat, tenant, "Hoe lang bewaren jullie back-ups?", language="nl").json()
    assert over["answer"].startswith("Onze virtuele assistent heeft zijn limiet voor deze maand bereikt")


def test_each_plan_has_a_default_and_a_tenant_its_own(admin: TestClient, clean_db: Database) -> None:
    ids = {}
    for plan, whmcs in (("tiny", 8411), ("pro", 8412), ("pro_plus", 8413)):
        body = {"name": plan, "whmcs_client_id": whmcs, "plan": plan}
        ids[plan] = admin.post("/api/admin/tenants", json=body).json()["id"]
    report = {usage["tenant_id"]: usage["quota"] for usage in _quota(admin)["tenants"]}
    assert report == {ids["tiny"]: 1_000, ids["pro"]: 10_000, ids["pro_plus"]: 100_000}
    patched = admin.patch(f"/api/admin/tenants/{ids['tiny']}", json={"settings": {"monthly_message_quota": 250}})
    assert patched.json()["effective_settings"]["monthly_message_quota"] == 250
    assert _quota(admin, UUID(ids["tiny"]))["tenants"][0]["quota"] == 250
    bad = admin.patch(f"/api/admin/tenants/{ids['tiny']}", json={"settings": {"monthly_message_quota": 0}})
    assert "monthly_message_quota" in assert_problem(bad, 422, "invalid_request")


def test_tenants_are_counted_apart(admin: TestClient, chat: TestClient, clean_db: Database, settings: Settings) -> None:
    busy = make_tenant(clean_db, settings, 8421, HOSTING, '{"monthly_message_quota": 1}')
    quiet = make_tenant(clean_db, settings, 8422, HOSTING, '{"monthly_message_quota": 1}')
    give_consent(clean_db, busy, "visitor-1")
    give_consent(clean_db, quiet, "visitor-1")
    ask(chat, busy, "How long do you keep backups?")
    assert ask(chat, busy, "Which IMAP port do I use?").json()["intent"] == "quota"
    assert "993" in ask(chat, quiet, "Which IMAP port do I use?").json()["answer"]
    report = {usage["tenant_id"]: usage["used"] for usage in _quota(admin)["tenants"]}
    assert report == {str(busy): 1, str(quiet): 1}
    # Fullest first.
    assert _quota(admin)["tenants"][0]["exceeded"]
