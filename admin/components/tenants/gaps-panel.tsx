"use client";

import { useState } from "react";
import { EyeOff, MessageSquarePlus, SearchCheck, ThumbsDown } from "lucide-react";
import { toast } from "sonner";

import { EmptyState } from "@/components/common";
import { AnswerGapDialog } from "@/components/tenants/answer-gap-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/native-select";
import { Skeleton } from "@/components/ui/skeleton";
import { api, errorMessage, query } from "@/lib/api";
import type { GapGroup, Gaps } from "@/lib/types";
import { isoDay } from "@/lib/usage";
import { useApi } from "@/lib/use-api";
import { formatDateTime, formatRelative } from "@/lib/utils";

const PERIODS = [7, 30, 90] as const;

function GapCard({ group, onAnswer, onDismiss, busy }: { group: GapGroup; onAnswer: () => void; onDismiss: () => void; busy: boolean }) {
  return (
    <li className="rounded-lg border p-4" data-testid="gap-group" data-count={group.count}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 flex-1">
          <p className="font-medium break-words" data-testid="gap-question">
            {group.question}
          </p>
          <div className="text-muted-foreground mt-1 flex flex-wrap items-center gap-2 text-xs">
            <Badge variant="secondary" data-testid="gap-count">
              {group.count} question{group.count > 1 ? "s" : ""}
            </Badge>
            {group.refused > 0 && <Badge variant="danger">{group.refused} refused</Badge>}
            {group.escalated > 0 && <Badge variant="warning">{group.escalated} escalated</Badge>}
            {group.thumbs_down > 0 && (
              <Badge variant="danger">
                <ThumbsDown aria-hidden /> {group.thumbs_down}
              </Badge>
            )}
            <span title={formatDateTime(group.latest_at)}>latest {formatRelative(group.latest_at)}</span>
          </div>
        </div>
        <div className="flex gap-2">
          <Button size="sm" data-testid="gap-answer" onClick={onAnswer} disabled={busy}>
            <MessageSquarePlus /> Answer this
          </Button>
          <Button size="sm" variant="outline" data-testid="gap-dismiss" onClick={onDismiss} disabled={busy}>
            <EyeOff /> Dismiss
          </Button>
        </div>
      </div>
      <div className="bg-muted/50 mt-3 rounded-md px-3 py-2 text-sm">
        <span className="text-muted-foreground text-xs">The bot answered: </span>
        <span className="break-words whitespace-pre-wrap" data-testid="gap-bot-answer">
          {group.answer}
        </span>
      </div>
      {group.examples.length > 1 && (
        <details className="mt-2 text-sm">
          <summary className="text-muted-foreground cursor-pointer text-xs select-none">Latest questions of this group</summary>
          <ul className="mt-2 grid gap-1.5">
            {group.examples.map((example) => (
              <li key={example.message_id} className="grid gap-0.5" data-testid="gap-example">
                <span className="break-words">“{example.question}”</span>
                <span className="text-muted-foreground text-xs">
                  {formatDateTime(example.created_at)} · {example.refused ? "refused" : example.escalated ? "escalated" : "thumbs down"}
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

/** The questions the bot could not answer, grouped by meaning, largest first. */
export function GapsPanel({ tenantId }: { tenantId: string }) {
  const [days, setDays] = useState<number>(30);
  const [sort, setSort] = useState<"largest" | "newest">("largest");
  const [today] = useState(() => Date.now());
  const from = isoDay(new Date(today - (days - 1) * 86_400_000));
  const { data, reload } = useApi<Gaps>(`/tenants/${tenantId}/gaps${query({ from, sort })}`);
  const [answering, setAnswering] = useState<GapGroup | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  async function dismiss(group: GapGroup) {
    setBusyId(group.id);
    try {
      await api(`/tenants/${tenantId}/gaps/dismiss`, { method: "POST", body: { message_ids: group.message_ids } });
      toast.success("Dismissed");
      reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusyId(null);
    }
  }

  return (
    <Card className="gap-4" data-testid="gaps-panel">
      <CardHeader>
        <CardTitle>Content gaps</CardTitle>
        <CardDescription>
          Questions the bot refused or escalated, or that got a thumbs down, grouped by meaning
          {data ? ` (${data.questions} in the period, grouped with ${data.model})` : ""}. Answer one to add it to the FAQ.
        </CardDescription>
        <CardAction className="flex gap-2">
          <NativeSelect aria-label="Period" data-testid="gaps-period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </NativeSelect>
          <NativeSelect aria-label="Order" value={sort} onChange={(e) => setSort(e.target.value as "largest" | "newest")}>
            <option value="largest">Largest first</option>
            <option value="newest">Newest first</option>
          </NativeSelect>
        </CardAction>
      </CardHeader>
      <CardContent>
        {!data ? (
          <div className="grid gap-3">
            <Skeleton className="h-24" />
            <Skeleton className="h-24" />
          </div>
        ) : data.groups.length === 0 ? (
          <EmptyState
            icon={SearchCheck}
            title="No gaps in this period"
            description="Every question was answered with confidence, or its gap was answered or dismissed."
          />
        ) : (
          <ul className="grid gap-3" data-testid="gap-groups">
            {data.groups.map((group) => (
              <GapCard
                key={group.id}
                group={group}
                busy={busyId === group.id}
                onAnswer={() => setAnswering(group)}
                onDismiss={() => dismiss(group)}
              />
            ))}
          </ul>
        )}
      </CardContent>
      <AnswerGapDialog
        tenantId={tenantId}
        group={answering}
        onClose={() => setAnswering(null)}
        onSaved={() => {
          setAnswering(null);
          reload();
        }}
      />
    </Card>
  );
}
