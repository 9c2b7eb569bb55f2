import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type Api } from "../api";

/** The admin API's reconciliation run (`ReconciliationRun`) and report (`ReconciliationReport`). */
export interface Run {
  id: string;
  kind: string;
  status: "running" | "completed" | "failed";
  dry_run: boolean;
  started_by: string;
  parameters: unknown;
  summary: { users_total: number; users_scanned: number; users_changed: number; changes: number; problems: number; errors: number };
  plan_digest: string | null;
  source_run_id: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface Consequence {
  dimension: "organization" | "group" | "role";
  action: "add" | "remove";
  organization: string | null;
  organization_id: string | null;
  group?: string;
  role?: string;
  users: number;
  text: string;
}

export interface ReportLine {
  kind: "change" | "problem" | "error";
  dimension: string;
  action: string;
  user_id?: string;
  username?: string;
  organization_id?: string;
  group_id?: string;
  group_name?: string;
  role?: string;
  rule?: string;
  field?: string;
  value?: string;
  [other: string]: unknown;
}

export interface Report extends Run {
  consequences?: Consequence[];
  items: ReportLine[];
  items_count: number;
  offset: number;
  limit: number;
}

/** "1 change", "3 changes". */
export const count = (n: number, noun: string): string => `${n.toLocaleString()} ${noun}${n === 1 ? "" : "s"}`;

export const runPath = (id: string) => `/reconciliations/${encodeURIComponent(id)}`;

/** The run's parameter `name` (an import's `suspend_missing`, `allow_mass_suspend`), when the run has it. */
export const runParameter = (run: Run, name: string): unknown =>
  run.parameters !== null && typeof run.parameters === "object" ? (run.parameters as Record<string, unknown>)[name] : undefined;

/** Whether a run previews unsaved sync settings (its apply needs them saved first). */
export const isSettingsPreview = (run: Run): boolean => run.parameters !== null && typeof run.parameters === "object" && "settings" in run.parameters;

/** Waits `ms`, or throws when `signal` is aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException("The page went away.", "AbortError"));
    const t = window.setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      window.clearTimeout(t);
      reject(new DOMException("The page went away.", "AbortError"));
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}

/** How many times in a row a poll of a running run may fail (a network blip) before following gives up. */
const POLL_TRIES = 4;

/**
 * Starts a run (or an apply) and follows it until it ends: the API answers 202 when the run outlasts
 * `wait`, and the run's counters are then polled (`consequences=false`: cheap; `X-Background`: polling
 * does not keep the session alive) so a progress bar can show users scanned of users total. Polling
 * stops when the page unmounts; a failed poll is retried a few times before the error is thrown.
 */
export function useRunWatch(api: Api): { running: Run | undefined; follow: (start: () => Promise<Run>) => Promise<Run> } {
  const [running, setRunning] = useState<Run | undefined>(undefined);
  const gone = useRef<AbortController>(new AbortController());
  useEffect(() => {
    const c = new AbortController();
    gone.current = c;
    return () => c.abort();
  }, []);
  const follow = async (start: () => Promise<Run>): Promise<Run> => {
    const signal = gone.current.signal;
    let run = await start();
    try {
      let failures = 0;
      while (run.status === "running") {
        setRunning(run);
        await sleep(failures === 0 ? 500 : 1000 * 2 ** (failures - 1), signal);
        try {
          run = await api.get<Run>(runPath(run.id), { consequences: false, limit: 1 }, { background: true, signal });
          failures = 0;
        } catch (e) {
          // Only what may pass is retried (no answer, 5xx, 429); a 404 or a 401 won't change.
          const passing = e instanceof ApiError && (e.status === 0 || e.status === 429 || e.status >= 500);
          if (signal.aborted || !passing || ++failures >= POLL_TRIES) throw e;
        }
      }
      return run;
    } finally {
      if (!signal.aborted) setRunning(undefined);
    }
  };
  return { running, follow };
}
