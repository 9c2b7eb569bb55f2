import type { Logger } from "../log/logger";
import type { Database } from "./database";

/**
 * Autovacuum's work for the embedded database. PGlite runs PostgreSQL as a single process with no
 * autovacuum, so on its own no table is ever analysed or vacuumed: the planner works without
 * statistics, a prepared statement's generic plan made while a table was small is kept however large
 * it grows (nothing invalidates it), and the dead rows every update leaves are never reclaimed.
 *
 * So the bridge does it: at start and then every minute, each table of ours that was never analysed or
 * has grown by a fifth (and 8 pages) since it last was gets `VACUUM (ANALYZE)`, which also makes
 * PostgreSQL re-plan the prepared statements reading it. The file size stands in for autovacuum's
 * count of changed rows, which single-user PostgreSQL does not keep. A pass costs one catalog query
 * when nothing grew; a vacuum holds the database (one connection) for its duration, about 0.1 s per
 * 10,000 users, and only after that much growth.
 */

const DUE = `SELECT c.oid::regclass::text AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema() AND c.relkind = 'r' AND pg_relation_size(c.oid) > 0
   AND (c.reltuples < 0 OR pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages * 1.2 + 8)
 ORDER BY 1`;

/** One pass: the tables it vacuumed and analysed. */
export async function embeddedUpkeep(db: Database): Promise<string[]> {
  const due = await db.sql.query<{ name: string }>(DUE);
  // Names come from the catalog as regclass text, quoted where they need it.
  for (const { name } of due) await db.sql.query(`VACUUM (ANALYZE) ${name}`);
  return due.map((t) => t.name);
}

export const UPKEEP_INTERVAL_MS = 60_000;

/** Runs a pass now and every `intervalMs`; a failed pass is logged and tried again at the next. Returns the stop function. */
export function startEmbeddedUpkeep(db: Database, logger: Logger, intervalMs = UPKEEP_INTERVAL_MS): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    running = running.then(async () => {
      const started = Date.now();
      try {
        const tables = await embeddedUpkeep(db);
        if (tables.length > 0) logger.debug("embedded database upkeep: vacuumed and analysed", { tables, ms: Date.now() - started });
      } catch (err) {
        logger.warn("embedded database upkeep failed", { error: err instanceof Error ? err.message : String(err) });
      }
    });
  };
  pass();
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
