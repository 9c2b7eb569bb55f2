import type { Database } from "../../src/db/database";

/**
 * A fingerprint of everything the bridge stored: per table, its row count and an md5 over its rows
 * in a fixed order. Two equal fingerprints mean nothing was written in between ("database
 * unchanged"). Cheap on a test's small database. Left out: the migrations table, and
 * `api_tokens.last_used_at`, which any authenticated request may move (throttled bookkeeping).
 */

const tablesOf = new WeakMap<Database, Promise<string[]>>();

async function listTables(db: Database): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT table_name::text AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
      ORDER BY table_name`,
  );
  return rows.map((r) => r.name);
}

const source = (table: string) =>
  table === "api_tokens" ? `(SELECT id, name, scope, token_hash, hint, origin, created_at, revoked_at FROM api_tokens)` : `"${table}"`;

export async function fingerprint(db: Database): Promise<Record<string, string>> {
  let names = tablesOf.get(db);
  if (!names) {
    names = listTables(db);
    tablesOf.set(db, names);
  }
  const list = await names;
  const sql = list
    .map((t) => `SELECT '${t}'::text AS name, count(*)::int AS n, md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) AS h FROM ${source(t)} r`)
    .join(" UNION ALL ");
  const rows = await db.prisma.$queryRawUnsafe<{ name: string; n: number; h: string }[]>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n}:${r.h}`]));
}
