import { Counter, type Registry } from "prom-client";
import type { SyncObserver } from "../sync/observer";
import type { Dimension } from "../sync/plan";

const DIMENSIONS: readonly Dimension[] = ["organization", "group", "role"];
const ACTIONS = { add: "added", remove: "removed" } as const;

/**
 * `scim_bridge_sync_changes_total` and `scim_bridge_sync_problems_total`: what IdP sync applied, by
 * dimension, counted from the plans of committed transactions (SCIM writes and reconciliation applies;
 * a dry run applies nothing). The same changes and problems as the `sync.*` audit rows.
 */
export function syncMetrics(registry: Registry): SyncObserver {
  const changes = new Counter({
    name: "scim_bridge_sync_changes_total",
    help: "Grants IdP sync added or removed (organization memberships, group memberships, roles), by dimension and action",
    labelNames: ["dimension", "action"] as const,
    registers: [registry],
  });
  const problems = new Counter({
    name: "scim_bridge_sync_problems_total",
    help: "Problems IdP sync recorded (a claim of the wrong type, a mapping to something that doesn't exist), by dimension",
    labelNames: ["dimension"] as const,
    registers: [registry],
  });
  // Every series exists from the start at 0, so that rate() and increase() see the first change.
  for (const dimension of DIMENSIONS) {
    for (const action of Object.values(ACTIONS)) changes.inc({ dimension, action }, 0);
    problems.inc({ dimension }, 0);
  }
  return (plans) => {
    for (const plan of plans) {
      for (const c of plan.changes) changes.inc({ dimension: c.dimension, action: ACTIONS[c.action] });
      for (const p of plan.problems) problems.inc({ dimension: p.dimension });
    }
  };
}
