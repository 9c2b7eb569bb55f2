/**
 * How reconciliation reports each run that ended, for metrics (src/metrics/reconciliation.ts). A
 * request refused before a run was stored (a bad filter, an apply already running) is not a run.
 */
export interface RunEnded {
  kind: "resync" | "import";
  mode: "dry_run" | "apply";
  /** `failed` includes a run stopped by a shutdown: it did not finish its work. */
  outcome: "completed" | "failed";
  /** From the run's start (stored) to its end. */
  seconds: number;
}

export type RunObserver = (run: RunEnded) => void;
