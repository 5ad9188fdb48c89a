"use client";

import { useCallback, useSyncExternalStore } from "react";

/** Dark mode, class strategy: an explicit choice in localStorage, else the system's prefers-color-scheme. */
export type ThemeChoice = "light" | "dark" | "system";
const STORAGE_KEY = "tinyeclipse.theme";
const EVENT = "tinyeclipse:theme";

/** Runs in <head> before paint, so the page never flashes the wrong theme. */
export const THEME_SCRIPT = `(function(){try{var c=localStorage.getItem("${STORAGE_KEY}");var d=c==="dark"||(c!=="light"&&window.matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.classList.toggle("dark",d);}catch(e){}})();`;

function readChoice(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

function systemDark(): boolean {
  return window.matchMedia("(prefers-color-scheme: dark)").matches;
}

function apply(): void {
  const choice = readChoice();
  const dark = choice === "dark" || (choice === "system" && systemDark());
  document.documentElement.classList.toggle("dark", dark);
}

function subscribe(callback: () => void): () => void {
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  const onChange = () => {
    apply();
    callback();
  };
  media.addEventListener("change", onChange);
  window.addEventListener(EVENT, onChange);
  window.addEventListener("storage", onChange);
  return () => {
    media.removeEventListener("change", onChange);
    window.removeEventListener(EVENT, onChange);
    window.removeEventListener("storage", onChange);
  };
}

function snapshot(): string {
  const choice = readChoice();
  const dark = choice === "dark" || (choice === "system" && systemDark());
  return `${choice}:${dark ? "dark" : "light"}`;
}

export function useTheme() {
  const value = useSyncExternalStore(subscribe, snapshot, () => "system:light");
  const [choice, resolved] = value.split(":") as [ThemeChoice, "light" | "dark"];
  const setChoice = useCallback((next: ThemeChoice) => {
    try {
      if (next === "system") localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* storage unavailable: the class still changes for this page */
    }
    apply();
    window.dispatchEvent(new Event(EVENT));
  }, []);
  return { choice, resolved, setChoice };
}
