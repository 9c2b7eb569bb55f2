import fs from "node:fs";
import path from "node:path";
import type { PGlite, Transaction } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { Pool, type PoolClient } from "pg";
import { PrismaClient } from "../generated/prisma/client";
import { pglitePrepared } from "./pglite-prepared";
import { createInChild, DEFAULT_SHARED_BUFFERS_KB, embeddedStartParams, hasDatabase } from "./embedded-start";

/**
 * The two database engines behind one interface. Both speak the same PostgreSQL dialect and use the
 * same schema and migrations; only how a connection is made differs.
 */

/** Raw SQL on one connection: used by the migration runner and for locks. */
export interface SqlSession {
  /** Runs one or more statements without parameters (simple query protocol). */
  exec(sql: string): Promise<void>;
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/**
 * The hot paths' SQL (src/directory/users/user-sql.ts, groups/group-sql.ts): parameterised statements
 * through the driver itself. A Prisma model query costs about five times the CPU of the same statement
 * sent this way, and a SCIM write used to make fifteen of them.
 */
export interface SqlRunner {
  /**
   * `name` makes it a prepared statement on PostgreSQL, parsed once per connection (and planned once
   * PostgreSQL settles on a generic plan): for the hot paths' fixed texts only, never for SQL built
   * from input (each name is kept by every connection). On PGlite the same, per database handle
   * (src/db/pglite-prepared.ts).
   */
  query<R>(text: string, params?: readonly unknown[], name?: string): Promise<R[]>;
}

export interface SqlDatabase extends SqlRunner {
  /** BEGIN, `fn`, COMMIT (ROLLBACK when it throws): one connection, one transaction. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/** Called with every statement sent to the database, Prisma's included (round-trip tests). */
/** Sees every statement sent (tests only); `name` when it ran as a prepared statement. */
export type StatementObserver = (text: string, name?: string) => void;

export type DatabaseTarget =
  | { kind: "postgres"; url: string; poolSize?: number; observe?: StatementObserver }
  /** `dataDir` is a directory, or `memory://` for a throwaway in-memory database (tests). */
  | { kind: "embedded"; dataDir: string; loadDataDir?: Blob; observe?: StatementObserver; sharedBuffersKb?: number };

export interface PoolStats {
  /** Connections open (in use and idle). */
  total: number;
  idle: number;
  /** Requests queued for a connection (every one is in use and the pool is at `max`). */
  waiting: number;
  max: number;
}

export interface Database {
  readonly kind: "postgres" | "embedded";
  readonly prisma: PrismaClient;
  /** The same database through the driver: the request hot paths (see SqlDatabase). */
  readonly sql: SqlDatabase;
  /** Runs `fn` on one dedicated connection (session-level locks stay on it). */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  /** PostgreSQL only: the connection pool right now, read from memory (the /metrics pool gauges). */
  poolStats?(): PoolStats;
  /** The embedded database's contents (for cloning a migrated template in tests). */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

/**
 * Interactive transaction limits. Prisma's defaults (5 s to run, 2 s to start) turn a large but valid
 * IdP push into a 500 half-way, and on the single-connection embedded database a transaction queued
 * behind others easily waits 2 s. Okta waits 60 s for a response, so a write may take that long.
 */
export const TRANSACTION_OPTIONS = { timeout: 60_000, maxWait: 30_000 } as const;

function statementText(arg: unknown): { text: string; name?: string } {
  if (typeof arg === "string") return { text: arg };
  const o = arg && typeof arg === "object" ? (arg as { text?: unknown; name?: unknown }) : {};
  return { text: typeof o.text === "string" ? o.text : "", ...(typeof o.name === "string" ? { name: o.name } : {}) };
}

/** Reports every statement a pg client sends (Prisma's adapter and ours share the pool). */
function observePgClient(client: PoolClient, observe: StatementObserver): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const { text, name } = statementText(args[0]);
    observe(text, name);
    return original(...args);
  };
}

/** Reports every statement sent to PGlite: its own, a transaction's, and the BEGIN / COMMIT around one. */
function observePglite(db: PGlite, observe: StatementObserver): void {
  const wrap = <F extends (text: string, ...rest: never[]) => unknown>(f: F): F =>
    ((text: string, ...rest: never[]) => {
      observe(text);
      return f(text, ...rest);
    }) as F;
  db.query = wrap(db.query.bind(db));
  db.exec = wrap(db.exec.bind(db));
  const transaction = db.transaction.bind(db);
  db.transaction = (<T>(fn: (tx: Transaction) => Promise<T>) => {
    observe("BEGIN");
    return transaction(async (tx) => {
      tx.query = wrap(tx.query.bind(tx));
      tx.exec = wrap(tx.exec.bind(tx));
      try {
        return await fn(tx);
      } finally {
        observe("COMMIT");
      }
    });
  }) as PGlite["transaction"];
}

function pgliteSession(db: PGlite): SqlSession {
  return {
    async exec(sql) {
      await db.exec(sql);
    },
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const r = await db.query<R>(sql, [...params]);
      return r.rows;
    },
  };
}

/** The directory PGlite stores its files in, below DATA_DIR. */
export function embeddedDirectory(dataDir: string): string {
  return path.join(dataDir, "pglite");
}

async function openEmbedded(target: Extract<DatabaseTarget, { kind: "embedded" }>): Promise<Database> {
  const memory = target.dataDir.startsWith("memory://");
  // PostgreSQL's memory settings, and initdb out of this process (src/db/embedded-start.ts).
  const sharedBuffersKb = target.sharedBuffersKb ?? DEFAULT_SHARED_BUFFERS_KB;
  // Loaded only here: a bridge on PostgreSQL never holds PGlite's modules (memory, issue 15).
  const { PGlite } = require("@electric-sql/pglite") as typeof import("@electric-sql/pglite");
  const { PrismaPGlite } = require("pglite-prisma-adapter") as typeof import("pglite-prisma-adapter");
  const { PrivateNodeFS } = require("./private-nodefs") as typeof import("./private-nodefs");
  const startParams = embeddedStartParams(PGlite.defaultStartParams, sharedBuffersKb);
  let location = target.dataDir;
  if (!memory) {
    // PGlite does not create parent directories.
    location = embeddedDirectory(target.dataDir);
    fs.mkdirSync(location, { recursive: true, mode: 0o700 });
    if (!target.loadDataDir && !hasDatabase(location)) await createInChild(location, sharedBuffersKb);
  }
  const options = { startParams, ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}) };
  // On disk through PrivateNodeFS: PostgreSQL's files owner-only (src/db/private-dir.ts).
  const db = memory ? new PGlite(location, options) : new PGlite({ fs: new PrivateNodeFS(location), ...options });
  await db.waitReady;
  if (target.observe) observePglite(db, target.observe);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db), transactionOptions: TRANSACTION_OPTIONS });
  // PGlite is a single connection, so session-level advisory locks are re-entrant within this
  // process: sessions are serialised here instead, one at a time per database handle.
  const session = pgliteSession(db);
  const prepared = pglitePrepared(db, target.observe);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    kind: "embedded",
    prisma,
    sql: {
      async query<R>(text: string, params: readonly unknown[] = [], name?: string) {
        return name ? prepared.query<R>(text, params, name, false) : (await db.query<R>(text, [...params])).rows;
      },
      // PGlite runs one transaction at a time (its own mutex, which Prisma's adapter also takes).
      transaction: <T>(fn: (tx: SqlRunner) => Promise<T>) =>
        db.transaction(async (tx) =>
          fn({
            query: async <R>(text: string, params: readonly unknown[] = [], name?: string) =>
              name ? prepared.query<R>(text, params, name, true) : (await tx.query<R>(text, [...params])).rows,
          }),
        ),
    },
    withSession<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
      const run = queue.then(() => fn(session));
      queue = run.catch(() => undefined);
      return run;
    },
    async ping() {
      await db.query("SELECT 1");
    },
    dump: () => db.dumpDataDir("none") as Promise<Blob>,
    async close() {
      await prisma.$disconnect();
      // Always close: an open PGlite keeps Node alive for ~10 s and may lose recent writes.
      if (!db.closed) await db.close();
    },
  };
}

async function openPostgres(target: Extract<DatabaseTarget, { kind: "postgres" }>): Promise<Database> {
  const pool = new Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    // Fail fast (and answer 503) rather than queue requests forever when the database is gone.
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its connection emits 'error'; without a listener Node would crash.
  pool.on("error", () => undefined);
  const observe = target.observe;
  if (observe) pool.on("connect", (client) => observePgClient(client, observe));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: TRANSACTION_OPTIONS });
  return {
    kind: "postgres",
    prisma,
    sql: {
      async query<R>(text: string, params: readonly unknown[] = [], name?: string) {
        return (await pool.query(name ? { name, text, values: [...params] } : { text, values: [...params] })).rows as R[];
      },
      async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query("BEGIN");
          const result = await fn({
            query: async <R>(text: string, params: readonly unknown[] = [], name?: string) =>
              (await client.query(name ? { name, text, values: [...params] } : { text, values: [...params] })).rows as R[],
          });
          await client.query("COMMIT");
          return result;
        } catch (err) {
          // A connection whose ROLLBACK fails is in an unknown state: it leaves the pool.
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          throw err;
        } finally {
          client.release(broken);
        }
      },
    },
    async withSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async exec(sql) {
            await client.query(sql);
          },
          async query<R>(sql: string, params: readonly unknown[] = []) {
            const r = await client.query(sql, [...params]);
            return r.rows as R[];
          },
        });
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max }),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

export function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === "postgres" ? openPostgres(target) : openEmbedded(target);
}
