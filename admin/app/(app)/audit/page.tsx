"use client";

import { useState } from "react";
import Link from "next/link";
import { ScrollText } from "lucide-react";

import { EmptyState, PageHeader, Pagination, SkeletonRows } from "@/components/common";
import { TenantSelect, useTenantOptions } from "@/components/tenant-select";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { query } from "@/lib/api";
import { ACTION_FILTERS, actionLabel, actorLabel, type AuditEntry } from "@/lib/privacy";
import type { Page } from "@/lib/types";
import { useApi, useDebounced } from "@/lib/use-api";
import { formatDateTime } from "@/lib/utils";

const LIMIT = 50;

/** The details worth a glance: counts, changed fields, plan and status changes (never content: the API has none). */
function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== 0 && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => {
      const label = key.replaceAll("_", " ");
      if (Array.isArray(value)) return `${label}: ${value.join(", ")}`;
      if (value && typeof value === "object") {
        const change = value as { from?: unknown; to?: unknown };
        if ("from" in change && "to" in change) return `${label}: ${String(change.from)} → ${String(change.to)}`;
        return `${label}: ${Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v)
          .map(([k, v]) => `${k.replaceAll("_", " ")} ${String(v)}`)
          .join(", ")}`;
      }
      return `${label}: ${String(value)}`;
    })
    .join(" · ");
}

export default function AuditPage() {
  const tenants = useTenantOptions();
  const [tenant, setTenant] = useState("");
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [offset, setOffset] = useState(0);
  const debouncedActor = useDebounced(actor.trim());
  const path = `/audit${query({ tenant_id: tenant, action, actor: debouncedActor, limit: LIMIT, offset })}`;
  const { data, loading } = useApi<Page<AuditEntry>>(path);
  const names = new Map(tenants.map((t) => [t.id, t.name]));

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what to which tenant, and when: operators by their admin key's name, visitors' own exports and erasures, retention runs."
      />
      <Card className="gap-4 py-4">
        <CardContent className="grid gap-3 px-4 sm:grid-cols-3">
          <TenantSelect
            value={tenant}
            tenants={tenants}
            testId="audit-tenant"
            onChange={(value) => {
              setTenant(value);
              setOffset(0);
            }}
          />
          <NativeSelect
            aria-label="Action"
            data-testid="audit-action"
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              setOffset(0);
            }}
          >
            {ACTION_FILTERS.map((filter) => (
              <option key={filter.value} value={filter.value}>
                {filter.label}
              </option>
            ))}
          </NativeSelect>
          <Input
            type="search"
            aria-label="Who"
            placeholder="Who (admin key name)"
            data-testid="audit-actor"
            value={actor}
            onChange={(e) => {
              setActor(e.target.value);
              setOffset(0);
            }}
          />
        </CardContent>
        <CardContent className="px-4">
          {data && data.total === 0 ? (
            <EmptyState icon={ScrollText} title="Nothing recorded" description="No action matches these filters yet." />
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>When</TableHead>
                  <TableHead>Who</TableHead>
                  <TableHead>What</TableHead>
                  <TableHead>Tenant</TableHead>
                  <TableHead className="hidden lg:table-cell">Details</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody className={loading && data ? "opacity-60" : undefined}>
                {!data ? (
                  <SkeletonRows columns={5} />
                ) : (
                  data.items.map((entry) => (
                    <TableRow key={entry.id} data-testid="audit-row" data-action={entry.action}>
                      <TableCell className="text-muted-foreground whitespace-nowrap">{formatDateTime(entry.created_at)}</TableCell>
                      <TableCell>
                        <Badge variant={entry.actor.includes(":") ? "secondary" : "outline"}>{actorLabel(entry.actor)}</Badge>
                      </TableCell>
                      <TableCell className="font-medium">{actionLabel(entry.action)}</TableCell>
                      <TableCell>
                        {entry.tenant_id ? (
                          names.has(entry.tenant_id) ? (
                            <Link href={`/tenants/view/?id=${entry.tenant_id}`} className="hover:underline">
                              {names.get(entry.tenant_id)}
                            </Link>
                          ) : (
                            <span className="text-muted-foreground font-mono text-xs" title="Terminated or not loaded">
                              {entry.tenant_id.slice(0, 8)}
                            </span>
                          )
                        ) : (
                          "—"
                        )}
                      </TableCell>
                      <TableCell className="text-muted-foreground hidden max-w-md text-xs lg:table-cell">
                        {describeDetails(entry.details)}
                      </TableCell>
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
