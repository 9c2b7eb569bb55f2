import { createHash } from "node:crypto";
import type { SqlRunner } from "../../db/database";
import { auditCte, auditRows, type AuditEntry } from "../audit";
import { outboxCtes, outboxRows, type DomainEvent } from "../../events/outbox";
import { GATE, gateParams, gateUnchanged, type SyncGate } from "../../sync/gate";
import type { UserStatus } from "./user-columns";

export type { SyncGate } from "../../sync/gate";

/**
 * The SQL of the user aggregate on the SCIM hot paths, in one place, always parameterised. Each SCIM
 * request costs a fixed, small number of statements (guarded by test/scim/round-trips.test.ts):
 * a read is one statement (the row with its IdP groups); a create is one statement (createUser), a
 * replace or patch two (the read, then one guarded write: readForWrite and updateUser with `expect`),
 * each writing the user with its membership, audit rows, outbox events and webhook deliveries at once,
 * so a statement is its own transaction. The locking transaction (BEGIN, lockForWrite, the write,
 * COMMIT) remains for the cases that need it: a rename's key check, a crowded handle, contention.
 */

export interface GroupRef {
  value: string;
  display: string;
  type: "direct";
}

export interface UserRow {
  id: string;
  resource: unknown;
  status: UserStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The IdP groups the user is a member of, by displayName (the `groups` attribute). */
  groups: GroupRef[];
}

export interface LockedUser extends UserRow {
  userName: string;
  userNameKey: string;
  username: string;
  email: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  loginType: string;
  organizationIds: string[];
  gate: SyncGate;
}

const ROW = `u.id::text AS id, u.resource, u.status::text AS status, u.version, u.created_at AS "createdAt", u.updated_at AS "updatedAt",
  COALESCE((SELECT json_agg(json_build_object('value', g.id::text, 'display', g.display_name, 'type', 'direct') ORDER BY g.display_name, g.id)
              FROM idp_group_members m CROSS JOIN LATERAL (SELECT id, display_name FROM idp_groups WHERE id = m.group_id LIMIT 1) g
             WHERE m.user_id = u.id), '[]'::json) AS groups`;

/** Both drivers return Dates for timestamptz; a string would mean a driver configured otherwise. */
const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

function toRow(r: UserRow): UserRow {
  return { ...r, createdAt: asDate(r.createdAt), updatedAt: asDate(r.updatedAt) };
}

/**
 * Prepared statements are planned once per connection and, after five runs, may keep one generic plan
 * until the table's statistics change (on PostgreSQL, when autovacuum analyses it). A plan chosen while
 * a table was nearly empty would scan it sequentially however large it grows, and `col = ANY($n)` with
 * an array of unknown length is exactly what the planner scans when small. So the hot paths look
 * arrays up one element at a time through a LATERAL subquery with LIMIT 1 (not flattened into a join):
 * a parameterised index lookup per element at any size. The bound: test/db/generic-plans.test.ts.
 */

/** Users by id, with their groups: one statement. */
export async function readUsers(db: SqlRunner, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  // One id (GET /Users/{id}, a write's read-back): the primary key's lookup, with nothing to unnest.
  if (ids.length === 1) {
    return (await db.query<UserRow>(`SELECT ${ROW} FROM users u WHERE u.id = $1::uuid AND u.resource IS NOT NULL`, [ids[0]], "users.readOne")).map(toRow);
  }
  const rows = await db.query<UserRow>(
    `SELECT ${ROW} FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) k CROSS JOIN LATERAL (SELECT * FROM users WHERE id = k.id LIMIT 1) u WHERE u.resource IS NOT NULL`,
    [ids],
    "users.read",
  );
  return rows.map(toRow);
}

/**
 * One page of a filtered list and the total, in one statement (the page's groups are read for the
 * page only). `where` and `order` are SQL built by src/scim/filter/sql.ts over alias `u`, with
 * `values` as their parameters.
 */
export async function listUserPage(
  db: SqlRunner,
  where: string,
  values: readonly unknown[],
  order: string,
  limit: number,
  offset: number,
  names: StatementNames,
): Promise<{ total: number | undefined; rows: UserRow[] }> {
  const n = values.length;
  // The count needs every matching row, so the page is chosen on ids and sort keys only (no documents
  // carried through it), then its rows and groups are read by id.
  const text = `SELECT p.total, ${ROW} FROM (
       SELECT u.id, count(*) OVER ()::int AS total FROM users u WHERE ${where} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}) p
     JOIN users u ON u.id = p.id
     ORDER BY ${order}`;
  const rows = await db.query<UserRow & { total: number }>(text, [...values, limit, offset], names.of(text));
  return { total: rows[0]?.total, rows: rows.map(({ total: _total, ...r }) => toRow(r)) };
}

/**
 * Names for list statements, whose text follows the filter's shape (values are parameters): the
 * first `max` shapes seen are prepared (an IdP sends the same `userName eq` lookup all day), any
 * others run unnamed, so arbitrary filters can't make every connection keep statements without end.
 */
export interface StatementNames {
  of(text: string): string | undefined;
}

export function statementNames(prefix: string, max = 64): StatementNames {
  const names = new Map<string, string>();
  return {
    of(text) {
      const known = names.get(text);
      if (known !== undefined || names.size >= max) return known;
      const name = `${prefix}.${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
      names.set(text, name);
      return name;
    },
  };
}


export async function countUsers(db: SqlRunner, where: string, values: readonly unknown[]): Promise<number> {
  const [row] = await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM users u WHERE ${where}`, values);
  return row?.total ?? 0;
}

export interface CreateContext {
  existing: { id: string; userName: string; hasResource: boolean } | null;
  /** Which of the candidate handles are taken. */
  taken: string[];
  gate: SyncGate;
}

/** Before a create: the record holding the userName's key, the candidate handles in use, the gate. */
export async function readForCreate(tx: SqlRunner, userNameKey: string, handles: readonly string[]): Promise<CreateContext> {
  const [row] = await tx.query<CreateContext & SyncGate>(
    `SELECT (SELECT json_build_object('id', id::text, 'userName', user_name, 'hasResource', resource IS NOT NULL) FROM users WHERE user_name_key = $1) AS existing,
            ARRAY(SELECT c.h FROM unnest($2::text[]) AS c(h) CROSS JOIN LATERAL (SELECT 1 FROM users WHERE username = c.h LIMIT 1) held) AS taken,
            ${GATE}`,
    [userNameKey, handles],
  );
  const r = row!;
  return {
    existing: r.existing,
    taken: r.taken,
    gate: { organizationSettings: r.organizationSettings, perOrganizationSync: r.perOrganizationSync, defaultOrganizationId: r.defaultOrganizationId },
  };
}

/** A user with a SCIM resource and what a write of it needs; `lock`: FOR UPDATE (in a transaction). */
export async function readForWrite(db: SqlRunner, id: string, lock: boolean): Promise<LockedUser | undefined> {
  const [row] = await db.query<LockedUser & SyncGate>(
    `SELECT ${ROW}, u.user_name AS "userName", u.user_name_key AS "userNameKey", u.username, u.email, u.display_name AS "displayName",
            u.given_name AS "givenName", u.family_name AS "familyName", u.login_type AS "loginType",
            ARRAY(SELECT organization_id::text FROM organization_members WHERE user_id = u.id) AS "organizationIds",
            ${GATE}
       FROM users u WHERE u.id = $1::uuid AND u.resource IS NOT NULL${lock ? " FOR UPDATE OF u" : ""}`,
    [id],
    lock ? "users.lock" : "users.readForWrite",
  );
  if (!row) return undefined;
  const { organizationSettings, perOrganizationSync, defaultOrganizationId, ...rest } = row;
  return { ...rest, ...toRow(rest), gate: { organizationSettings, perOrganizationSync, defaultOrganizationId } };
}

/** Locks a user with a SCIM resource for a write and reads what the write needs; undefined: none. */
export const lockForWrite = (tx: SqlRunner, id: string) => readForWrite(tx, id, true);

/**
 * Every handle that starts with `prefix` (a crowded base: `alice` … `alice-20` all taken). Handles are
 * [a-z0-9-] only, so the prefix holds no LIKE wildcard.
 */
export async function handlesStartingWith(tx: SqlRunner, prefix: string): Promise<string[]> {
  const rows = await tx.query<{ username: string }>(`SELECT username FROM users WHERE username LIKE $1`, [`${prefix.replace(/[^a-z0-9-]/g, "")}%`]);
  return rows.map((r) => r.username);
}

/** The id of the record holding a userName key, if any. */
export async function keyHolder(tx: SqlRunner, userNameKey: string): Promise<string | undefined> {
  const [row] = await tx.query<{ id: string }>(`SELECT id::text AS id FROM users WHERE user_name_key = $1`, [userNameKey]);
  return row?.id;
}

/** The columns a write stores (derived from the SCIM attributes; see user-columns.ts). */
export interface UserValues {
  userName: string;
  userNameKey: string;
  externalId: string | null;
  email: string | null;
  emails: string[];
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  status: UserStatus;
  claims: object;
  resource: object;
}

const valueParams = (v: UserValues) => [
  v.userName,
  v.userNameKey,
  v.externalId,
  v.email,
  v.emails,
  v.givenName,
  v.familyName,
  v.displayName,
  v.status,
  JSON.stringify(v.claims),
  JSON.stringify(v.resource),
];

/**
 * A new user, its default-organization membership when `organizationId` is set, its audit rows and
 * its events: one statement (foreign keys are checked at its end, after every CTE ran).
 */
export async function insertUser(
  tx: SqlRunner,
  user: UserValues & { id: string; username: string; at: Date },
  organizationId: string | null,
  audit: readonly AuditEntry[],
  events: readonly DomainEvent[],
): Promise<void> {
  await tx.query(
    `WITH u AS (
       INSERT INTO users (id, user_name, user_name_key, external_id, email, emails, given_name, family_name, display_name, status, claims, resource, username, created_at, updated_at)
       VALUES ($12::uuid, $1, $2, $3, $4, $5::text[], $6, $7, $8, $9::"UserStatus", $10::jsonb, $11::jsonb, $13, $14::timestamptz, $14::timestamptz)
       RETURNING id),
     m AS (
       INSERT INTO organization_members (organization_id, user_id, source, created_at, updated_at)
       SELECT $15::uuid, u.id, 'sync'::"GrantSource", $14::timestamptz, $14::timestamptz FROM u WHERE $15::uuid IS NOT NULL),
     ${auditCte("a", "$16")},
     ${outboxCtes("$17")}
     SELECT 1`,
    [...valueParams(user), user.id, user.username, user.at, organizationId, auditRows(audit), outboxRows(events, user.at.toISOString())],
  );
}

export type CreateOutcome =
  | { kind: "created"; username: string }
  /** The sync gate is no longer the one the create was computed from. */
  | { kind: "gateChanged" }
  /** A record holds the userName's key (its SCIM resource deleted or not). */
  | { kind: "exists"; existing: { id: string; userName: string; hasResource: boolean } }
  /** Every candidate handle is taken. */
  | { kind: "crowded" };

/**
 * A create in one statement, its own transaction: the user with the first free handle of `handles`,
 * its default-organization membership when `organizationId` is set, audit rows and events (whose
 * `data.username` is filled in with the handle chosen) — written only while no record holds the
 * userName's key and the sync gate is still `gate`. Otherwise nothing is written and the outcome says
 * why. Two creates racing past the checks meet the unique indexes (23505), as in a transaction.
 */
export async function createUser(
  db: SqlRunner,
  user: UserValues & { id: string; at: Date },
  handles: readonly string[],
  gate: SyncGate,
  organizationId: string | null,
  audit: readonly AuditEntry[],
  events: readonly DomainEvent[],
): Promise<CreateOutcome> {
  const [row] = await db.query<{ fresh: boolean; existing: { id: string; userName: string; hasResource: boolean } | null; username: string | null }>(
    `WITH fresh AS (SELECT ${gateUnchanged(["$16", "$17", "$18"])} AS ok),
     ex AS (SELECT id::text AS id, user_name AS "userName", resource IS NOT NULL AS "hasResource" FROM users WHERE user_name_key = $2),
     taken AS (SELECT ARRAY(SELECT c.h FROM unnest($13::text[]) AS c(h) CROSS JOIN LATERAL (SELECT 1 FROM users WHERE username = c.h LIMIT 1) held) AS handles),
     pick AS (
       SELECT c.h AS username FROM unnest($13::text[]) WITH ORDINALITY AS c(h, n), fresh, taken
        WHERE fresh.ok AND NOT EXISTS (SELECT 1 FROM ex) AND NOT (c.h = ANY(taken.handles))
        ORDER BY c.n LIMIT 1),
     u AS (
       INSERT INTO users (id, user_name, user_name_key, external_id, email, emails, given_name, family_name, display_name, status, claims, resource, username, created_at, updated_at)
       SELECT $12::uuid, $1, $2, $3, $4, $5::text[], $6, $7, $8, $9::"UserStatus", $10::jsonb, $11::jsonb, pick.username, $14::timestamptz, $14::timestamptz FROM pick
       RETURNING id, username),
     m AS (
       INSERT INTO organization_members (organization_id, user_id, source, created_at, updated_at)
       SELECT $15::uuid, u.id, 'sync'::"GrantSource", $14::timestamptz, $14::timestamptz FROM u WHERE $15::uuid IS NOT NULL),
     ${auditCte("a", "$19", "CROSS JOIN u")},
     ${outboxCtes("$20", { join: "CROSS JOIN u", payload: "CASE WHEN x.payload->'data' ? 'username' THEN jsonb_set(x.payload, '{data,username}', to_jsonb(u.username)) ELSE x.payload END" })}
     SELECT (SELECT ok FROM fresh) AS fresh, (SELECT row_to_json(ex) FROM ex) AS existing, (SELECT username FROM u) AS username`,
    [...valueParams(user), user.id, handles, user.at, organizationId, ...gateParams(gate), auditRows(audit), outboxRows(events, user.at.toISOString())],
    "users.create",
  );
  const r = row!;
  if (!r.fresh) return { kind: "gateChanged" };
  if (r.existing) return { kind: "exists", existing: r.existing };
  return r.username === null ? { kind: "crowded" } : { kind: "created", username: r.username };
}

/**
 * A user's new values, version + 1, with its audit rows and events: one statement. With `expect`, the
 * write happens only while the user is still at that version and the sync gate still `gate` (a write
 * computed from an unlocked read); false: nothing was written. The user events' organization_ids
 * are read in the statement, so they are the memberships as the write commits them.
 */
export async function updateUser(
  db: SqlRunner,
  id: string,
  user: UserValues & { at: Date },
  audit: readonly AuditEntry[],
  events: readonly DomainEvent[],
  expect?: { version: number; gate: SyncGate },
): Promise<boolean> {
  const guard = expect ? `AND version = $16 AND resource IS NOT NULL AND ${gateUnchanged(["$17", "$18", "$19"])}` : "";
  const rows = await db.query<{ written: boolean }>(
    `WITH u AS (
       UPDATE users SET user_name = $1, user_name_key = $2, external_id = $3, email = $4, emails = $5::text[], given_name = $6, family_name = $7,
                        display_name = $8, status = $9::"UserStatus", claims = $10::jsonb, resource = $11::jsonb, version = version + 1, updated_at = $13::timestamptz
        WHERE id = $12::uuid ${guard} RETURNING id),
     ${auditCte("a", "$14", "CROSS JOIN u")},
     ${outboxCtes("$15", {
       join: "CROSS JOIN u",
       payload: `CASE WHEN x.payload->'data' ? 'organization_ids' THEN jsonb_set(x.payload, '{data,organization_ids}',
                   (SELECT COALESCE(jsonb_agg(om.organization_id::text ORDER BY om.organization_id), '[]'::jsonb) FROM organization_members om WHERE om.user_id = u.id))
                 ELSE x.payload END`,
     })}
     SELECT EXISTS (SELECT 1 FROM u) AS written`,
    [...valueParams(user), id, user.at, auditRows(audit), outboxRows(events, user.at.toISOString()), ...(expect ? [expect.version, ...gateParams(expect.gate)] : [])],
    expect ? "users.update.guarded" : "users.update",
  );
  return rows[0]?.written === true;
}
