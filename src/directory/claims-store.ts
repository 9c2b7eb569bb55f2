import type { Prisma } from "../generated/prisma/client";

type Tx = Prisma.TransactionClient;

/** The displayNames of the IdP groups a user belongs to. */
export async function groupNamesOf(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ display_name: string }[]>`
    SELECT g.display_name FROM idp_group_members m JOIN idp_groups g ON g.id = m.group_id WHERE m.user_id = ${userId}::uuid`;
  return rows.map((r) => r.display_name);
}

/**
 * The UPDATE that recomputes the `groups` claim of the users matching `where` (SQL over alias `u`),
 * in one place for the Prisma path (refreshGroupClaims) and the SCIM group hot path
 * (src/directory/groups/group-sql.ts), which runs it as a CTE beside the group's own UPDATE: there it
 * still sees the group's old name, so `renaming` gives the group (a uuid expression) and the name it
 * is getting (a text expression) to use instead.
 */
export function groupClaimsUpdate(where: string, renaming?: { group: string; name: string }): string {
  const name = renaming ? `(CASE WHEN g.id = ${renaming.group} THEN ${renaming.name} ELSE g.display_name END)` : "g.display_name";
  return `UPDATE users u SET claims = jsonb_set(u.claims, '{groups}', COALESCE((
      SELECT jsonb_agg(${name} ORDER BY ${name})
        FROM idp_group_members m JOIN idp_groups g ON g.id = m.group_id
       WHERE m.user_id = u.id), '[]'::jsonb))
     WHERE ${where}`;
}

/**
 * Recomputes the `groups` claim of many users in one statement (a membership change on a group of
 * thousands must not become thousands of round trips). Other claims depend on the user's own
 * attributes and are written with the user.
 */
export async function refreshGroupClaims(tx: Tx, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await tx.$executeRawUnsafe(groupClaimsUpdate("u.id = ANY($1::uuid[])"), [...userIds]);
}

/** Members of a group (before it is renamed or deleted, to refresh their claims). */
export async function memberIdsOfGroup(tx: Tx, groupId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ user_id: string }[]>`SELECT user_id::text AS user_id FROM idp_group_members WHERE group_id = ${groupId}::uuid`;
  return rows.map((r) => r.user_id);
}
