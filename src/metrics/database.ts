import { Gauge, type Registry } from "prom-client";
import type { PoolStats } from "../db/database";

/**
 * PostgreSQL's connection pool, read from the pool's own counters when scraped (no query). The
 * embedded database has one connection and no pool: these are not registered there.
 */
export function poolMetrics(registry: Registry, stats: () => PoolStats): void {
  new Gauge({
    name: "scim_bridge_db_pool_connections",
    help: "Database pool connections by state (in_use, idle)",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const s = stats();
      this.set({ state: "in_use" }, s.total - s.idle);
      this.set({ state: "idle" }, s.idle);
    },
  });
  new Gauge({
    name: "scim_bridge_db_pool_waiting",
    help: "Requests waiting for a database connection (every connection in use)",
    registers: [registry],
    collect() {
      this.set(stats().waiting);
    },
  });
  new Gauge({
    name: "scim_bridge_db_pool_max",
    help: "Most connections the database pool opens",
    registers: [registry],
    collect() {
      this.set(stats().max);
    },
  });
}
