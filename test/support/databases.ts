import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { openDatabase, type Database, type DatabaseTarget, type StatementObserver } from "../../src/db/database";
import { migrate } from "../../src/db/migrate";

/**
 * The databases every database-backed test runs against: the embedded PGlite always, and
 * PostgreSQL when TEST_DATABASE_URL is set (scripts/test.js and .ci/run set it). Tests never mock
 * our repositories; they run on these.
 */

export type EngineName = "embedded" | "postgres";

export function testEngines(): EngineName[] {
  return process.env.TEST_DATABASE_URL ? ["embedded", "postgres"] : ["embedded"];
}

let template: Blob | undefined;

/** A fresh, migrated in-memory PGlite, cloned from a template migrated once per test file (~0.5 s). */
async function freshEmbedded(): Promise<{ target: DatabaseTarget; cleanup: () => Promise<void> }> {
  if (!template) {
    const db = await openDatabase({ kind: "embedded", dataDir: "memory://" });
    await migrate(db);
    template = await db.dump!();
    await db.close();
  }
  return { target: { kind: "embedded", dataDir: "memory://", loadDataDir: template }, cleanup: async () => {} };
}

/** A throwaway PostgreSQL database on the test server, dropped by `cleanup`. */
async function freshPostgres(): Promise<{ target: DatabaseTarget; cleanup: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("TEST_DATABASE_URL is not set");
  const name = `bridge_test_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString(), poolSize: 5 },
    cleanup: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestDatabase {
  engine: EngineName;
  target: DatabaseTarget;
  /** Drops what was made for the test (PostgreSQL database); call after closing every handle. */
  cleanup(): Promise<void>;
}

/** An empty database of the given engine, NOT yet migrated (target only). */
export async function emptyDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === "embedded") {
    return { engine, target: { kind: "embedded", dataDir: "memory://" }, cleanup: async () => {} };
  }
  return { engine, ...(await freshPostgres()) };
}

/** A migrated database of the given engine. */
export async function migratedDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === "embedded") return { engine, ...(await freshEmbedded()) };
  const t = await freshPostgres();
  const db = await openDatabase(t.target);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return { engine, ...t };
}

/** Opens a migrated database and closes and cleans it up after the test file; `observe` sees every statement. */
export async function openMigrated(engine: EngineName, opts: { observe?: StatementObserver } = {}): Promise<{ db: Database; done: () => Promise<void> }> {
  const t = await migratedDatabase(engine);
  const db = await openDatabase(opts.observe ? { ...t.target, observe: opts.observe } : t.target);
  return {
    db,
    done: async () => {
      await db.close();
      await t.cleanup();
    },
  };
}
