"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface DayRow {
  day: string;
  messages: number;
  escalations: number;
  refusals: number;
  tokens_in: number;
  tokens_out: number;
}

const axis = { stroke: "var(--muted-foreground)", fontSize: 12, tickLine: false, axisLine: false } as const;
const tooltip = {
  contentStyle: {
    background: "var(--popover)",
    color: "var(--popover-foreground)",
    border: "1px solid var(--border)",
    borderRadius: 8,
    fontSize: 12,
  },
  cursor: { fill: "var(--muted)", opacity: 0.5 },
} as const;
const short = (day: string) => day.slice(5);

export function ActivityChart({ rows }: { rows: DayRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={280} initialDimension={{ width: 600, height: 280 }}>
      <BarChart data={rows} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="day" tickFormatter={short} {...axis} minTickGap={16} />
        <YAxis allowDecimals={false} {...axis} />
        <Tooltip {...tooltip} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="messages" name="Messages" fill="var(--chart-1)" radius={[3, 3, 0, 0]} />
        <Bar dataKey="escalations" name="Escalations" fill="var(--chart-2)" radius={[3, 3, 0, 0]} />
        <Bar dataKey="refusals" name="Refusals" fill="var(--chart-3)" radius={[3, 3, 0, 0]} />
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
