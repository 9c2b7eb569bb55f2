import type { Prisma } from "../generated/prisma/client";

/**
 * Inserts many rows in one statement with one parameter: the rows as a JSON array, expanded by
 * `jsonb_to_recordset`. Prisma's `createMany` binds every value as its own parameter and builds the
 * statement in JavaScript, which for a 500-user reconciliation batch (thousands of rows) cost more
 * than the database work; this costs one round trip and a JSON.stringify. Table, column and type
 * names come from this code, never from input.
 */

export interface BulkTable {
  table: string;
  /** Columns read from the rows, with their SQL types. */
  columns: readonly (readonly [name: string, type: string])[];
  /** Columns computed in SQL, e.g. `["id", "gen_random_uuid()"]`. */
  computed?: readonly (readonly [name: string, expression: string])[];
  /** `ON CONFLICT DO NOTHING` (createMany's skipDuplicates). */
  skipDuplicates?: boolean;
}

const q = (name: string) => `"${name}"`;

export async function bulkInsert(tx: Prisma.TransactionClient, spec: BulkTable, rows: readonly Record<string, unknown>[]): Promise<number> {
  if (rows.length === 0) return 0;
  const computed = spec.computed ?? [];
  const names = [...spec.columns.map(([n]) => q(n)), ...computed.map(([n]) => q(n))].join(", ");
  const values = [...spec.columns.map(([n]) => `x.${q(n)}`), ...computed.map(([, e]) => e)].join(", ");
  const record = spec.columns.map(([n, t]) => `${q(n)} ${t}`).join(", ");
  const aliases = [...spec.columns.map(([n]) => q(n)), "ord"].join(", ");
  // In the array's order (serial columns and report lines follow it).
  const sql =
    `INSERT INTO ${q(spec.table)} (${names}) SELECT ${values} FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${record})) WITH ORDINALITY AS x(${aliases}) ORDER BY x.ord` +
    (spec.skipDuplicates ? " ON CONFLICT DO NOTHING" : "");
  return tx.$executeRawUnsafe(sql, JSON.stringify(rows));
}
