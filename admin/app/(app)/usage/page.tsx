"use client";

import { useState } from "react";
import { Download } from "lucide-react";

import { PageHeader } from "@/components/common";
import { TenantSelect, useTenantOptions } from "@/components/tenant-select";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { ActivityChart, TokensChart, type DayRow } from "@/components/usage-charts";
import { query } from "@/lib/api";
import type { Tenant, Usage } from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { formatNumber } from "@/lib/utils";

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function defaultRange(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86_400_000);
  return { from: isoDay(from), to: isoDay(to) };
}

/** One row per day of the range (UTC), summed over tenants, zero where nothing happened. */
function perDay(usage: Usage): DayRow[] {
  const rows = new Map<string, DayRow>();
  const start = new Date(`${usage.since}T00:00:00Z`).getTime();
  const end = new Date(`${usage.until}T00:00:00Z`).getTime();
  for (let t = start; t <= end && rows.size < 3700; t += 86_400_000) {
    const day = isoDay(new Date(t));
    rows.set(day, { day, messages: 0, escalations: 0, refusals: 0, tokens_in: 0, tokens_out: 0 });
  }
  for (const d of usage.days) {
    const row = rows.get(d.day) ?? { day: d.day, messages: 0, escalations: 0, refusals: 0, tokens_in: 0, tokens_out: 0 };
    row.messages += d.messages;
    row.escalations += d.escalations;
    row.refusals += d.refusals;
    row.tokens_in += d.tokens_in;
    row.tokens_out += d.tokens_out;
    rows.set(d.day, row);
  }
  return [...rows.values()].sort((a, b) => a.day.localeCompare(b.day));
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function downloadCsv(usage: Usage, tenants: Tenant[]) {
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  const header = ["day", "tenant_id", "tenant_name", "messages", "escalations", "refusals", "tokens_in", "tokens_out"];
  const lines = [header.join(",")];
  for (const d of [...usage.days].sort((a, b) => a.day.localeCompare(b.day) || a.tenant_id.localeCompare(b.tenant_id))) {
    lines.push(
      [d.day, d.tenant_id, names.get(d.tenant_id) ?? "", d.messages, d.escalations, d.refusals, d.tokens_in, d.tokens_out]
        .map(csvCell)
        .join(","),
    );
  }
  const blob = new Blob([`${lines.join("\r\n")}\r\n`], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `tinyeclipse-usage-${usage.since}-to-${usage.until}.csv`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const TOTALS = [
  { key: "messages", label: "Visitor messages" },
  { key: "escalations", label: "Escalations" },
  { key: "refusals", label: "Refusals" },
  { key: "tokens_in", label: "Tokens in" },
  { key: "tokens_out", label: "Tokens out" },
] as const;

export default function UsagePage() {
  const tenants = useTenantOptions();
  const [tenantId, setTenantId] = useState("");
  const [range, setRange] = useState(defaultRange);
  const invalid = Boolean(range.from && range.to && range.from > range.to);
  const path = invalid ? null : `/usage${query({ tenant_id: tenantId, from: range.from, to: range.to })}`;
  const { data, loading } = useApi<Usage>(path);
  const rows = data ? perDay(data) : [];
  const empty = data && data.totals.messages === 0 && data.totals.tokens_in === 0 && data.totals.tokens_out === 0;

  return (
    <>
      <PageHeader
        title="Usage"
        description="Visitor messages, escalations, refusals and LLM tokens per UTC day."
        actions={
          <Button variant="outline" data-testid="usage-csv" disabled={!data} onClick={() => data && downloadCsv(data, tenants)}>
            <Download /> Download CSV
          </Button>
        }
      />
      <Card className="mb-6 gap-4 py-4">
        <CardContent className="grid gap-3 px-4 sm:grid-cols-3">
          <TenantSelect tenants={tenants} value={tenantId} onChange={setTenantId} testId="usage-tenant" />
          <label className="grid gap-1 text-xs font-medium">
            From
            <Input
              type="date"
              data-testid="usage-from"
              value={range.from}
              max={range.to || undefined}
              onChange={(e) => setRange((r) => ({ ...r, from: e.target.value }))}
            />
          </label>
          <label className="grid gap-1 text-xs font-medium">
            To
            <Input
              type="date"
              data-testid="usage-to"
              value={range.to}
              min={range.from || undefined}
              onChange={(e) => setRange((r) => ({ ...r, to: e.target.value }))}
            />
          </label>
          {invalid && <p className="text-destructive text-sm sm:col-span-3">“From” must not be after “To”.</p>}
        </CardContent>
      </Card>

      <div className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="usage-totals">
        {TOTALS.map(({ key, label }) => (
          <Card key={key} className="gap-1 py-4">
            <CardHeader className="px-4">
              <CardDescription>{label}</CardDescription>
            </CardHeader>
            <CardContent className="px-4">
              {data && !loading ? (
                <p className="text-2xl font-semibold tabular-nums" data-testid={`usage-total-${key}`}>
                  {formatNumber(data.totals[key])}
                </p>
              ) : (
                <Skeleton className="h-8 w-20" />
              )}
            </CardContent>
          </Card>
        ))}
      </div>

      <div className="grid gap-6" data-testid="usage-chart">
        <Card>
          <CardHeader>
            <CardTitle>Activity per day</CardTitle>
            <CardDescription>
              {data ? `${data.since} to ${data.until} (UTC)` : "Loading…"}
              {empty && " · nothing recorded in this range yet"}
            </CardDescription>
          </CardHeader>
          <CardContent>{data && !loading ? <ActivityChart rows={rows} /> : <Skeleton className="h-[280px] w-full" />}</CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>LLM tokens per day</CardTitle>
            <CardDescription>Zero with the offline extractive provider, which generates nothing.</CardDescription>
          </CardHeader>
          <CardContent>{data && !loading ? <TokensChart rows={rows} /> : <Skeleton className="h-[240px] w-full" />}</CardContent>
        </Card>
      </div>
    </>
  );
}
