import { AlertTriangle, Bot, Headset, MessageCircle, ThumbsDown, ThumbsUp, User } from "lucide-react";

import { confidenceVariant } from "@/components/common";
import { Badge } from "@/components/ui/badge";
import { type ConfidenceParts, type Intent, type Message, type SourceUsed } from "@/lib/types";
import { cn, formatDateTime } from "@/lib/utils";

// The API's message roles: the visitor on one side, the bot and the operators on the other.
const ROLE = {
  user: { label: "Visitor", icon: User },
  assistant: { label: "Bot", icon: Bot },
  operator: { label: "Operator", icon: Headset },
} as const;


const INTENT: Record<Intent, string> = {
  greeting: "small talk: greeting",
  thanks: "small talk: thanks",
  goodbye: "small talk: goodbye",
  identity: "small talk: are you a bot?",
  handoff: "asked for a person",
  quota: "monthly quota reached: handed to the team",
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

export function MessageItem({ message, escalate, refuse }: { message: Message; escalate: number; refuse: number }) {
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
