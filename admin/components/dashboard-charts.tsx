"use client";

import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { OutcomeBucket } from "@/lib/types";
import { axis, short, tooltip } from "@/components/chart-style";

export interface OutcomeRow extends OutcomeBucket {
  /** resolved / conversations; null without conversations. */
  resolution_rate: number | null;
  first_response_minutes: number | null;
}

export function outcomeRows(buckets: OutcomeBucket[]): OutcomeRow[] {
  return buckets.map((bucket) => ({
    ...bucket,
    resolution_rate: bucket.conversations > 0 ? bucket.resolved / bucket.conversations : null,
    first_response_minutes:
      bucket.first_response_median_seconds == null ? null : Math.round(bucket.first_response_median_seconds / 6) / 10,
  }));
}

const pct = (value: unknown) => (typeof value === "number" ? `${Math.round(value * 100)}%` : "—");

/** Conversations and what became of them, with the share resolved without a human on the right axis. */
export function ConversationsChart({ rows }: { rows: OutcomeRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={300} initialDimension={{ width: 600, height: 300 }}>
      <ComposedChart data={rows} margin={{ top: 8, right: 0, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="start" tickFormatter={short} {...axis} minTickGap={16} />
        <YAxis yAxisId="count" allowDecimals={false} {...axis} />
        <YAxis yAxisId="rate" orientation="right" domain={[0, 1]} tickFormatter={pct} {...axis} />
        <Tooltip {...tooltip} formatter={(value, name) => (name === "Resolved share" ? pct(value) : value)} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar yAxisId="count" dataKey="conversations" name="Conversations" fill="var(--chart-1)" radius={[3, 3, 0, 0]} />
        <Bar yAxisId="count" dataKey="resolved" name="Resolved without a human" fill="var(--chart-4)" radius={[3, 3, 0, 0]} />
        <Bar yAxisId="count" dataKey="handed_off" name="Handed off" fill="var(--chart-2)" radius={[3, 3, 0, 0]} />
        <Line yAxisId="rate" type="monotone" dataKey="resolution_rate" name="Resolved share" stroke="var(--foreground)" strokeWidth={2} dot={{ r: 3 }} />
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export function MessagesChart({ rows }: { rows: OutcomeRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={260} initialDimension={{ width: 600, height: 260 }}>
      <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="start" tickFormatter={short} {...axis} minTickGap={16} />
        <YAxis allowDecimals={false} {...axis} />
        <Tooltip {...tooltip} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="visitor_messages" name="Visitor messages" fill="var(--chart-1)" radius={[3, 3, 0, 0]} />
        <Bar dataKey="answered" name="Answered by the bot" fill="var(--chart-4)" radius={[3, 3, 0, 0]} />
        <Bar dataKey="refused" name="Refused" fill="var(--chart-3)" radius={[3, 3, 0, 0]} />
        <Bar dataKey="thumbs_up" name="Thumbs up" fill="var(--chart-5)" radius={[3, 3, 0, 0]} />
        <Bar dataKey="thumbs_down" name="Thumbs down" fill="var(--chart-2)" radius={[3, 3, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function FirstResponseChart({ rows }: { rows: OutcomeRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={220} initialDimension={{ width: 600, height: 220 }}>
      <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="start" tickFormatter={short} {...axis} minTickGap={16} />
        <YAxis {...axis} />
        <Tooltip {...tooltip} formatter={(value) => (typeof value === "number" ? `${value} min` : "—")} />
        <Bar dataKey="first_response_minutes" name="Median first response (min)" fill="var(--chart-2)" radius={[3, 3, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}
