"use client";

import { useState } from "react";
import { Download } from "lucide-react";

import { PageHeader } from "@/components/common";
import { TenantSelect, useTenantOptions } from "@/components/tenant-select";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { ActivityChart, AnswersChart, FeedbackChart, TokensChart } from "@/components/usage-charts";
import { query } from "@/lib/api";
import type { Tenant, Usage, UsageTotals } from "@/lib/types";
import { COUNT_KEYS, formatRate, isoDay, perDay, resolutionRate, usageCsv } from "@/lib/usage";
import { useApi } from "@/lib/use-api";
import { formatNumber } from "@/lib/utils";

function defaultRange(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86_400_000);
  return { from: isoDay(from), to: isoDay(to) };
}

function downloadCsv(usage: Usage, tenants: Tenant[]) {
  const blob = new Blob([usageCsv(usage, new Map(tenants.map((t) => [t.id, t.name])))], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `tinyeclipse-usage-${usage.since}-to-${usage.until}.csv`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

type TotalKey = (typeof COUNT_KEYS)[number] | "resolution_rate";

const TOTALS: { key: TotalKey; label: string; hint?: string }[] = [
  { key: "messages", label: "Visitor messages" },
  { key: "answers", label: "Answers", hint: "Bot answers to questions about the knowledge; small talk not counted." },
  {
    key: "resolved",
    label: "Resolved without a human",
    hint: "Answered, not escalated or refused, no thumbs down, and no operator reply later in the conversation.",
  },
  { key: "resolution_rate", label: "Resolution rate", hint: "Resolved without a human ÷ answers." },
  { key: "escalations", label: "Escalated" },
  { key: "refusals", label: "Refused" },
  { key: "handoff_requests", label: "Asked for a person" },
  { key: "thumbs_up", label: "Thumbs up" },
  { key: "thumbs_down", label: "Thumbs down" },
  { key: "tokens_in", label: "Tokens in" },
  { key: "tokens_out", label: "Tokens out" },
];

function totalText(totals: UsageTotals, key: TotalKey): string {
  return key === "resolution_rate" ? formatRate(resolutionRate(totals)) : formatNumber(totals[key] ?? 0);
}

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
        description="Visitor messages, answers and how many were resolved without a human, visitor feedback and LLM tokens per UTC day."
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

      <div className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-4 xl:grid-cols-6" data-testid="usage-totals">
        {TOTALS.map(({ key, label, hint }) => (
          <Card key={key} className="gap-1 py-4" title={hint}>
            <CardHeader className="px-4">
              <CardDescription>{label}</CardDescription>
            </CardHeader>
            <CardContent className="px-4">
              {data && !loading ? (
                <p className="text-2xl font-semibold tabular-nums" data-testid={`usage-total-${key}`}>
                  {totalText(data.totals, key)}
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
            <CardTitle>Answers per day</CardTitle>
            <CardDescription>
              {data ? `${data.since} to ${data.until} (UTC)` : "Loading…"}
              {empty && " · nothing recorded in this range yet"}
              {" · "}resolution rate = resolved without a human ÷ answers (right axis)
            </CardDescription>
          </CardHeader>
          <CardContent>{data && !loading ? <AnswersChart rows={rows} /> : <Skeleton className="h-[300px] w-full" />}</CardContent>
        </Card>
        <div className="grid gap-6 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>Visitors per day</CardTitle>
              <CardDescription>Messages, and requests to talk to a person.</CardDescription>
            </CardHeader>
            <CardContent>{data && !loading ? <ActivityChart rows={rows} /> : <Skeleton className="h-[280px] w-full" />}</CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Visitor feedback per day</CardTitle>
              <CardDescription>Thumbs on answers in the widget.</CardDescription>
            </CardHeader>
            <CardContent>{data && !loading ? <FeedbackChart rows={rows} /> : <Skeleton className="h-[220px] w-full" />}</CardContent>
          </Card>
        </div>
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
