import { Counter, Gauge, type Registry } from "prom-client";
import type { RunObserver } from "../reconcile/observer";

/**
 * Reconciliation runs this process ran: how many ended, by kind (resync, import), mode (dry_run,
 * apply) and outcome (completed, failed); how long the last one of each kind and mode took; when the
 * last one of each completed. Per process: runs started through another instance or the CLI are
 * counted there.
 */
export function reconciliationMetrics(registry: Registry): RunObserver {
  const runs = new Counter({
    name: "scim_bridge_reconciliation_runs_total",
    help: "Reconciliation runs that ended, by kind, mode and outcome",
    labelNames: ["kind", "mode", "outcome"] as const,
    registers: [registry],
  });
  const lastDuration = new Gauge({
    name: "scim_bridge_reconciliation_last_duration_seconds",
    help: "How long the last reconciliation run of each kind and mode took, completed or failed",
    labelNames: ["kind", "mode"] as const,
    registers: [registry],
  });
  const lastCompleted = new Gauge({
    name: "scim_bridge_reconciliation_last_completed_timestamp_seconds",
    help: "When the last reconciliation run of each kind and mode completed (Unix time)",
    labelNames: ["kind", "mode"] as const,
    registers: [registry],
  });
  for (const kind of ["resync", "import"] as const) {
    for (const mode of ["dry_run", "apply"] as const) {
      for (const outcome of ["completed", "failed"] as const) runs.inc({ kind, mode, outcome }, 0);
    }
  }
  return (run) => {
    runs.inc({ kind: run.kind, mode: run.mode, outcome: run.outcome });
    lastDuration.set({ kind: run.kind, mode: run.mode }, run.seconds);
    if (run.outcome === "completed") lastCompleted.set({ kind: run.kind, mode: run.mode }, Date.now() / 1000);
  };
}
