"use client";

import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Building2, Search } from "lucide-react";

import { EmptyState, PageHeader, Pagination, SkeletonRows, TenantStatusBadge } from "@/components/common";
import { CreateTenantDialog } from "@/components/tenants/create-tenant-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { query } from "@/lib/api";
import { PLANS, planLabel, type Page, type Tenant } from "@/lib/types";
import { useApi, useDebounced } from "@/lib/use-api";
import { formatDateTime } from "@/lib/utils";

const LIMIT = 20;

export default function TenantsPage() {
  const router = useRouter();
  const [search, setSearch] = useState("");
  const [plan, setPlan] = useState("");
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const debouncedSearch = useDebounced(search.trim());
  const path = `/tenants${query({ search: debouncedSearch, plan, status, limit: LIMIT, offset })}`;
  const { data, loading } = useApi<Page<Tenant>>(path);
  const filtered = Boolean(debouncedSearch || plan || status);

  const openTenant = (tenant: Tenant) => router.push(`/tenants/view/?id=${tenant.id}`);

  return (
    <>
      <PageHeader
        title="Tenants"
        description="Hosting clients with a support assistant."
        actions={<CreateTenantDialog onCreated={openTenant} />}
      />
      <Card className="gap-4 py-4">
        <CardContent className="flex flex-col gap-3 px-4 sm:flex-row">
          <div className="relative flex-1">
            <Search className="text-muted-foreground pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2" />
            <Input
              type="search"
              placeholder="Search name, domain or WHMCS id"
              aria-label="Search tenants"
              data-testid="tenant-search"
              className="pl-8"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setOffset(0);
              }}
            />
          </div>
          <div className="grid grid-cols-2 gap-3 sm:w-80">
            <NativeSelect
              aria-label="Plan"
              data-testid="tenant-filter-plan"
              value={plan}
              onChange={(e) => {
                setPlan(e.target.value);
                setOffset(0);
              }}
            >
              <option value="">All plans</option>
              {PLANS.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </NativeSelect>
            <NativeSelect
              aria-label="Status"
              data-testid="tenant-filter-status"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value);
                setOffset(0);
              }}
            >
              <option value="">All statuses</option>
              <option value="active">Active</option>
              <option value="suspended">Suspended</option>
            </NativeSelect>
          </div>
        </CardContent>
        <CardContent className="px-4">
          {data && data.total === 0 ? (
            filtered ? (
              <EmptyState
                icon={Search}
                title="No tenants match these filters"
                description="Try another search, or clear the filters."
                action={
                  <Button
                    variant="outline"
                    onClick={() => {
                      setSearch("");
                      setPlan("");
                      setStatus("");
                      setOffset(0);
                    }}
                  >
                    Clear filters
                  </Button>
                }
              />
            ) : (
              <EmptyState
                icon={Building2}
                title="No tenants yet"
                description="Create the first tenant to give a hosting client their assistant."
                action={<CreateTenantDialog onCreated={openTenant} trigger={<Button>Create tenant</Button>} />}
              />
            )
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead className="hidden sm:table-cell">Domain</TableHead>
                  <TableHead>Plan</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="hidden md:table-cell">WHMCS id</TableHead>
                  <TableHead className="hidden lg:table-cell">Created</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody className={loading && data ? "opacity-60" : undefined}>
                {!data ? (
                  <SkeletonRows columns={6} />
                ) : (
                  data.items.map((tenant) => (
                    <TableRow
                      key={tenant.id}
                      data-testid="tenant-row"
                      data-tenant-id={tenant.id}
                      className="cursor-pointer"
                      onClick={() => openTenant(tenant)}
                    >
                      <TableCell className="font-medium">
                        <Link href={`/tenants/view/?id=${tenant.id}`} className="hover:underline" onClick={(e) => e.stopPropagation()}>
                          {tenant.name}
                        </Link>
                      </TableCell>
                      <TableCell className="text-muted-foreground hidden sm:table-cell">{tenant.domain ?? "—"}</TableCell>
                      <TableCell>
                        <Badge variant="outline">{planLabel(tenant.plan)}</Badge>
                      </TableCell>
                      <TableCell>
                        <TenantStatusBadge status={tenant.status} />
                      </TableCell>
                      <TableCell className="text-muted-foreground hidden md:table-cell">{tenant.whmcs_client_id}</TableCell>
                      <TableCell className="text-muted-foreground hidden lg:table-cell">{formatDateTime(tenant.created_at)}</TableCell>
                    </TableRow>
                  ))
                )}
              </TableBody>
            </Table>
          )}
          {data && <Pagination total={data.total} limit={LIMIT} offset={offset} onChange={setOffset} />}
        </CardContent>
      </Card>
    </>
  );
}
