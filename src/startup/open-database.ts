import type { Config } from "../config/config";
import { openDatabase, type Database, type DatabaseTarget } from "../db/database";
import { acquireEmbeddedLock, type EmbeddedLock } from "../db/embedded-lock";
import { runMaintenance } from "../db/maintenance";
import { migrate } from "../db/migrate";
import { makePrivate, restrictUmask } from "../db/private-dir";
import { nameKeysJob } from "../directory/name-rekey";
import type { Logger } from "../log/logger";
import { databaseConnectFailure, dataDirFailure } from "./errors";

/**
 * Opening the database for a process (\`serve\` and the CLI's direct mode alike): the embedded lock, a
 * private data directory, a first connection that fails in words, migrations, data jobs.
 */

export function databaseTarget(config: Config): DatabaseTarget {
  return config.database.kind === "postgres"
    ? { kind: "postgres", url: config.database.url }
    : { kind: "embedded", dataDir: config.database.dataDir, sharedBuffersKb: config.database.sharedBuffersKb };
}

/** Opens the database for a process: takes the embedded lock first, applies migrations. */
export async function openForProcess(
  config: Config,
  purpose: string,
  logger: Logger,
): Promise<{ db: Database; close: () => Promise<void> }> {
  let lock: EmbeddedLock | undefined;
  let db: Database | undefined;
  try {
    if (config.database.kind === "embedded") {
      // DATA_DIR private to this user, also what PGlite creates while serving (src/db/private-dir.ts).
      restrictUmask();
      lock = acquireEmbeddedLock(config.dataDir, purpose);
      const repaired = makePrivate(config.dataDir);
      if (repaired > 0) logger.warn("made the data directory private to this user (removed group and other permissions)", { dataDir: config.dataDir, repaired });
    }
    db = await openDatabase(databaseTarget(config));
    // The pool connects lazily: connect now, so a wrong DATABASE_URL is one clear line, not a migration's stack.
    if (config.database.kind === "postgres") {
      const url = config.database.url;
      await db.ping().catch((err: unknown) => {
        throw databaseConnectFailure(err, url);
      });
    }
    const applied = await migrate(db);
    if (applied.length > 0) logger.info("applied database migrations", { migrations: applied });
    // Data jobs that need our TypeScript (each once per database): name keys recomputed with nameKey,
    // again whenever the runtime's Unicode data (which nameKey's normalisation and case mapping follow) changes.
    // (A Node built without ICU has no version to report, and normalize() does nothing there.)
    await runMaintenance(db, [nameKeysJob(process.versions.unicode ?? "none")], logger);
  } catch (err) {
    await db?.close().catch(() => undefined);
    lock?.release();
    throw dataDirFailure(err, config.dataDir) ?? err;
  }
  const opened = db;
  return {
    db: opened,
    close: async () => {
      await opened.close();
      lock?.release();
    },
  };
}
