import type { SqlSession } from "../db/database";
import type { MaintenanceJob } from "../db/maintenance";
import type { Logger } from "../log/logger";
import { keyFits, markedKey, nameKey } from "./name-key";

/**
 * Recomputes every stored userName and IdP group displayName key with nameKey (the keys were
 * lower-cased names before), at start, in the maintenance job's transaction: once per database and
 * Unicode version of the runtime (nameKey's NFKC and case mapping follow Node's ICU data, so a Node
 * with newer Unicode data can key some names differently; the job's name carries the version, and a
 * run on keys already right changes nothing). Where two records' names now share a key, one keeps it:
 * a record with a SCIM resource before a SCIM-deleted user (whose row stays, without one: a filter
 * must find the live record, and a POST of the name must not bring the deleted one back), then the
 * older (created_at, then id). The other gets its marked key (markedKey: MARK and its id): nothing is
 * merged or refused, and the start never fails on it. Each new collision is logged (ids and names)
 * and stays listed by GET /api/v2/name-collisions and `scim-bridge collisions` until the marked record
 * or the holder is renamed, or the holder, a group, is deleted (a deleted user keeps its row and key).
 *
 * Cost: every row is read once, in keyset batches; only rows whose key changes are held in memory and
 * written, with set-based statements. Writes to the two tables wait while it runs (a bridge of an
 * older version still serving must not write a lower-cased key between the read and the update).
 */

/** The job's name for a runtime whose Unicode data is `unicode` (process.versions.unicode). */
export const nameKeysJobName = (unicode: string) => `name-keys-v2 unicode-${unicode}`;

const BATCH = 1000;

interface Table {
  kind: "user" | "group";
  table: "users" | "idp_groups";
  name: "user_name" | "display_name";
  key: "user_name_key" | "display_name_key";
  /**
   * SQL: true for a record the IdP has not deleted. A SCIM DELETE of a user keeps the row without its
   * resource (status suspended); a group's removes the row, so every group row is live.
   */
  live: string;
}

const TABLES: readonly Table[] = [
  { kind: "user", table: "users", name: "user_name", key: "user_name_key", live: "resource IS NOT NULL" },
  { kind: "group", table: "idp_groups", name: "display_name", key: "display_name_key", live: "TRUE" },
];

interface Row {
  id: string;
  name: string;
  key: string;
  /** created_at in epoch milliseconds (timestamptz(3): exact in a double). */
  created: number;
  live: boolean;
}

export interface RekeyCollision {
  kind: "user" | "group";
  /** The newer record, which got a marked key. */
  id: string;
  name: string;
  /** The record that keeps the key; undefined when the name's key is too long to index at all. */
  holder?: { id: string; name: string };
  /** Marked before this run already (a run for a newer Unicode version): known, not logged again. */
  known: boolean;
}

/** Who keeps a contested key: a live record first, then the older. */
const preferred = (a: Row, b: Row) => Number(b.live) - Number(a.live) || a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const columns = (t: Table) =>
  `id::text AS id, ${t.name} AS name, ${t.key} AS key, (extract(epoch FROM created_at) * 1000)::float8 AS created, (${t.live}) AS live`;

/** Rows whose key is not their name's key, read in batches; the rest are only looked at. */
async function changedRows(s: SqlSession, t: Table): Promise<(Row & { next: string })[]> {
  const changed: (Row & { next: string })[] = [];
  let after: string | undefined;
  for (;;) {
    const rows = await s.query<Row>(
      `SELECT ${columns(t)} FROM ${t.table} ${after === undefined ? "" : "WHERE id > $1::uuid"} ORDER BY id LIMIT ${BATCH}`,
      after === undefined ? [] : [after],
    );
    for (const r of rows) {
      const next = nameKey(r.name);
      if (next !== r.key) changed.push({ ...r, created: Number(r.created), next });
    }
    if (rows.length < BATCH) return changed;
    after = rows[rows.length - 1]!.id;
  }
}

/** The rows holding any of `keys` now. */
async function holders(s: SqlSession, t: Table, keys: string[]): Promise<Row[]> {
  const out: Row[] = [];
  for (let i = 0; i < keys.length; i += BATCH) {
    const rows = await s.query<Row>(`SELECT ${columns(t)} FROM ${t.table} WHERE ${t.key} = ANY($1::text[])`, [keys.slice(i, i + BATCH)]);
    out.push(...rows.map((r) => ({ ...r, created: Number(r.created) })));
  }
  return out;
}

async function setKeys(s: SqlSession, t: Table, updates: readonly { id: string; key: string }[]): Promise<void> {
  for (let i = 0; i < updates.length; i += BATCH) {
    const chunk = updates.slice(i, i + BATCH);
    await s.query(
      `UPDATE ${t.table} AS t SET ${t.key} = v.key FROM unnest($1::uuid[], $2::text[]) AS v(id, key) WHERE t.id = v.id`,
      [chunk.map((u) => u.id), chunk.map((u) => u.key)],
    );
  }
}

/** Re-keys one table; returns the collisions (newer records now marked). */
async function rekeyTable(s: SqlSession, t: Table): Promise<{ rekeyed: number; collisions: RekeyCollision[] }> {
  const changed = await changedRows(s, t);
  if (changed.length === 0) return { rekeyed: 0, collisions: [] };
  const changedIds = new Set(changed.map((r) => r.id));
  const collisions: RekeyCollision[] = [];
  const finalKey = new Map<string, string>();

  // Every record that wants each new key: the changed rows, and the unchanged row holding it now
  // (old keys were unique, so at most one). The preferred one keeps it.
  const claimants = new Map<string, Row[]>();
  for (const r of changed) {
    if (!keyFits(r.next)) {
      finalKey.set(r.id, markedKey(r.id));
      collisions.push({ kind: t.kind, id: r.id, name: r.name, known: r.key === markedKey(r.id) });
      continue;
    }
    claimants.set(r.next, [...(claimants.get(r.next) ?? []), r]);
  }
  for (const h of await holders(s, t, [...claimants.keys()])) {
    if (!changedIds.has(h.id)) claimants.get(h.key)?.push(h);
  }
  for (const [key, rows] of claimants) {
    const [winner, ...losers] = [...rows].sort(preferred);
    finalKey.set(winner!.id, key);
    for (const l of losers) {
      finalKey.set(l.id, markedKey(l.id));
      collisions.push({ kind: t.kind, id: l.id, name: l.name, holder: { id: winner!.id, name: winner!.name }, known: l.key === markedKey(l.id) });
    }
  }

  const current = new Map([...changed, ...[...claimants.values()].flat()].map((r) => [r.id, r.key]));
  const updates = [...finalKey].filter(([id, key]) => current.get(id) !== key).map(([id, key]) => ({ id, key }));
  // Two steps, so that no statement ever sees two rows with one key (the unique index is checked row
  // by row): first every row that moves gets its own marked key, freeing the old keys; then the
  // final keys, which are unique among themselves and among the rows that don't move.
  await setKeys(s, t, updates.map((u) => ({ id: u.id, key: markedKey(u.id) })));
  await setKeys(s, t, updates.filter((u) => u.key !== markedKey(u.id)));
  return { rekeyed: updates.length, collisions };
}

export async function rekeyNames(s: SqlSession, logger: Logger): Promise<RekeyCollision[]> {
  await s.exec(`LOCK TABLE ${TABLES.map((t) => t.table).join(", ")} IN SHARE ROW EXCLUSIVE MODE`);
  const all: RekeyCollision[] = [];
  const counts: Record<string, number> = {};
  for (const t of TABLES) {
    const { rekeyed, collisions } = await rekeyTable(s, t);
    counts[t.table] = rekeyed;
    all.push(...collisions);
  }
  const known = all.filter((c) => c.known).length;
  for (const c of all.filter((x) => !x.known)) {
    const what = c.kind === "user" ? "userName" : "displayName";
    if (c.holder) {
      logger.warn(`name collision: two ${c.kind}s' ${what}s are now one name; one keeps it (not deleted, then the older), the other is marked until renamed`, {
        kind: c.kind, id: c.id, name: c.name, heldBy: c.holder.id, heldByName: c.holder.name,
      });
    } else {
      logger.warn(`name collision: a ${c.kind}'s ${what} is too long to be a key once normalised; it is marked until renamed`, { kind: c.kind, id: c.id, name: c.name });
    }
  }
  logger.info("recomputed name keys", { users: counts.users ?? 0, groups: counts.idp_groups ?? 0, collisions: all.length - known, stillMarked: known });
  return all;
}

/**
 * The job for a runtime whose Unicode data is `unicode` (the composition root passes
 * process.versions.unicode): it runs again, once, when that changes.
 */
export function nameKeysJob(unicode: string): MaintenanceJob {
  return {
    name: nameKeysJobName(unicode),
    run: async (s, logger) => {
      await rekeyNames(s, logger);
    },
  };
}
