import { Bot, Clock, Headset } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { HandledBy } from "@/lib/types";

export const STATES: { value: HandledBy; label: string }[] = [
  { value: "bot", label: "Bot" },
  { value: "waiting", label: "Waiting" },
  { value: "human", label: "Human" },
];

const LOOK = {
  bot: { variant: "secondary", icon: Bot, label: "bot" },
  waiting: { variant: "warning", icon: Clock, label: "waiting" },
  human: { variant: "info", icon: Headset, label: "human" },
} as const;

/** Who answers the conversation now. */
export function StateBadge({ state }: { state: HandledBy }) {
  const look = LOOK[state];
  const Icon = look.icon;
  return (
    <Badge variant={look.variant} data-testid="conversation-state" data-state={state}>
      <Icon aria-hidden /> {look.label}
    </Badge>
  );
}

/** How long a conversation has waited for a person: "12 min", "3 h 5 min", "2 d 4 h". */
export function waitingFor(since: string | null | undefined, now = Date.now()): string {
  if (!since) return "";
  const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60000));
  if (Number.isNaN(minutes)) return "";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A page URL without its scheme, for a narrow column (the link keeps the whole URL). */
export function shortUrl(url: string): string {
  return url.replace(/^https?:\/\//, "");
}
