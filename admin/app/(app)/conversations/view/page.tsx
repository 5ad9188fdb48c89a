"use client";

import { Suspense, useEffect, useRef, useState } from "react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import {
  AlertTriangle,
  ArrowLeft,
  CheckCheck,
  Hand,
  Loader2,
  Lock,
  LockOpen,
  SearchX,
  Send,
  Undo2,
} from "lucide-react";
import { toast } from "sonner";

import { EmptyState, PageHeader } from "@/components/common";
import { MessageItem } from "@/components/conversations/message-item";
import { shortUrl, StateBadge, waitingFor } from "@/components/conversations/state";
import { Transitions } from "@/components/conversations/transitions";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage } from "@/lib/api";
import { DEFAULT_ESCALATE, DEFAULT_REFUSE, type Conversation, type Message, type Tenant } from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { cn, formatDateTime } from "@/lib/utils";

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
