"use client";

import { NativeSelect } from "@/components/ui/native-select";
import type { Page, Tenant } from "@/lib/types";
import { useApi } from "@/lib/use-api";

/** The tenants, for filters (the API's largest page: 100, by name order of the API). */
export function useTenantOptions() {
  const { data } = useApi<Page<Tenant>>("/tenants?limit=100");
  return data?.items ?? [];
}

export function TenantSelect({
  value,
  onChange,
  tenants,
  testId = "tenant-select",
}: {
  value: string;
  onChange: (value: string) => void;
  tenants: Tenant[];
  testId?: string;
}) {
  return (
    <NativeSelect aria-label="Tenant" data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">All tenants</option>
      {value && !tenants.some((t) => t.id === value) && <option value={value}>Selected tenant</option>}
      {tenants.map((tenant) => (
        <option key={tenant.id} value={tenant.id}>
          {tenant.name}
        </option>
      ))}
    </NativeSelect>
  );
}
