import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Database, SqlSession } from "./database";

/**
 * Applies `prisma/migrations/<name>/migration.sql` in order at start, on both databases.
 *
 * `prisma migrate deploy` needs Prisma's binary schema engine, which cannot be downloaded here, so
 * the bridge applies its migrations itself — the way Prisma does, so that `prisma migrate status`
 * on a machine with the engines agrees: each file in its own transaction, under Prisma's advisory
 * lock key, recorded in Prisma's `_prisma_migrations` table with the file's sha256 checksum.
 */

/** Prisma Migrate's advisory lock key (schema-engine's `ADVISORY_LOCK_TIMEOUT` lock). */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

/** The repository's migrations folder, found from this file in src/db or dist/db. */
export function defaultMigrationsDir(): string {
  return path.resolve(__dirname, "..", "..", "prisma", "migrations");
}

export function readMigrations(dir: string): Migration[] {
  if (!fs.existsSync(dir)) throw new MigrationError(`migrations folder not found: ${dir}`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// Prisma's own DDL for its bookkeeping table.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
}

async function applyAll(s: SqlSession, migrations: Migration[]): Promise<string[]> {
  await s.exec(CREATE_TABLE);
  const rows = await s.query<AppliedRow>(
    `SELECT migration_name, checksum FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...applied.keys()].filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new MigrationError(
      `the database has migrations this version of the bridge does not know (${unknown.join(", ")}); ` +
        "a newer version has run against it: run that version instead",
    );
  }
  const done: string[] = [];
  for (const m of migrations) {
    const checksum = applied.get(m.name);
    if (checksum !== undefined) {
      if (checksum !== m.checksum) {
        throw new MigrationError(`migration ${m.name} was changed after it was applied (checksum differs)`);
      }
      continue;
    }
    await s.exec("BEGIN");
    try {
      await s.exec(m.sql);
      await s.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES ($1, $2, now(), $3, 1)`,
        [randomUUID(), m.checksum, m.name],
      );
      await s.exec("COMMIT");
    } catch (err) {
      await s.exec("ROLLBACK");
      const reason = err instanceof Error ? err.message : String(err);
      throw new MigrationError(`migration ${m.name} failed and was rolled back: ${reason}`);
    }
    done.push(m.name);
  }
  return done;
}

/**
 * Applies every migration not yet applied and returns their names (empty when up to date). Safe to
 * call from several processes at once: they take turns under the advisory lock.
 */
export async function migrate(db: Database, dir = defaultMigrationsDir()): Promise<string[]> {
  const migrations = readMigrations(dir);
  return db.withSession(async (s) => {
    await s.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
    try {
      return await applyAll(s, migrations);
    } finally {
      await s.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
    }
  });
}
