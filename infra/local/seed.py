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
from tinyeclipse.tenants.errors import TenantNotFound
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


def _remembered(database: Database, settings: Settings, id_file: Path | None) -> Tenant | None:
    if id_file is None or not id_file.exists():
        return None
    try:
        return tenants.get_tenant(database, settings, UUID(id_file.read_text().strip()))
    except (ValueError, TenantNotFound):
        return None


def find_or_create_demo(database: Database, settings: Settings, id_file: Path | None) -> Tenant:
    """The demo tenant: the one whose id `id_file` remembers, whatever the operator has changed about it
    since (its WHMCS id, its name); else, for a data dir from before the file existed, the one with the
    demo's WHMCS id; else a new one. Its id is remembered in `id_file` for the next start."""
    tenant = _remembered(database, settings, id_file) or tenants.ensure_tenant(database, settings, DEMO_TENANT)
    if id_file is not None:
        id_file.parent.mkdir(parents=True, exist_ok=True)
        id_file.write_text(f"{tenant.id}\n")
    return tenant


def seed_demo(database: Database, settings: Settings, id_file: Path | None = None) -> tuple[Tenant, int]:
    """The demo tenant (see find_or_create_demo), and how many knowledge sources were added now (none when
    it already has some)."""
    tenant = find_or_create_demo(database, settings, id_file)
    if tenant.effective_settings.allowed_domains != demo_origins(settings):
        patch = TenantUpdate(settings={"allowed_domains": demo_origins(settings)})
        tenant = tenants.update_tenant(database, settings, tenant.id, patch)
    if sources.list_sources(database, tenant.id, PageParams(limit=1)).total:
        return tenant, 0
    added = demo_sources(tenant.id)
    for source in added:
        sources.create_source(database, settings, source)
    return tenant, len(added)
