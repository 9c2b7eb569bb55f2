import type { SqlRunner } from "../../db/database";
import type { MemberOp } from "../../scim/patch/members";
import { GATE, splitGate, type SyncGate } from "../../sync/gate";
import { auditCte, auditRows, type AuditEntry } from "../audit";
import { groupClaimsUpdate } from "../claims-store";
import type { MemberView } from "./members";

/**
 * The SQL of the IdP group aggregate on the SCIM hot paths, in one place, always parameterised. A
 * write is BEGIN, one read that locks the group and reads the sync gate, one statement per member
 * operation (the check that the ids are users and the change together), one statement that writes the
 * group with its version, its members' `groups` claim and its audit row and reads the members back, and
 * COMMIT: the same count for one member or thousands (test/scim/round-trips.test.ts).
 */

export interface GroupRow {
  id: string;
  displayName: string;
  displayNameKey: string;
  externalId: string | null;
  resource: unknown;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface LockedGroup extends GroupRow {
  gate: SyncGate;
}

/** The columns a write stores. */
export interface GroupValues {
  displayName: string;
  displayNameKey: string;
  externalId: string | null;
  /** null in an update: the stored document stays as it is (a PATCH of members only). */
  resource: object | null;
}

/** What a member operation did: the ids that are no user (nothing was written then), the users whose membership changed. */
export interface MemberChange {
  missing: string[];
  touched: string[];
}

const row = (a: string) =>
  `${a}id::text AS id, ${a}display_name AS "displayName", ${a}display_name_key AS "displayNameKey", ${a}external_id AS "externalId", ${a}resource, ${a}version,
   ${a}created_at AS "createdAt", ${a}updated_at AS "updatedAt"`;

/** The members of group `group` (a uuid expression) as the SCIM resource shows them (see membersOf in members.ts). */
const members = (group: string) =>
  `COALESCE((SELECT json_agg(json_build_object('value', m.user_id::text, 'display', u.user_name, 'type', 'User') ORDER BY u.user_name_key, m.user_id)
               FROM idp_group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ${group}), '[]'::json)`;

/** The CTEs `want` (the ids of uuid[] parameter `ids`) and `missing` (those that are no user). */
const wanted = (ids: string) => `want AS (SELECT unnest(${ids}::uuid[]) AS id),
     missing AS (SELECT w.id FROM want w WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = w.id))`;

/** Inserts the wanted ids as members of `group`, unless one of them is missing. */
const insertWanted = (group: string) => `added AS (
       INSERT INTO idp_group_members (group_id, user_id)
       SELECT ${group}, w.id FROM want w WHERE NOT EXISTS (SELECT 1 FROM missing)
       ON CONFLICT DO NOTHING RETURNING user_id)`;

/** Both drivers return Dates for timestamptz; a string would mean a driver configured otherwise. */
const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

function toRow<R extends GroupRow>(r: R): R {
  return { ...r, createdAt: asDate(r.createdAt), updatedAt: asDate(r.updatedAt) };
}

/** Locks a group for a write (concurrent writes on it queue here) and reads the sync gate; undefined: none. */
export async function lockGroup(tx: SqlRunner, id: string): Promise<LockedGroup | undefined> {
  const [found] = await tx.query<GroupRow & SyncGate>(`SELECT ${row("g.")}, ${GATE} FROM idp_groups g WHERE g.id = $1::uuid FOR UPDATE OF g`, [id]);
  if (!found) return undefined;
  const { gate, rest } = splitGate(found);
  return { ...toRow(rest), gate };
}

/** The id of the group holding a displayName key, if any. */
export async function keyHolder(tx: SqlRunner, displayNameKey: string): Promise<string | undefined> {
  const [holder] = await tx.query<{ id: string }>(`SELECT id::text AS id FROM idp_groups WHERE display_name_key = $1`, [displayNameKey]);
  return holder?.id;
}

/**
 * One member operation on group `groupId` as one statement. `add` and `replace` check their ids
 * (uuids: notUserIds first) in the same statement and change nothing when one is no user.
 */
export async function applyMemberOp(tx: SqlRunner, groupId: string, op: MemberOp, ids: readonly string[]): Promise<MemberChange> {
  let text: string;
  let params: unknown[];
  switch (op.kind) {
    case "add":
      text = `WITH ${wanted("$2")}, ${insertWanted("$1::uuid")}
              SELECT ARRAY(SELECT id::text FROM missing) AS missing, ARRAY(SELECT user_id::text FROM added) AS touched`;
      params = [groupId, ids];
      break;
    case "replace":
      text = `WITH ${wanted("$2")},
                removed AS (
                  DELETE FROM idp_group_members WHERE group_id = $1::uuid AND NOT (user_id = ANY($2::uuid[])) AND NOT EXISTS (SELECT 1 FROM missing)
                  RETURNING user_id),
                ${insertWanted("$1::uuid")}
              SELECT ARRAY(SELECT id::text FROM missing) AS missing,
                     ARRAY(SELECT user_id::text FROM removed UNION ALL SELECT user_id::text FROM added) AS touched`;
      params = [groupId, ids];
      break;
    case "remove":
      text = `WITH removed AS (DELETE FROM idp_group_members WHERE group_id = $1::uuid AND user_id = ANY($2::uuid[]) RETURNING user_id)
              SELECT ARRAY[]::text[] AS missing, ARRAY(SELECT user_id::text FROM removed) AS touched`;
      params = [groupId, ids];
      break;
    case "removeAll":
      text = `WITH removed AS (DELETE FROM idp_group_members WHERE group_id = $1::uuid RETURNING user_id)
              SELECT ARRAY[]::text[] AS missing, ARRAY(SELECT user_id::text FROM removed) AS touched`;
      params = [groupId];
      break;
  }
  const [change] = await tx.query<MemberChange>(text, params);
  return change!;
}

/**
 * A new group with its members (ids already known to be uuids), in one statement: a taken name fails
 * on the unique index; an id that is no user is reported in `missing` and no member is written (the
 * caller then throws, rolling the group back too).
 */
export async function insertGroup(tx: SqlRunner, id: string, values: GroupValues & { resource: object }, at: Date, memberIds: readonly string[]): Promise<GroupRow & MemberChange> {
  const [inserted] = await tx.query<GroupRow & MemberChange>(
    `WITH ${wanted("$7")},
       g AS (
         INSERT INTO idp_groups (id, display_name, display_name_key, external_id, resource, created_at, updated_at)
         VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6::timestamptz, $6::timestamptz)
         RETURNING ${row("")}),
       ${insertWanted("$1::uuid")}
     SELECT g.*, ARRAY(SELECT id::text FROM missing) AS missing, ARRAY(SELECT user_id::text FROM added) AS touched FROM g`,
    [id, values.displayName, values.displayNameKey, values.externalId, JSON.stringify(values.resource), at, memberIds],
  );
  return toRow(inserted!);
}

/** After a create: the members' `groups` claim and the audit row, and the members as the response shows them. */
export async function finishCreate(tx: SqlRunner, id: string, touched: readonly string[], audit: readonly AuditEntry[]): Promise<MemberView[]> {
  const [done] = await tx.query<{ members: MemberView[] }>(
    `WITH c AS (${groupClaimsUpdate("u.id = ANY($2::uuid[])")}),
       ${auditCte("a", "$3")}
     SELECT ${members("$1::uuid")} AS members`,
    [id, touched, auditRows(audit)],
  );
  return done!.members;
}

/**
 * A group's new values, version + 1, after its member operations: with the `groups` claim of the
 * users in `touched` (and, when `allMembers`, of every member: a rename) and the audit rows, in one
 * statement that also reads the members back. The claims CTE still sees the group's old name (one
 * snapshot per statement), so it is handed the new one.
 */
export async function updateGroup(
  tx: SqlRunner,
  id: string,
  values: GroupValues,
  at: Date,
  refresh: { touched: readonly string[]; allMembers: boolean },
  audit: readonly AuditEntry[],
): Promise<GroupRow & { members: MemberView[] }> {
  const [updated] = await tx.query<GroupRow & { members: MemberView[] }>(
    `WITH g AS (
       UPDATE idp_groups SET display_name = $2, display_name_key = $3, external_id = $4, resource = COALESCE($5::jsonb, resource), version = version + 1, updated_at = $6::timestamptz
        WHERE id = $1::uuid RETURNING ${row("")}),
     c AS (${groupClaimsUpdate("u.id = ANY($7::uuid[]) OR ($8::boolean AND u.id IN (SELECT user_id FROM idp_group_members WHERE group_id = $1::uuid))", { group: "$1::uuid", name: "$2::text" })}),
     ${auditCte("a", "$9")}
     SELECT g.*, ${members("$1::uuid")} AS members FROM g`,
    [id, values.displayName, values.displayNameKey, values.externalId, values.resource && JSON.stringify(values.resource), at, refresh.touched, refresh.allMembers, auditRows(audit)],
  );
  return toRow(updated!);
}

/** The members of a group, for a write that changed nothing. */
export async function readMembers(tx: SqlRunner, id: string): Promise<MemberView[]> {
  const [found] = await tx.query<{ members: MemberView[] }>(`SELECT ${members("$1::uuid")} AS members`, [id]);
  return found!.members;
}
