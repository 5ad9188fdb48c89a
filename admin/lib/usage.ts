import type { Usage, UsageCounts } from "@/lib/types";

export const COUNT_KEYS = [
  "messages",
  "answers",
  "resolved",
  "escalations",
  "refusals",
  "handoff_requests",
  "thumbs_up",
  "thumbs_down",
  "tokens_in",
  "tokens_out",
] as const satisfies readonly (keyof UsageCounts)[];

export interface DayRow extends UsageCounts {
  day: string;
  /** resolved / answers; null on a day without answers (a gap in the chart, not a 0%). */
  resolution_rate: number | null;
}

/** Answers given without a human, as a share of the knowledge answers; null when there were none. */
export function resolutionRate(counts: Pick<UsageCounts, "answers" | "resolved">): number | null {
  return counts.answers > 0 ? counts.resolved / counts.answers : null;
}

export function formatRate(rate: number | null): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(0)}%`;
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function zero(): UsageCounts {
  return Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as unknown as UsageCounts;
}

/** One row per day of the range (UTC), summed over tenants, zero where nothing happened. */
export function perDay(usage: Usage): DayRow[] {
  const rows = new Map<string, UsageCounts & { day: string }>();
  const start = new Date(`${usage.since}T00:00:00Z`).getTime();
  const end = new Date(`${usage.until}T00:00:00Z`).getTime();
  for (let t = start; t <= end && rows.size < 3700; t += 86_400_000) {
    const day = isoDay(new Date(t));
    rows.set(day, { day, ...zero() });
  }
  for (const d of usage.days) {
    const row = rows.get(d.day) ?? { day: d.day, ...zero() };
    for (const key of COUNT_KEYS) row[key] += d[key] ?? 0;
    rows.set(d.day, row);
  }
  return [...rows.values()]
    .sort((a, b) => a.day.localeCompare(b.day))
    .map((row) => ({ ...row, resolution_rate: resolutionRate(row) }));
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The usage as CSV: one line per tenant and day, every count and the day's resolution rate (empty without answers). */
export function usageCsv(usage: Usage, tenantNames: Map<string, string>): string {
  const header = ["day", "tenant_id", "tenant_name", ...COUNT_KEYS, "resolution_rate"];
  const lines = [header.join(",")];
  for (const d of [...usage.days].sort((a, b) => a.day.localeCompare(b.day) || a.tenant_id.localeCompare(b.tenant_id))) {
    const rate = resolutionRate(d);
    lines.push(
      [d.day, d.tenant_id, tenantNames.get(d.tenant_id) ?? "", ...COUNT_KEYS.map((key) => d[key] ?? 0), rate === null ? "" : rate.toFixed(4)]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
