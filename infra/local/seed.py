"""The demo tenants and their knowledge, created idempotently by `make up` so the stack answers on first start:
an English hosting company and its Dutch twin (Dutch help pages, the multilingual model), side by side."""

import json
from dataclasses import dataclass
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

DEMO_NL_TENANT = TenantCreate(
    name="Demo Hosting NL",
    whmcs_client_id=1001,
    plan=Plan.pro,
    domain="nl.demo.tinyeclipse.local",
    settings={
        "greeting": "Hoi! Ik ben de assistent van Demo Hosting. Stel gerust je vraag over pakketten, domeinnamen, "
        "e-mail of facturen.",
        "contact": "support@demo-hosting.example",
        "language": "nl",
        # MiniLM is English only: a Dutch question would find nothing in Dutch pages (issue 15).
        "embedding_model": "multilingual-e5-small",
    },
)


@dataclass(frozen=True, eq=False)
class Demo:
    """One demo tenant: what it is created from, its knowledge, and the file beside the data remembering its id."""

    tenant: TenantCreate
    folder: Path
    faq_title: str
    id_file_name: str


ENGLISH = Demo(DEMO_TENANT, DEMO_DIR, "Frequently asked questions", "demo-tenant-id")
DUTCH = Demo(DEMO_NL_TENANT, DEMO_DIR / "nl", "Veelgestelde vragen", "demo-nl-tenant-id")
DEMOS = (ENGLISH, DUTCH)


def demo_sources(tenant_id: UUID, demo: Demo = ENGLISH) -> list[SourceCreate]:
    """A demo's help pages (text sources, titled by their first heading) and its FAQ."""
    pages = [
        NewTextSource(
            tenant_id=tenant_id,
            type=SourceType.text,
            title=path.read_text().splitlines()[0].lstrip("# ").strip(),
            content=path.read_text(),
        )
        for path in sorted(demo.folder.glob("*.md"))
    ]
    faq = NewFaqSource(
        tenant_id=tenant_id,
        type=SourceType.faq,
        title=demo.faq_title,
        content=json.loads((demo.folder / "faq.json").read_text()),
    )
    return [*pages, faq]


def demo_origins(settings: Settings) -> list[str]:
    """Where the demo site is served: the only origins the demo tenants' widgets may chat from."""
    return [f"{settings.http_host}:{settings.demo_port}", f"localhost:{settings.demo_port}"]


def _remembered(database: Database, settings: Settings, id_file: Path | None) -> Tenant | None:
    if id_file is None or not id_file.exists():
        return None
    try:
        return tenants.get_tenant(database, settings, UUID(id_file.read_text().strip()))
    except (ValueError, TenantNotFound):
        return None


def find_or_create_demo(database: Database, settings: Settings, id_file: Path | None, demo: Demo = ENGLISH) -> Tenant:
    """The demo tenant: the one whose id `id_file` remembers, whatever the operator has changed about it
    since (its WHMCS id, its name); else, for a data dir from before the file existed, the one with the
    demo's WHMCS id; else a new one. Its id is remembered in `id_file` for the next start."""
    tenant = _remembered(database, settings, id_file) or tenants.ensure_tenant(database, settings, demo.tenant)
    if id_file is not None:
        id_file.parent.mkdir(parents=True, exist_ok=True)
        id_file.write_text(f"{tenant.id}\n")
    return tenant


def seed_demo(
    database: Database, settings: Settings, id_file: Path | None = None, demo: Demo = ENGLISH
) -> tuple[Tenant, int]:
    """One demo tenant (see find_or_create_demo), and how many knowledge sources were added now (none when
    it already has some)."""
    tenant = find_or_create_demo(database, settings, id_file, demo)
    if tenant.effective_settings.allowed_domains != demo_origins(settings):
        patch = TenantUpdate(settings={"allowed_domains": demo_origins(settings)})
        tenant = tenants.update_tenant(database, settings, tenant.id, patch)
    if sources.list_sources(database, tenant.id, PageParams(limit=1)).total:
        return tenant, 0
    added = demo_sources(tenant.id, demo)
    for source in added:
        sources.create_source(database, settings, source)
    return tenant, len(added)


def demo_id_files(english_id_file: Path | None) -> dict[Demo, Path | None]:
    """Where each demo's id is remembered: the English one in `english_id_file` (the file `make up` and docker
    compose have always used), every other demo's beside it under its own name."""
    if english_id_file is None:
        return dict.fromkeys(DEMOS)
    return {
        demo: english_id_file if demo is ENGLISH else english_id_file.with_name(demo.id_file_name) for demo in DEMOS
    }


def seed_demos(
    database: Database, settings: Settings, english_id_file: Path | None = None
) -> dict[Demo, tuple[Tenant, int]]:
    """Every demo tenant (English first, then Dutch) seeded as seed_demo does, their ids remembered beside
    `english_id_file` (demo_id_files)."""
    return {
        demo: seed_demo(database, settings, id_file, demo) for demo, id_file in demo_id_files(english_id_file).items()
    }
