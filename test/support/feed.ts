import type { Database } from "../../src/db/database";

/**
 * Waits until every transaction running now on the database's server has ended, so the events feed
 * (which shows an event only then, see src/events/feed.ts) shows what the test just wrote. On a test
 * server shared by parallel test files, another file's open transaction would otherwise hide events
 * for as long as it runs. Bounded: after `ms` the test goes on and its assertions say what is missing.
 */
export async function feedSettled(db: Database, ms = 15_000): Promise<void> {
  const [now] = await db.sql.query<{ xmax: string }>("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax");
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const [row] = await db.sql.query<{ ok: boolean }>("SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8 AS ok", [now!.xmax]);
    if (row?.ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
