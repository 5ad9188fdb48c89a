"use client";

import { useSyncExternalStore } from "react";

/** The admin API key lives in sessionStorage only: it is gone when the tab closes. */
const KEY = "tinyeclipse.adminKey";
const NOTICE = "tinyeclipse.signinNotice";
const EVENT = "tinyeclipse:auth";

export function getKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setKey(value: string): void {
  sessionStorage.setItem(KEY, value);
  sessionStorage.removeItem(NOTICE);
  window.dispatchEvent(new Event(EVENT));
}

/** Forget the key; `notice` is shown on the sign-in page (e.g. after a 401). */
export function signOut(notice?: string): void {
  try {
    sessionStorage.removeItem(KEY);
    if (notice) sessionStorage.setItem(NOTICE, notice);
    else sessionStorage.removeItem(NOTICE);
  } catch {
    /* ignore */
  }
  window.dispatchEvent(new Event(EVENT));
}

export function takeNotice(): string | null {
  try {
    return sessionStorage.getItem(NOTICE);
  } catch {
    return null;
  }
}

function subscribe(callback: () => void): () => void {
  window.addEventListener(EVENT, callback);
  window.addEventListener("storage", callback);
  return () => {
    window.removeEventListener(EVENT, callback);
    window.removeEventListener("storage", callback);
  };
}

/** undefined while rendering on the server / before hydration; then the key or null. */
export function useAdminKey(): string | null | undefined {
  return useSyncExternalStore<string | null | undefined>(subscribe, getKey, () => undefined);
}

export const KEY_REJECTED = "Your key was not accepted. Paste a valid admin API key to sign in again.";
