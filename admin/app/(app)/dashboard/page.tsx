"use client";

import { useState } from "react";
import { Download, Loader2 } from "lucide-react";
import { toast } from "sonner";

import { ConversationsChart, FirstResponseChart, MessagesChart, outcomeRows } from "@/components/dashboard-charts";
import { PageHeader } from "@/components/common";
import { TenantSelect, useTenantOptions } from "@/components/tenant-select";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { Skeleton } from "@/components/ui/skeleton";
import { API_BASE, query } from "@/lib/api";
import { getKey } from "@/lib/auth";
import type { Dashboard, Outcomes } from "@/lib/types";
import { isoDay } from "@/lib/usage";
import { useApi } from "@/lib/use-api";
import { formatNumber } from "@/lib/utils";

type Key = keyof Outcomes | "resolution_rate";

// docs/dashboard.md defines each number.
const TOTALS: { key: Key; label: string; hint: string }[] = [
  { key: "conversations", label: "Conversations", hint: "Conversations started in the period." },
  { key: "visitor_messages", label: "Visitor messages", hint: "Messages visitors wrote." },
  { key: "answered", label: "Answered by the bot", hint: "Answers from the knowledge (not refused; small talk not counted)." },
  {
    key: "resolved",
    label: "Resolved without a human",
    hint: "Conversations with an answer and no escalation, no hand-off and no thumbs down.",
  },
  { key: "resolution_rate", label: "Resolved share", hint: "Resolved without a human ÷ conversations." },
  { key: "handed_off", label: "Handed off", hint: "Conversations handed to the team (waiting for or answered by a person)." },
  { key: "refused", label: "Refused", hint: "Questions the bot did not answer." },
  { key: "thumbs_up", label: "Thumbs up", hint: "Visitors' thumbs up on answers." },
  { key: "thumbs_down", label: "Thumbs down", hint: "Visitors' thumbs down on answers." },
  {
    key: "first_response_median_seconds",
    label: "Team's first response",
    hint: "Median time from a hand-off to the team's first message.",
  },
];

function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function totalText(totals: Outcomes, key: Key): string {
  if (key === "resolution_rate") return totals.conversations ? `${Math.round((totals.resolved / totals.conversations) * 100)}%` : "—";
  if (key === "first_response_median_seconds") return duration(totals.first_response_median_seconds);
  return formatNumber(totals[key] ?? 0);
}

async function downloadCsv(path: string) {
  const key = getKey();
  const response = await fetch(`${API_BASE}${path}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  if (!response.ok) throw new Error(`The export failed (HTTP ${response.status}).`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "outcomes.csv";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export default function DashboardPage() {
  const tenants = useTenantOptions();
  const [tenantId, setTenantId] = useState("");
  const [interval, setInterval] = useState<"day" | "week">("day");
  const [range, setRange] = useState(() => ({
    from: isoDay(new Date(Date.now() - 29 * 86_400_000)),
    to: isoDay(new Date()),
  }));
  const [exporting, setExporting] = useState(false);
  const invalid = Boolean(range.from && range.to && range.from > range.to);
  const params = query({ tenant_id: tenantId, from: range.from, to: range.to, interval });
  const { data, loading } = useApi<Dashboard>(invalid ? null : `/dashboard${params}`);
  const rows = data ? outcomeRows(data.buckets) : [];
  const per = interval === "day" ? "day" : "week";

  async function exportCsv() {
    setExporting(true);
    try {
      await downloadCsv(`/dashboard.csv${params}`);
    } catch (err) {
      toast.error(err instanceof Error ? err.message : "The export failed.");
    } finally {
      setExporting(false);
    }
  }

  return (
    <>
      <PageHeader
        title="Outcomes"
        description="Does the bot take load off the team? Conversations, answers, hand-offs and the team's first response, per UTC day or week."
        actions={
          <Button variant="outline" data-testid="dashboard-csv" disabled={!data || exporting} onClick={exportCsv}>
            {exporting ? <Loader2 className="animate-spin" /> : <Download />} Export CSV
          </Button>
        }
      />
      <Card className="mb-6 gap-4 py-4">
        <CardContent className="grid gap-3 px-4 sm:grid-cols-4">
          <TenantSelect tenants={tenants} value={tenantId} onChange={setTenantId} testId="dashboard-tenant" />
          <NativeSelect aria-label="Per" data-testid="dashboard-interval" value={interval} onChange={(e) => setInterval(e.target.value as "day" | "week")}>
            <option value="day">Per day</option>
            <option value="week">Per week</option>
          </NativeSelect>
          <Input
            type="date"
            aria-label="From"
            value={range.from}
            max={range.to || undefined}
            onChange={(e) => setRange((r) => ({ ...r, from: e.target.value }))}
          />
          <Input
            type="date"
            aria-label="To"
            value={range.to}
            min={range.from || undefined}
            onChange={(e) => setRange((r) => ({ ...r, to: e.target.value }))}
          />
          {invalid && <p className="text-destructive text-sm sm:col-span-4">“From” must not be after “To”.</p>}
        </CardContent>
      </Card>

      <div className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="dashboard-totals">
        {TOTALS.map(({ key, label, hint }) => (
          <Card key={key} className="gap-1 py-4" title={hint}>
            <CardHeader className="px-4">
              <CardDescription>{label}</CardDescription>
            </CardHeader>
            <CardContent className="px-4">
              {data && !loading ? (
                <p className="text-2xl font-semibold tabular-nums" data-testid={`dashboard-total-${key}`}>
                  {totalText(data.totals, key)}
                </p>
              ) : (
                <Skeleton className="h-8 w-20" />
              )}
            </CardContent>
          </Card>
        ))}
      </div>

      <div className="grid gap-6" data-testid="dashboard-charts">
        <Card>
          <CardHeader>
            <CardTitle>Conversations per {per}</CardTitle>
            <CardDescription>By the {per} they started · resolved share on the right axis</CardDescription>
          </CardHeader>
          <CardContent>{data && !loading ? <ConversationsChart rows={rows} /> : <Skeleton className="h-[300px] w-full" />}</CardContent>
        </Card>
        <div className="grid gap-6 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>Messages per {per}</CardTitle>
              <CardDescription>What visitors asked and how the bot did.</CardDescription>
            </CardHeader>
            <CardContent>{data && !loading ? <MessagesChart rows={rows} /> : <Skeleton className="h-[260px] w-full" />}</CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Team&apos;s first response</CardTitle>
              <CardDescription>Median minutes from a hand-off to the team&apos;s first message.</CardDescription>
            </CardHeader>
            <CardContent>{data && !loading ? <FirstResponseChart rows={rows} /> : <Skeleton className="h-[220px] w-full" />}</CardContent>
          </Card>
        </div>
      </div>
    </>
  );
}
