import { Counter, Gauge, type Registry } from "prom-client";
import type { SqlRunner } from "../db/database";
import type { AttemptOutcome, DeliveryObserver, DisableReason } from "../events/delivery-observer";
import type { Logger } from "../log/logger";

/** Pending deliveries counted per endpoint at most: past it the depth reads as this (a backlog either way). */
export const QUEUE_DEPTH_CAP = 100_000;
/** Endpoints reported per scrape at most (by id). */
export const QUEUE_ENDPOINTS_CAP = 500;

const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ["succeeded", "http_error", "network_error", "refused"];
const DISABLE_REASONS: readonly DisableReason[] = ["exhausted", "refused_target", "secret_unreadable"];

interface QueueRow {
  endpoint: string;
  enabled: boolean;
  depth: number;
  /** Seconds since the queue head was queued; null when nothing is pending. */
  oldest_age: number | null;
}

/**
 * One statement per scrape, off the request path: per endpoint, its pending deliveries (counted up to
 * QUEUE_DEPTH_CAP, on the (endpoint_id, status, event_seq) index) and the age of its queue head (the
 * oldest pending delivery in event order: the first in that index).
 */
const QUEUE_SQL = `
  SELECT e.id::text AS endpoint, e.enabled,
         (SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries d
                                 WHERE d.endpoint_id = e.id AND d.status = 'pending' LIMIT $1) AS p)::int AS depth,
         (SELECT extract(epoch FROM now() - d.created_at)::float8 FROM webhook_deliveries d
           WHERE d.endpoint_id = e.id AND d.status = 'pending' ORDER BY d.event_seq LIMIT 1) AS oldest_age
    FROM webhook_endpoints e ORDER BY e.id LIMIT $2`;

/**
 * Webhook metrics: attempts by outcome and endpoints disabled (counted by the dispatcher of this
 * process as they happen), and each endpoint's queue read from the database when scraped (shared by
 * every instance on one PostgreSQL, so each instance reports the same queue).
 */
export function webhookMetrics(registry: Registry, deps: { sql: SqlRunner; logger: Logger }): DeliveryObserver {
  const attempts = new Counter({
    name: "scim_bridge_webhook_delivery_attempts_total",
    help: "Webhook delivery attempts made by this process, by outcome (succeeded, http_error, network_error, refused)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const disables = new Counter({
    name: "scim_bridge_webhook_endpoint_disables_total",
    help: "Webhook endpoints this process disabled, by reason (exhausted, refused_target, secret_unreadable)",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  for (const outcome of ATTEMPT_OUTCOMES) attempts.inc({ outcome }, 0);
  for (const reason of DISABLE_REASONS) disables.inc({ reason }, 0);

  // The three queue gauges are collected together from one query: prom-client collects every metric
  // of a scrape at once, so the first collect starts the query and the others await the same result.
  let inflight: Promise<QueueRow[] | undefined> | undefined;
  const snapshot = (): Promise<QueueRow[] | undefined> => {
    inflight ??= deps.sql
      .query<QueueRow>(QUEUE_SQL, [QUEUE_DEPTH_CAP, QUEUE_ENDPOINTS_CAP])
      .catch((err: unknown) => {
        // /metrics still answers (the other metrics, without these); the cause is in the log.
        deps.logger.warn("metrics: could not read the webhook queues", { error: err instanceof Error ? err.message : String(err) });
        return undefined;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  new Gauge({
    name: "scim_bridge_webhook_queue_depth",
    help: `Pending webhook deliveries per endpoint (counted up to ${QUEUE_DEPTH_CAP})`,
    labelNames: ["endpoint"] as const,
    registers: [registry],
    async collect() {
      const rows = await snapshot();
      this.reset();
      for (const r of rows ?? []) this.set({ endpoint: r.endpoint }, r.depth);
    },
  });
  new Gauge({
    name: "scim_bridge_webhook_oldest_pending_age_seconds",
    help: "Age of each endpoint's oldest pending delivery (0 when none is pending)",
    labelNames: ["endpoint"] as const,
    registers: [registry],
    async collect() {
      const rows = await snapshot();
      this.reset();
      for (const r of rows ?? []) this.set({ endpoint: r.endpoint }, Math.max(0, r.oldest_age ?? 0));
    },
  });
  new Gauge({
    name: "scim_bridge_webhook_endpoints_disabled",
    help: "Webhook endpoints disabled now (by an admin or by the dispatcher); NaN when the database could not be read",
    registers: [registry],
    async collect() {
      const rows = await snapshot();
      // Unknown is not "none disabled": NaN, which no alert threshold matches.
      this.set(rows ? rows.filter((r) => !r.enabled).length : Number.NaN);
    },
  });
  new Gauge({
    name: "scim_bridge_webhook_queue_read_ok",
    help: "1 when this scrape read the webhook queues from the database, 0 when it could not (the queue gauges are then missing)",
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });

  return {
    attempt: (outcome) => attempts.inc({ outcome }),
    disabled: (reason) => disables.inc({ reason }),
  };
}
