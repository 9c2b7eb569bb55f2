import { useState } from "preact/hooks";
import type { Api } from "../api";

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

/** Whether a run previews unsaved sync settings (its apply needs them saved first). */
export const isSettingsPreview = (run: Run): boolean => run.parameters !== null && typeof run.parameters === "object" && "settings" in run.parameters;

/**
 * Starts a run (or an apply) and follows it until it ends: the API answers 202 when the run outlasts
 * `wait`, and the run's counters are then polled (`consequences=false`: cheap) so a progress bar can
 * show users scanned of users total.
 */
export function useRunWatch(api: Api): { running: Run | undefined; follow: (start: () => Promise<Run>) => Promise<Run> } {
  const [running, setRunning] = useState<Run | undefined>(undefined);
  const follow = async (start: () => Promise<Run>): Promise<Run> => {
    let run = await start();
    try {
      while (run.status === "running") {
        setRunning(run);
        await new Promise((r) => window.setTimeout(r, 500));
        run = await api.get<Run>(runPath(run.id), { consequences: false, limit: 1 });
      }
      return run;
    } finally {
      setRunning(undefined);
    }
  };
  return { running, follow };
}
