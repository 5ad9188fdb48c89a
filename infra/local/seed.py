"""The demo tenant and its knowledge, created idempotently by `make up` so the stack answers on first start."""

import json
from pathlib import Path
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion.models import NewFaqSource, NewTextSource, SourceCreate, SourceType
from tinyeclipse.pagination import PageParams
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import Tenant, TenantCreate, TenantUpdate
from tinyeclipse.tenants.settings import Plan

DEMO_DIR = Path(__file__).parent / "demo"

DEMO_TENANT = TenantCreate(
    name="Demo Hosting Co.",
    whmcs_client_id=1000,
    plan=Plan.pro,
    domain="demo.tinyeclipse.local",
    settings={
        "greeting": "Hi! I'm the Demo Hosting assistant. Ask me about plans, domains, email or billing.",
        "contact": "support@demo-hosting.example",
    },
)


def demo_sources(tenant_id: UUID) -> list[SourceCreate]:
    """The demo's help pages (text sources, titled by their first heading) and its FAQ."""
    pages = [
        NewTextSource(
            tenant_id=tenant_id,
            type=SourceType.text,
            title=path.read_text().splitlines()[0].lstrip("# ").strip(),
            content=path.read_text(),
        )
        for path in sorted(DEMO_DIR.glob("*.md"))
    ]
    faq = NewFaqSource(
        tenant_id=tenant_id,
        type=SourceType.faq,
        title="Frequently asked questions",
        content=json.loads((DEMO_DIR / "faq.json").read_text()),
    )
    return [*pages, faq]


def demo_origins(settings: Settings) -> list[str]:
    """Where the demo site is served: the only origins the demo tenant's widget may chat from."""
    return [f"{settings.http_host}:{settings.demo_port}", f"localhost:{settings.demo_port}"]


def seed_demo(database: Database, settings: Settings) -> tuple[Tenant, int]:
    """The demo tenant, and how many knowledge sources were added now (none when it already has some)."""
    tenant = tenants.ensure_tenant(database, settings, DEMO_TENANT)
    if tenant.effective_settings.allowed_domains != demo_origins(settings):
        patch = TenantUpdate(settings={"allowed_domains": demo_origins(settings)})
        tenant = tenants.update_tenant(database, settings, tenant.id, patch)
    if sources.list_sources(database, tenant.id, PageParams(limit=1)).total:
        return tenant, 0
    added = demo_sources(tenant.id)
    for source in added:
        sources.create_source(database, settings, source)
    return tenant, len(added)
