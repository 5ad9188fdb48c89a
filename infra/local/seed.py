"""The demo tenant `make up` creates, idempotently, so the stack has someone to serve on first start."""

from tinyeclipse.db import Database
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import Tenant, TenantCreate
from tinyeclipse.tenants.settings import Plan

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


def seed_demo_tenant(database: Database) -> Tenant:
    return tenants.ensure_tenant(database, DEMO_TENANT)
