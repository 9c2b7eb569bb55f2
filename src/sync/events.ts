import type { Prisma } from "../generated/prisma/client";
import { groupRecord } from "../events/records";
import type { DomainEvent } from "../events/outbox";
import { groupMemberEvent, memberRolesChangedEvent, organizationMemberEvent } from "../events/membership-events";
import { describeReason, type UserPlan } from "./plan";

/**
 * The outbound events of applied sync plans: groups auto-create made, organization and group
 * memberships added or removed (with the rule), and each member's resulting organization roles where
 * they changed. Two queries whatever the batch size.
 */
export async function syncEvents(tx: Prisma.TransactionClient, plans: readonly UserPlan[], created: readonly Parameters<typeof groupRecord>[0][]): Promise<DomainEvent[]> {
  const events: DomainEvent[] = created.map((g) => ({ type: "group.created", data: groupRecord(g) }));
  const changed = plans.filter((p) => p.changes.length > 0);
  if (changed.length === 0) return events;
  const names = new Map((await tx.user.findMany({ where: { id: { in: changed.map((p) => p.userId) } }, select: { id: true, username: true } })).map((u) => [u.id, u.username]));
  const roleChanges = new Map<string, { userId: string; organizationId: string }>();
  for (const p of changed) {
    const who = { user_id: p.userId, username: names.get(p.userId) ?? "" };
    for (const c of p.changes) {
      const why = describeReason(c.reason);
      // The source on additions only: a removal says why it happened (the rule), not what was removed.
      const opts = { ...(c.action === "add" ? { source: "sync" as const } : {}), why };
      if (c.dimension === "organization") {
        events.push(organizationMemberEvent(c.action, c.organizationId, who, opts));
      } else if (c.dimension === "group") {
        events.push(groupMemberEvent(c.action, { id: c.groupId, name: c.groupName, organizationId: c.organizationId }, who, opts));
      } else {
        roleChanges.set(`${p.userId}/${c.organizationId}`, { userId: p.userId, organizationId: c.organizationId });
      }
    }
  }
  if (roleChanges.size > 0) {
    const pairs = [...roleChanges.values()];
    const grants = await tx.organizationMemberRole.findMany({ where: { userId: { in: pairs.map((r) => r.userId) } }, select: { userId: true, organizationId: true, role: true } });
    for (const { userId, organizationId } of pairs) {
      const roles = grants.filter((g) => g.userId === userId && g.organizationId === organizationId).map((g) => g.role);
      events.push(memberRolesChangedEvent(organizationId, { user_id: userId, username: names.get(userId) ?? "" }, roles));
    }
  }
  return events;
}
