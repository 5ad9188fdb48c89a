"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { formatRate, type DayRow } from "@/lib/usage";
import { axis, short, tooltip } from "@/components/chart-style";

export function ActivityChart({ rows }: { rows: DayRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={280} initialDimension={{ width: 600, height: 280 }}>
      <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="day" tickFormatter={short} {...axis} minTickGap={16} />
        <YAxis allowDecimals={false} {...axis} />
        <Tooltip {...tooltip} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="messages" name="Visitor messages" fill="var(--chart-1)" radius={[3, 3, 0, 0]} />
        <Bar dataKey="handoff_requests" name="Asked for a person" fill="var(--chart-2)" radius={[3, 3, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Knowledge answers and what became of them, with the day's resolution rate on the right axis. */
export function AnswersChart({ rows }: { rows: DayRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={300} initialDimension={{ width: 600, height: 300 }}>
      <ComposedChart data={rows} margin={{ top: 8, right: 0, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="day" tickFormatter={short} {...axis} minTickGap={16} />
        <YAxis yAxisId="count" allowDecimals={false} {...axis} />
        <YAxis yAxisId="rate" orientation="right" domain={[0, 1]} tickFormatter={(v: number) => formatRate(v)} {...axis} />
        <Tooltip
          {...tooltip}
          formatter={(value, name) => (name === "Resolution rate" ? formatRate(typeof value === "number" ? value : null) : value)}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar yAxisId="count" dataKey="answers" name="Answers" fill="var(--chart-1)" radius={[3, 3, 0, 0]} />
        <Bar yAxisId="count" dataKey="resolved" name="Resolved without a human" fill="var(--chart-4)" radius={[3, 3, 0, 0]} />
        <Bar yAxisId="count" dataKey="escalations" name="Escalated" fill="var(--chart-2)" radius={[3, 3, 0, 0]} />
        <Bar yAxisId="count" dataKey="refusals" name="Refused" fill="var(--chart-3)" radius={[3, 3, 0, 0]} />
        <Line
          yAxisId="rate"
          type="monotone"
          dataKey="resolution_rate"
          name="Resolution rate"
          stroke="var(--foreground)"
          strokeWidth={2}
          dot={{ r: 3 }}
          connectNulls={false}
        />
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export function FeedbackChart({ rows }: { rows: DayRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={220} initialDimension={{ width: 600, height: 220 }}>
      <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="day" tickFormatter={short} {...axis} minTickGap={16} />
        <YAxis allowDecimals={false} {...axis} />
        <Tooltip {...tooltip} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="thumbs_up" name="Thumbs up" fill="var(--chart-4)" radius={[3, 3, 0, 0]} />
        <Bar dataKey="thumbs_down" name="Thumbs down" fill="var(--chart-3)" radius={[3, 3, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function TokensChart({ rows }: { rows: DayRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={240} initialDimension={{ width: 600, height: 240 }}>
      <LineChart data={rows} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="day" tickFormatter={short} {...axis} minTickGap={16} />
        <YAxis allowDecimals={false} {...axis} />
        <Tooltip {...tooltip} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line type="monotone" dataKey="tokens_in" name="Tokens in" stroke="var(--chart-4)" strokeWidth={2} dot={false} />
        <Line type="monotone" dataKey="tokens_out" name="Tokens out" stroke="var(--chart-5)" strokeWidth={2} dot={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}
