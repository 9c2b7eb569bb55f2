import type { Prisma } from "../../generated/prisma/client";
import type { MemberOp } from "../../scim/patch/members";
import { DirectoryError } from "../errors";
import { isUuid } from "../prisma-errors";

/**
 * IdP group membership as set operations, inside the caller's transaction (which holds the group's
 * row lock, so concurrent PATCHes on one group queue instead of losing each other's members).
 * Thousands of members are one statement each, never a loop of single inserts.
 */

type Tx = Prisma.TransactionClient;

/** The ids of an add or replace as stored: lower case, each once. */
export function opIds(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.toLowerCase()))];
}

/** 400 for member values that are not uuids (checked before any SQL: they can't reach a ::uuid cast). */
export function notUserIds(ids: readonly string[]): DirectoryError | undefined {
  const bad = ids.filter((id) => !isUuid(id));
  return bad.length > 0 ? new DirectoryError("invalid", `members must be user ids; not a user: ${bad.slice(0, 5).join(", ")}`) : undefined;
}

/** 400 for member ids that name no user (`missing`, in the request's order). */
export function unknownMembers(missing: readonly string[]): DirectoryError | undefined {
  if (missing.length === 0) return undefined;
  return new DirectoryError("invalid", `members must be existing users; unknown: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` (+${missing.length - 5} more)` : ""}`);
}

/** Refuses ids that are not users: 400, and the transaction writes nothing. */
async function checkMembers(tx: Tx, ids: string[]): Promise<void> {
  const invalid = notUserIds(ids);
  if (invalid) throw invalid;
  if (ids.length === 0) return;
  const found = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM users WHERE id = ANY(${ids}::uuid[])`;
  const known = new Set(found.map((r) => r.id));
  const unknown = unknownMembers(ids.filter((id) => !known.has(id.toLowerCase())));
  if (unknown) throw unknown;
}

type Touched = { user_id: string }[];

async function addMembers(tx: Tx, groupId: string, ids: string[]): Promise<Touched> {
  if (ids.length === 0) return [];
  return tx.$queryRaw<Touched>`INSERT INTO idp_group_members (group_id, user_id)
    SELECT ${groupId}::uuid, u FROM unnest(${ids}::uuid[]) AS u ON CONFLICT DO NOTHING RETURNING user_id::text`;
}

/** Applies the operations in order; returns the users whose membership changed. */
export async function applyMemberOps(tx: Tx, groupId: string, ops: readonly MemberOp[]): Promise<string[]> {
  const touched = new Set<string>();
  const note = (rows: Touched) => rows.forEach((r) => touched.add(r.user_id));
  for (const op of ops) {
    const ids = "values" in op ? opIds(op.values) : [];
    switch (op.kind) {
      case "add":
        await checkMembers(tx, ids);
        note(await addMembers(tx, groupId, ids));
        break;
      case "remove": {
        // Removing someone who is not a member (or no user at all) is not an error: the end state holds.
        const valid = ids.filter(isUuid);
        if (valid.length > 0) note(await tx.$queryRaw<Touched>`DELETE FROM idp_group_members WHERE group_id = ${groupId}::uuid AND user_id = ANY(${valid}::uuid[]) RETURNING user_id::text`);
        break;
      }
      case "removeAll":
        note(await tx.$queryRaw<Touched>`DELETE FROM idp_group_members WHERE group_id = ${groupId}::uuid RETURNING user_id::text`);
        break;
      case "replace":
        await checkMembers(tx, ids);
        note(await tx.$queryRaw<Touched>`DELETE FROM idp_group_members WHERE group_id = ${groupId}::uuid AND NOT (user_id = ANY(${ids}::uuid[])) RETURNING user_id::text`);
        note(await addMembers(tx, groupId, ids));
        break;
    }
  }
  return [...touched];
}

export interface MemberView {
  value: string;
  display: string;
  type: "User";
}

/** Members of the groups, with the user's userName as display, ordered by it (members are a set; a stable order helps clients and diffs). */
export async function membersOf(db: Tx, groupIds: string[]): Promise<Map<string, MemberView[]>> {
  const out = new Map<string, MemberView[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const rows = await db.$queryRaw<{ group_id: string; user_id: string; user_name: string }[]>`
    SELECT m.group_id::text AS group_id, m.user_id::text AS user_id, u.user_name
      FROM idp_group_members m JOIN users u ON u.id = m.user_id
     WHERE m.group_id = ANY(${groupIds}::uuid[])
     ORDER BY u.user_name_key, m.user_id`;
  for (const r of rows) out.get(r.group_id)?.push({ value: r.user_id, display: r.user_name, type: "User" });
  return out;
}

/** The IdP groups of users, for the User resource's read-only `groups` attribute (RFC 7643 §4.1.2). */
export async function groupsOfUsers(db: Tx, userIds: string[]): Promise<Map<string, { value: string; display: string; type: "direct" }[]>> {
  const out = new Map<string, { value: string; display: string; type: "direct" }[]>();
  if (userIds.length === 0) return out;
  const rows = await db.$queryRaw<{ user_id: string; group_id: string; display_name: string }[]>`
    SELECT m.user_id::text AS user_id, g.id::text AS group_id, g.display_name
      FROM idp_group_members m JOIN idp_groups g ON g.id = m.group_id
     WHERE m.user_id = ANY(${userIds}::uuid[])
     ORDER BY g.display_name, g.id`;
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ value: r.group_id, display: r.display_name, type: "direct" });
    out.set(r.user_id, list);
  }
  return out;
}
