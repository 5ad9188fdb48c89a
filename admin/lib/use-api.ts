"use client";

import { useCallback, useEffect, useState } from "react";
import { toast } from "sonner";

import { api, ApiError } from "@/lib/api";

interface State<T> {
  path: string | null;
  data?: T;
  error?: ApiError;
}

export interface UseApiOptions<T> {
  /** Refetch every N ms while this returns a number (given the latest data); false stops polling. */
  poll?: (data: T) => number | false;
}

/** GET `path` (null: don't); refetches when `path` changes, on `reload()`, and while `poll` says so. */
export function useApi<T>(path: string | null, options: UseApiOptions<T> = {}) {
  const [state, setState] = useState<State<T>>({ path: null });
  const [tick, setTick] = useState(0);
  const { poll } = options;

  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    api<T>(path, { signal: controller.signal }).then(
      (data) => {
        if (controller.signal.aborted) return;
        setState({ path, data });
        const wait = poll?.(data);
        if (wait) timer = setTimeout(() => setTick((t) => t + 1), wait);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError =
          error instanceof ApiError ? error : new ApiError(0, "error", error instanceof Error ? error.message : "Request failed");
        if (apiError.status !== 401) toast.error(apiError.detail, { id: `load:${path}` });
        setState((previous) => ({ path, data: previous.path === path ? previous.data : undefined, error: apiError }));
      },
    );
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
    // `poll` is read at fetch time; a new function identity each render must not refetch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.path === path;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: path !== null && !current,
    reload,
  };
}

/** Debounce a fast-changing value (a search box). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}
