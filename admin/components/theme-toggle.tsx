"use client";

import { Monitor, Moon, Sun } from "lucide-react";

import { Button } from "@/components/ui/button";
import { useTheme, type ThemeChoice } from "@/lib/theme";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "dark", dark: "light", light: "system" };
const LABEL: Record<ThemeChoice, string> = { system: "Theme: system", dark: "Theme: dark", light: "Theme: light" };

/** Cycles system → dark → light → system. */
export function ThemeToggle() {
  const { choice, setChoice } = useTheme();
  const Icon = choice === "dark" ? Moon : choice === "light" ? Sun : Monitor;
  return (
    <Button
      variant="ghost"
      size="icon"
      data-testid="theme-toggle"
      aria-label={`${LABEL[choice]} (click to change)`}
      title={LABEL[choice]}
      onClick={() => setChoice(NEXT[choice])}
    >
      <Icon />
    </Button>
  );
}
