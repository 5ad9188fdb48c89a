"use client";

import { useEffect, useRef, useState } from "react";
import { Bot, Loader2, RotateCcw, Send, User } from "lucide-react";

import { confidenceVariant } from "@/components/common";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/native-select";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage } from "@/lib/api";
import type { PreviewAnswer, Tenant } from "@/lib/types";
import { cn } from "@/lib/utils";

type Entry = { id: string; question: string; answer?: PreviewAnswer; error?: string };

const PARTS = [
  { key: "retrieval_similarity", label: "Retrieval", hint: "How close the best knowledge found is to the question." },
  { key: "source_coverage", label: "Coverage", hint: "How much of the question the supporting sentences cover." },
  { key: "answer_coherence", label: "Coherence", hint: "How well the answer holds together and stays with its sources." },
] as const;

const LANGUAGES = [
  { value: "", label: "Language: detect" },
  { value: "en", label: "English" },
  { value: "nl", label: "Nederlands" },
  { value: "de", label: "Deutsch" },
  { value: "fr", label: "Français" },
];

const percent = (value: number) => `${Math.round(value * 100)}%`;

/** Why the bot did what it did: its decision, the confidence against the tenant's thresholds, the three parts. */
function Verdict({ answer, tenant }: { answer: PreviewAnswer; tenant: Tenant }) {
  const { escalate_threshold: escalate, refuse_threshold: refuse } = tenant.effective_settings;
  const decision = answer.intent
    ? answer.intent === "handoff"
      ? "asked for a person: handed to the team"
      : `small talk (${answer.intent})`
    : answer.refused
      ? `refused: confidence below ${percent(refuse)}`
      : answer.escalated
        ? `answered and escalated: confidence below ${percent(escalate)}`
        : `answered: confidence at least ${percent(escalate)}`;
  return (
    <div className="grid gap-2 text-xs" data-testid="preview-verdict">
      <div className="flex flex-wrap items-center gap-2">
        {answer.confidence !== null && (
          <Badge variant={confidenceVariant(answer.confidence, escalate, refuse)} data-testid="preview-confidence">
            confidence {percent(answer.confidence)}
          </Badge>
        )}
        {answer.refused && <Badge variant="danger" data-testid="preview-refused">refused</Badge>}
        {answer.escalated && <Badge variant="warning">escalated</Badge>}
        {answer.handed_off && <Badge variant="info" data-testid="preview-handed-off">a visitor would wait for the team</Badge>}
        <span className="text-muted-foreground">
          {decision} · {answer.language} · {answer.latency_ms} ms
        </span>
      </div>
      {answer.confidence_parts && (
        <dl className="grid grid-cols-[auto_1fr_auto] items-center gap-x-2 gap-y-1" data-testid="preview-parts">
          {PARTS.map(({ key, label, hint }) => {
            const value = answer.confidence_parts![key];
            return (
              <div key={key} className="contents" title={hint}>
                <dt className="text-muted-foreground">{label}</dt>
                <dd className="bg-muted h-1.5 overflow-hidden rounded-full">
                  <div className="bg-primary h-full" style={{ width: percent(value) }} />
                </dd>
                <dd className="tabular-nums" data-part={key}>
                  {percent(value)}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
      {answer.sources.length > 0 && (
        <details data-testid="preview-sources" open={answer.refused}>
          <summary className="text-muted-foreground cursor-pointer select-none">
            {answer.sources.length} source{answer.sources.length > 1 ? "s" : ""} found
            {answer.refused ? " (a visitor sees none with a refusal)" : ""}
          </summary>
          <ol className="mt-1.5 grid gap-1.5">
            {answer.sources.map((source, i) => (
              <li key={`${source.source_id}-${i}`} className="grid gap-0.5" data-testid="preview-source">
                <span className="font-medium">
                  {source.cited && <Badge variant="secondary" className="mr-1">cited</Badge>}
                  {source.title ?? source.url ?? "Untitled"} <span className="text-muted-foreground">· {percent(source.score)}</span>
                </span>
                <span className="text-muted-foreground line-clamp-2">{source.snippet}</span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

/** Test your bot: the tenant's real pipeline, without consent, limits or counts; nothing reaches the team. */
export function PreviewChat({ tenant }: { tenant: Tenant }) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [message, setMessage] = useState("");
  const [language, setLanguage] = useState("");
  const [busy, setBusy] = useState(false);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    end.current?.scrollIntoView({ block: "nearest" });
  }, [entries]);

  async function send(event?: React.FormEvent) {
    event?.preventDefault();
    const question = message.trim();
    if (!question || busy) return;
    const id = `${Date.now()}`;
    setEntries((list) => [...list, { id, question }]);
    setMessage("");
    setBusy(true);
    try {
      const answer = await api<PreviewAnswer>(`/tenants/${tenant.id}/preview`, {
        method: "POST",
        body: { message: question, conversation_id: conversationId, language: language || null },
      });
      setConversationId(answer.conversation_id);
      setEntries((list) => list.map((e) => (e.id === id ? { ...e, answer } : e)));
    } catch (err) {
      setEntries((list) => list.map((e) => (e.id === id ? { ...e, error: errorMessage(err) } : e)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card className="gap-4" data-testid="preview-chat">
      <CardHeader>
        <CardTitle>Test your bot</CardTitle>
        <CardDescription>
          Ask as a visitor would. The real pipeline answers, with why: its confidence, the three parts and the sources.
          Previews need no consent and count nowhere (usage, quota, gaps, inbox); nothing is handed to the team.
        </CardDescription>
        <CardAction className="flex gap-2">
          <NativeSelect aria-label="Language" value={language} onChange={(e) => setLanguage(e.target.value)}>
            {LANGUAGES.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </NativeSelect>
          <Button
            variant="outline"
            size="sm"
            data-testid="preview-reset"
            onClick={() => {
              setEntries([]);
              setConversationId(null);
            }}
          >
            <RotateCcw /> New conversation
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent className="grid gap-4">
        <ol className="grid max-h-[32rem] gap-4 overflow-y-auto" data-testid="preview-messages">
          {entries.length === 0 && <li className="text-muted-foreground text-sm">No questions yet.</li>}
          {entries.map((entry) => (
            <li key={entry.id} className="grid gap-2">
              <div className="flex justify-end gap-2">
                <div className="bg-muted max-w-[80%] rounded-lg px-3 py-2 text-sm break-words whitespace-pre-wrap">{entry.question}</div>
                <User className="text-muted-foreground mt-2 size-4 shrink-0" aria-label="You" />
              </div>
              <div className="flex gap-2">
                <Bot className="text-muted-foreground mt-2 size-4 shrink-0" aria-label="Bot" />
                <div className="grid max-w-[85%] gap-2">
                  {entry.answer ? (
                    <>
                      <div
                        className={cn(
                          "bg-card rounded-lg border px-3 py-2 text-sm break-words whitespace-pre-wrap",
                          entry.answer.refused && "border-destructive/50",
                        )}
                        data-testid="preview-answer"
                        data-refused={entry.answer.refused}
                      >
                        {entry.answer.answer}
                      </div>
                      <Verdict answer={entry.answer} tenant={tenant} />
                    </>
                  ) : entry.error ? (
                    <p className="text-destructive text-sm" role="alert">
                      {entry.error}
                    </p>
                  ) : (
                    <Loader2 className="text-muted-foreground size-4 animate-spin" aria-label="Answering" />
                  )}
                </div>
              </div>
            </li>
          ))}
          <div ref={end} />
        </ol>
        <form onSubmit={send} className="flex items-end gap-2">
          <Textarea
            aria-label="Question"
            data-testid="preview-input"
            rows={2}
            value={message}
            placeholder="Ask the bot a question…"
            onChange={(e) => setMessage(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                void send();
              }
            }}
          />
          <Button type="submit" data-testid="preview-send" disabled={busy || !message.trim()}>
            {busy ? <Loader2 className="animate-spin" /> : <Send />} Ask
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
