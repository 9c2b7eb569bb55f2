import type { Logger } from "../log/logger";
import type { Database, SqlSession } from "./database";

/**
 * One-off data jobs, run at start after the migrations: changes to existing rows that need the
 * bridge's own TypeScript (a SQL migration can't call it), such as recomputing name keys. Each job
 * runs at most once per database, in one transaction with its record in `maintenance_jobs`, so it is
 * all done or not at all. Several bridge instances starting together on one PostgreSQL take turns
 * under a transaction-level advisory lock: the first runs the job, the others then find it recorded.
 */

export interface MaintenanceJob {
  /** Recorded in `maintenance_jobs` once done; a new version of a job gets a new name. */
  name: string;
  /** Runs inside the job's transaction, on `session`; throwing rolls it back and stops the start. */
  run(session: SqlSession, logger: Logger): Promise<void>;
}

/** Our advisory lock key (Prisma Migrate's is 72707369); any constant of our own would do. */
export const MAINTENANCE_LOCK_KEY = 5_318_008_131;

/** Runs every job not yet recorded, in order; returns the names of those it ran. */
export async function runMaintenance(db: Database, jobs: readonly MaintenanceJob[], logger: Logger): Promise<string[]> {
  const ran: string[] = [];
  for (const job of jobs) {
    const done = await db.withSession(async (s) => {
      await s.exec("BEGIN");
      try {
        // Released at COMMIT or ROLLBACK: a second instance waits here, then sees the job recorded.
        await s.query("SELECT pg_advisory_xact_lock($1)", [MAINTENANCE_LOCK_KEY]);
        const recorded = await s.query<{ name: string }>("SELECT name FROM maintenance_jobs WHERE name = $1", [job.name]);
        if (recorded.length > 0) {
          await s.exec("COMMIT");
          return false;
        }
        await job.run(s, logger);
        await s.query("INSERT INTO maintenance_jobs (name) VALUES ($1)", [job.name]);
        await s.exec("COMMIT");
        return true;
      } catch (err) {
        await s.exec("ROLLBACK");
        throw err;
      }
    });
    if (done) {
      ran.push(job.name);
      logger.info("ran a maintenance job", { job: job.name });
    }
  }
  return ran;
}
