import type { Prisma } from "../generated/prisma/client";
import type { UserState } from "./plan";

type Tx = Prisma.TransactionClient;

/**
 * Loads the claims and current grants of many users in four queries, whatever their number (a
 * reconciliation batch, or every member of a group an IdP just changed). With `lock`, the user rows
 * are locked first (in id order, so two batches cannot deadlock each other), so that the claims the
 * plan is computed from stay the claims until the batch commits.
 */
export async function loadUserStates(tx: Tx, userIds: readonly string[], opts: { lock: boolean }): Promise<UserState[]> {
  if (userIds.length === 0) return [];
  const ids = [...userIds];
  const users = opts.lock
    ? await tx.$queryRaw<{ id: string; claims: unknown }[]>`SELECT id::text AS id, claims FROM users WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`
    : await tx.user.findMany({ where: { id: { in: ids } }, select: { id: true, claims: true } });
  // One after the other: a transaction is one connection.
  const orgs = await tx.organizationMember.findMany({ where: { userId: { in: ids } }, select: { userId: true, organizationId: true, source: true } });
  const groups = await tx.groupMember.findMany({
    where: { userId: { in: ids } },
    select: { userId: true, groupId: true, source: true, group: { select: { organizationId: true, name: true } } },
  });
  const roles = await tx.organizationMemberRole.findMany({ where: { userId: { in: ids } }, select: { userId: true, organizationId: true, role: true, source: true } });
  const states = new Map<string, UserState>();
  const order = new Map(ids.map((id, i) => [id, i]));
  for (const u of users) {
    const claims = u.claims && typeof u.claims === "object" && !Array.isArray(u.claims) ? (u.claims as Record<string, unknown>) : {};
    states.set(u.id, { userId: u.id, claims, organizations: [], groups: [], roles: [] });
  }
  for (const o of orgs) states.get(o.userId)?.organizations.push({ key: o.organizationId, source: o.source });
  for (const g of groups) states.get(g.userId)?.groups.push({ key: g.groupId, source: g.source, organizationId: g.group.organizationId, name: g.group.name });
  for (const r of roles) states.get(r.userId)?.roles.push({ key: r.role, source: r.source, organizationId: r.organizationId });
  // Grants in a stable order, so that the same state always gives the same plan (a dry run's digest).
  for (const s of states.values()) {
    s.organizations.sort((a, b) => a.key.localeCompare(b.key));
    s.groups.sort((a, b) => a.key.localeCompare(b.key));
    s.roles.sort((a, b) => (a.organizationId + a.key).localeCompare(b.organizationId + b.key));
  }
  return [...states.values()].sort((a, b) => order.get(a.userId)! - order.get(b.userId)!);
}
