"use client";

import { Suspense, useEffect, useRef, useState } from "react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import {
  AlertTriangle,
  ArrowLeft,
  Bot,
  CheckCheck,
  Hand,
  Headset,
  Loader2,
  Lock,
  LockOpen,
  MessageCircle,
  SearchX,
  Send,
  ThumbsDown,
  ThumbsUp,
  Undo2,
  User,
} from "lucide-react";
import { toast } from "sonner";

import { confidenceVariant, EmptyState, PageHeader } from "@/components/common";
import { shortUrl, StateBadge, waitingFor } from "@/components/conversations/state";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage } from "@/lib/api";
import {
  DEFAULT_ESCALATE,
  DEFAULT_REFUSE,
  type ConfidenceParts,
  type Conversation,
  type Intent,
  type Message,
  type SourceUsed,
  type Tenant,
  type Transition,
} from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { cn, formatDateTime } from "@/lib/utils";

// The API's message roles: the visitor on one side, the bot and the operators on the other.
const ROLE = {
  user: { label: "Visitor", icon: User },
  assistant: { label: "Bot", icon: Bot },
  operator: { label: "Operator", icon: Headset },
} as const;

const ACTOR: Record<Transition["actor"], string> = {
  visitor: "the visitor",
  bot: "the bot",
  operator: "an operator",
  system: "the system",
};

const INTENT: Record<Intent, string> = {
  greeting: "small talk: greeting",
  thanks: "small talk: thanks",
  goodbye: "small talk: goodbye",
  identity: "small talk: are you a bot?",
  handoff: "asked for a person",
};

const PARTS = [
  {
    key: "retrieval_similarity",
    label: "retrieval",
    hint: "Retrieval similarity: how close the best knowledge found is to the question.",
  },
  {
    key: "source_coverage",
    label: "coverage",
    hint: "Source coverage: how much of the question the supporting sentences cover.",
  },
  {
    key: "answer_coherence",
    label: "coherence",
    hint: "Answer coherence: how well the answer holds together and stays with its sources.",
  },
] as const;

const percent = (value: number) => `${(value * 100).toFixed(0)}%`;

/** The three parts of an answer's confidence in one compact row; the model's features in its tooltip. */
function ConfidencePartsRow({ parts }: { parts: ConfidenceParts }) {
  const features = Object.entries(parts.features ?? {});
  return (
    <div
      className="text-muted-foreground flex flex-wrap items-center gap-x-3 gap-y-0.5 text-xs"
      data-testid="message-confidence-parts"
      title={features.length ? features.map(([name, value]) => `${name}: ${value.toFixed(3)}`).join("\n") : undefined}
    >
      {PARTS.map(({ key, label, hint }) => (
        <span key={key} title={hint} data-part={key}>
          {label} <span className="text-foreground tabular-nums">{percent(parts[key])}</span>
        </span>
      ))}
    </div>
  );
}

function FeedbackBadge({ feedback }: { feedback: NonNullable<Message["feedback"]> }) {
  const up = feedback === "up";
  return (
    <Badge variant={up ? "success" : "danger"} data-testid="message-feedback" data-feedback={feedback}>
      {up ? <ThumbsUp aria-hidden /> : <ThumbsDown aria-hidden />}
      {up ? "visitor: helpful" : "visitor: not helpful"}
    </Badge>
  );
}

function MessageItem({ message, escalate, refuse }: { message: Message; escalate: number; refuse: number }) {
  const role = ROLE[message.role as keyof typeof ROLE] ?? { label: message.role, icon: User };
  const Icon = role.icon;
  const fromVisitor = message.role === "user";
  return (
    <li
      data-testid="message"
      data-role={message.role}
      data-message-id={message.id}
      className={cn("flex gap-3", fromVisitor ? "flex-row" : "flex-row-reverse")}
    >
      <div
        className={cn(
          "flex size-8 shrink-0 items-center justify-center rounded-full",
          message.role === "operator" ? "bg-primary text-primary-foreground" : "bg-muted text-muted-foreground",
        )}
        aria-hidden
      >
        <Icon className="size-4" />
      </div>
      <div className={cn("flex max-w-[85%] flex-col gap-1.5 sm:max-w-[75%]", fromVisitor ? "items-start" : "items-end")}>
        <div className="text-muted-foreground flex flex-wrap items-center gap-2 text-xs">
          <span className="text-foreground font-medium">{role.label}</span>
          <time dateTime={message.created_at}>{formatDateTime(message.created_at)}</time>
          {message.confidence !== null && (
            <Badge
              variant={confidenceVariant(message.confidence, escalate, refuse)}
              data-testid="message-confidence"
              title="Confidence"
            >
              {percent(message.confidence)}
            </Badge>
          )}
          {message.intent && (
            <Badge
              variant={message.intent === "handoff" ? "info" : "secondary"}
              data-testid="message-intent"
              data-intent={message.intent}
            >
              <MessageCircle aria-hidden /> {INTENT[message.intent] ?? message.intent}
            </Badge>
          )}
          {message.feedback && <FeedbackBadge feedback={message.feedback} />}
          {message.escalated && (
            <Badge variant="warning" data-testid="message-escalated">
              <AlertTriangle /> escalated
            </Badge>
          )}
          {message.refused && (
            <Badge variant="danger" data-testid="message-refused">
              refused
            </Badge>
          )}
          {message.latency_ms !== null && <span>{message.latency_ms} ms</span>}
        </div>
        <div
          className={cn(
            "rounded-lg px-3 py-2 text-sm break-words whitespace-pre-wrap",
            fromVisitor ? "bg-muted" : message.role === "operator" ? "bg-primary text-primary-foreground" : "bg-card border",
          )}
        >
          {message.content}
        </div>
        {message.confidence_parts && <ConfidencePartsRow parts={message.confidence_parts} />}
        {message.sources_used.length > 0 && (
          <details className="text-muted-foreground w-full text-xs" data-testid="message-sources">
            <summary className="cursor-pointer select-none">
              {message.sources_used.length} source{message.sources_used.length > 1 ? "s" : ""} used
            </summary>
            <ul className="mt-1 grid gap-1">
              {(message.sources_used as SourceUsed[]).map((source, index) => {
                const label = source.title || source.url || source.source_id || `Source ${index + 1}`;
                return (
                  <li key={`${source.source_id ?? ""}-${index}`} className="bg-muted/50 rounded px-2 py-1">
                    <div className="flex items-center justify-between gap-2">
                      {source.url ? (
                        <a href={source.url} target="_blank" rel="noreferrer" className="text-foreground truncate hover:underline">
                          {label}
                        </a>
                      ) : (
                        <span className="text-foreground truncate">{label}</span>
                      )}
                      {typeof source.score === "number" && <span className="tabular-nums">{source.score.toFixed(3)}</span>}
                    </div>
                    {source.snippet && <p className="mt-0.5 line-clamp-2">{source.snippet}</p>}
                  </li>
                );
              })}
            </ul>
          </details>
        )}
      </div>
    </li>
  );
}

/** Every change of who answers, oldest first. */
function Transitions({ transitions }: { transitions: Transition[] }) {
  return (
    <Card className="mt-4 gap-2 py-4" data-testid="transitions">
      <CardHeader className="px-4">
        <CardTitle className="text-sm">Who answered</CardTitle>
      </CardHeader>
      <CardContent className="px-4">
        {transitions.length === 0 ? (
          <p className="text-muted-foreground text-sm">The bot has answered from the start.</p>
        ) : (
          <ol className="grid gap-1.5 text-sm">
            {transitions.map((t, index) => (
              <li key={index} data-testid="transition" data-to={t.to_state} className="flex flex-wrap items-center gap-2">
                <time className="text-muted-foreground tabular-nums" dateTime={t.created_at}>
                  {formatDateTime(t.created_at)}
                </time>
                <StateBadge state={t.from_state} />
                <span aria-label="to">→</span>
                <StateBadge state={t.to_state} />
                <span>
                  by {ACTOR[t.actor] ?? t.actor}
                  {t.reason && <span className="text-muted-foreground">: {t.reason.replaceAll("_", " ")}</span>}
                </span>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

function ConversationView() {
  const params = useSearchParams();
  const id = params.get("id");
  const { data, error, reload } = useApi<Conversation>(id ? `/conversations/${id}` : null, { poll: () => 5000 });
  const { data: tenant } = useApi<Tenant>(data ? `/tenants/${data.tenant_id}` : null);
  const [override, setOverride] = useState<Conversation | null>(null);
  const [reply, setReply] = useState("");
  const [sending, setSending] = useState(false);
  const [updating, setUpdating] = useState(false);
  const endRef = useRef<HTMLDivElement>(null);
  const conversation =
    override && data && override.id === data.id && override.updated_at >= data.updated_at && override.messages.length >= data.messages.length
      ? override
      : data;
  const count = conversation?.messages.length ?? 0;

  useEffect(() => {
    if (count) endRef.current?.scrollIntoView({ block: "end" });
  }, [count]);

  if (!id || (error && !data && (error.status === 404 || error.status === 422))) {
    return (
      <EmptyState
        icon={SearchX}
        title="Conversation not found"
        description={id ? "It may have been removed, or the link is wrong." : "No conversation id in the address."}
        action={
          <Button asChild variant="outline">
            <Link href="/inbox/">Back to the inbox</Link>
          </Button>
        }
      />
    );
  }

  if (!conversation) {
    return (
      <div className="space-y-4" aria-busy>
        <Skeleton className="h-8 w-64" />
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className={cn("h-16 w-2/3", i % 2 ? "ml-auto" : "")} />
        ))}
      </div>
    );
  }

  const escalate = tenant?.effective_settings.escalate_threshold ?? DEFAULT_ESCALATE;
  const refuse = tenant?.effective_settings.refuse_threshold ?? DEFAULT_REFUSE;
  const closed = conversation.status === "closed";

  // PATCH a field, or POST an action (take, hand-back); each answers the conversation.
  async function update(body: { status?: "open" | "closed"; escalated?: boolean } | "take" | "hand-back", message: string) {
    setUpdating(true);
    try {
      const updated =
        typeof body === "string"
          ? await api<Conversation>(`/conversations/${id}/${body}`, { method: "POST" })
          : await api<Conversation>(`/conversations/${id}`, { method: "PATCH", body });
      setOverride(updated);
      toast.success(message);
      reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setUpdating(false);
    }
  }

  async function send(event?: React.FormEvent) {
    event?.preventDefault();
    const content = reply.trim();
    if (!content) return;
    setSending(true);
    try {
      await api<Message>(`/conversations/${id}/messages`, { method: "POST", body: { content } });
      setReply("");
      toast.success("Reply sent");
      reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setSending(false);
    }
  }

  return (
    <>
      <Button asChild variant="ghost" size="sm" className="mb-2 -ml-2">
        <Link href="/inbox/">
          <ArrowLeft /> Inbox
        </Link>
      </Button>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            <Link href={`/tenants/view/?id=${conversation.tenant_id}`} className="hover:underline">
              {conversation.tenant_name}
            </Link>
            <StateBadge state={conversation.handled_by} />
            <Badge variant={closed ? "secondary" : "outline"} data-testid="conversation-status">
              {conversation.status}
            </Badge>
            {conversation.escalated && (
              <Badge variant="warning" data-testid="conversation-escalated">
                <AlertTriangle /> escalated
              </Badge>
            )}
          </span>
        }
        description={
          <span className="flex flex-wrap gap-x-3 gap-y-1">
            <span>
              Session {conversation.session_id} · started {formatDateTime(conversation.created_at)}
            </span>
            {conversation.handled_by === "waiting" && conversation.waiting_since && (
              <span data-testid="conversation-waiting" title={formatDateTime(conversation.waiting_since)}>
                waiting for a person for {waitingFor(conversation.waiting_since)}
              </span>
            )}
            {conversation.visitor_email && (
              <a href={`mailto:${conversation.visitor_email}`} className="hover:underline" data-testid="conversation-email">
                {conversation.visitor_email}
              </a>
            )}
            {conversation.page_url && (
              <a
                href={conversation.page_url}
                target="_blank"
                rel="noreferrer"
                className="max-w-xs truncate hover:underline"
                data-testid="conversation-page"
                title={conversation.page_url}
              >
                {shortUrl(conversation.page_url)}
              </a>
            )}
          </span>
        }
        actions={
          <>
            {conversation.handled_by !== "human" && (
              <Button data-testid="conversation-take" disabled={updating} onClick={() => update("take", "You answer this conversation now")}>
                <Hand /> Take over
              </Button>
            )}
            {conversation.handled_by !== "bot" && (
              <Button
                variant="outline"
                data-testid="conversation-hand-back"
                disabled={updating}
                onClick={() => update("hand-back", "The bot answers again")}
              >
                <Undo2 /> Hand back to bot
              </Button>
            )}
            {conversation.escalated && (
              <Button
                variant="outline"
                data-testid="conversation-mark-handled"
                disabled={updating}
                onClick={() => update({ escalated: false }, "Marked as handled")}
              >
                <CheckCheck /> Mark handled
              </Button>
            )}
            <Button
              variant={closed ? "default" : "outline"}
              data-testid="conversation-toggle-status"
              disabled={updating}
              onClick={() => update({ status: closed ? "open" : "closed" }, closed ? "Conversation reopened" : "Conversation closed")}
            >
              {updating ? <Loader2 className="animate-spin" /> : closed ? <LockOpen /> : <Lock />}
              {closed ? "Reopen" : "Close"}
            </Button>
          </>
        }
      />
      <Card className="gap-0 py-0">
        <CardContent className="p-4 sm:p-6">
          {conversation.messages.length === 0 ? (
            <p className="text-muted-foreground py-8 text-center text-sm">No messages yet.</p>
          ) : (
            <ol className="grid gap-5" aria-label="Messages">
              {conversation.messages.map((message) => (
                <MessageItem key={message.id} message={message} escalate={escalate} refuse={refuse} />
              ))}
            </ol>
          )}
          <div ref={endRef} />
        </CardContent>
        <form onSubmit={send} className="bg-muted/30 grid gap-2 border-t p-4">
          <label htmlFor="reply-input" className="text-sm font-medium">
            Reply as the support team
          </label>
          <Textarea
            id="reply-input"
            data-testid="reply-input"
            rows={3}
            maxLength={5000}
            placeholder="The visitor sees this in the widget as “Support team”; replying takes the conversation over. Ctrl+Enter sends."
            value={reply}
            onChange={(e) => setReply(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) send();
            }}
          />
          <div className="flex items-center justify-between gap-2">
            <span className="text-muted-foreground text-xs">
              Updates every 5 seconds.
            </span>
            <Button type="submit" data-testid="reply-send" disabled={sending || !reply.trim()}>
              {sending ? <Loader2 className="animate-spin" /> : <Send />}
              Send
            </Button>
          </div>
        </form>
      </Card>
      <Transitions transitions={conversation.transitions} />
    </>
  );
}

export default function ConversationViewPage() {
  return (
    <Suspense fallback={<Skeleton className="h-8 w-64" />}>
      <ConversationView />
    </Suspense>
  );
}
