// The look every chart of the admin panel shares (axes, tooltip, day labels).
export const axis = { stroke: "var(--muted-foreground)", fontSize: 12, tickLine: false, axisLine: false } as const;
export const tooltip = {
  contentStyle: {
    background: "var(--popover)",
    color: "var(--popover-foreground)",
    border: "1px solid var(--border)",
    borderRadius: 8,
    fontSize: 12,
  },
  cursor: { fill: "var(--muted)", opacity: 0.5 },
} as const;
export const short = (day: string) => day.slice(5);
