import { StateBadge } from "@/components/conversations/state";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { type Transition } from "@/lib/types";
import { formatDateTime } from "@/lib/utils";

const ACTOR: Record<Transition["actor"], string> = {
  visitor: "the visitor",
  bot: "the bot",
  operator: "an operator",
  system: "the system",
};

/** Every change of who answers, oldest first. */
export function Transitions({ transitions }: { transitions: Transition[] }) {
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
