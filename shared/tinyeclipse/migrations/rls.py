"""The row-level security every tenant-owned table gets, as SQL for the migrations."""

CURRENT_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def tenant_policies(table: str, tenant_column: str = "tenant_id") -> str:
    """ENABLE + FORCE RLS; the app sees the current tenant's rows, the operator role sees all."""
    scope = f"{tenant_column} = {CURRENT_TENANT}"
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {table} TO tinyeclipse_app USING ({scope}) WITH CHECK ({scope});
CREATE POLICY operator_access ON {table} TO tinyeclipse_operator USING (true) WITH CHECK (true);
"""
