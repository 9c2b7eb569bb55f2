import type { Registry } from "prom-client";
import type { Database } from "../db/database";
import type { DeliveryObserver } from "../events/delivery-observer";
import type { Logger } from "../log/logger";
import type { RunObserver } from "../reconcile/observer";
import type { ScimOperationObserver } from "../scim/operation-observer";
import type { SyncObserver } from "../sync/observer";
import { buildInfoMetric, packageVersion } from "./build-info";
import { poolMetrics } from "./database";
import { reconciliationMetrics } from "./reconciliation";
import { scimOperationMetrics } from "./scim";
import { syncMetrics } from "./sync";
import { webhookMetrics } from "./webhooks";

/**
 * The bridge's own metrics (README, Operations → Metrics), registered on one bridge's registry next to
 * the HTTP and Node.js ones (src/http/observability.ts). Each layer gets an observer to call: counting
 * happens in memory where the work is done, never with a query on a request's path; only the webhook
 * queue gauges read the database, once per scrape.
 */
export interface BridgeMetrics {
  scim: ScimOperationObserver;
  sync: SyncObserver;
  runs: RunObserver;
  deliveries: DeliveryObserver;
}

export function createBridgeMetrics(registry: Registry, deps: { db: Database; logger: Logger }): BridgeMetrics {
  buildInfoMetric(registry, packageVersion(), process.version);
  const stats = deps.db.poolStats?.bind(deps.db);
  if (stats) poolMetrics(registry, stats);
  return {
    scim: scimOperationMetrics(registry),
    sync: syncMetrics(registry),
    runs: reconciliationMetrics(registry),
    deliveries: webhookMetrics(registry, { sql: deps.db.sql, logger: deps.logger }),
  };
}
