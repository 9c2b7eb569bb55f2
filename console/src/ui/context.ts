import { createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "../api";

export const ApiContext = createContext<Api | undefined>(undefined);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (api === undefined) throw new Error("useApi outside the console's ApiContext");
  return api;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (after a change the page made). */
  reload(): void;
  /**
   * Loads again for a timer (polling): nothing when a load is still under way (polls never overlap, so
   * none is overtaken and dropped), and the load is told it is a background one (see `LoadContext`).
   */
  poll(): void;
}

/** What a load is told: `background` when a timer asked for it (send it as `api.get(…, { background })`). */
export interface LoadContext {
  background: boolean;
}

/**
 * Runs `load` when `deps` change and keeps the latest answer; an answer to an older request (the user
 * typed on) is dropped. The previous data stays shown while the next loads, so a table doesn't flicker.
 */
export function useLoad<T>(load: (ctx: LoadContext) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const busy = useRef(false);
  const background = useRef(false);
  useEffect(() => {
    const mine = ++seq.current;
    const ctx = { background: background.current };
    background.current = false;
    busy.current = true;
    setState((s) => ({ ...s, loading: true }));
    load(ctx).then(
      (data) => {
        if (mine !== seq.current) return;
        busy.current = false;
        setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (mine !== seq.current) return;
        busy.current = false;
        setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const poll = useCallback(() => {
    if (busy.current) return;
    background.current = true;
    busy.current = true;
    setTick((t) => t + 1);
  }, []);
  return { ...state, reload, poll };
}

/**
 * Calls `fn` every `ms` while `active` and the page is visible (a hidden tab polls nothing; it catches up
 * when shown again). Pass a `Loaded.poll`, which skips a tick while the previous load is under way.
 */
export function useInterval(fn: () => void, ms: number, active: boolean): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return;
    let last = Date.now();
    const t = window.setInterval(() => {
      if (document.hidden) return;
      last = Date.now();
      saved.current();
    }, ms);
    const shown = () => {
      if (!document.hidden && Date.now() - last >= ms) {
        last = Date.now();
        saved.current();
      }
    };
    document.addEventListener("visibilitychange", shown);
    return () => {
      window.clearInterval(t);
      document.removeEventListener("visibilitychange", shown);
    };
  }, [ms, active]);
}

/** A debounced copy of a value (a search box: one request when the typing stops). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

export interface Action {
  /** An action is under way (its buttons are disabled: no double submits). */
  busy: boolean;
  /** The last action's error (shown with ErrorNote), or undefined. */
  error: unknown;
  /** What the last action did, in words (a role="status" message), or undefined. */
  note: string | undefined;
  /**
   * Runs `fn` (nothing when one is under way): busy meanwhile, its answer becomes the note, its error
   * the error. Resolves to whether it succeeded.
   */
  run(fn: () => Promise<string | void | undefined>): Promise<boolean>;
  setNote(note: string | undefined): void;
  setError(error: unknown): void;
}

/** The busy / error / note of a form's or a page's actions. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const running = useRef(false);
  const run = useCallback(async (fn: () => Promise<string | void | undefined>) => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      const said = await fn();
      setNote(typeof said === "string" ? said : undefined);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, note, run, setNote, setError };
}
