import type { Prisma } from "../generated/prisma/client";
import { toAdminUser, type AdminUser } from "../directory/admin-users";
import type { DomainEvent } from "./outbox";

/** Event payloads: records as the admin API shows them, read inside the change's transaction. */

type Tx = Prisma.TransactionClient;

export async function userRecord(tx: Tx, userId: string): Promise<AdminUser> {
  const row = await tx.user.findUniqueOrThrow({ where: { id: userId }, include: { memberships: { select: { organizationId: true } } } });
  return toAdminUser(row);
}

/** The events of a user write: updated, plus suspended or reactivated when the status moved. */
export async function userChangeEvents(tx: Tx, userId: string, before: string | undefined, base: "user.created" | "user.updated" | "user.deleted"): Promise<DomainEvent[]> {
  const data = await userRecord(tx, userId);
  const events: DomainEvent[] = [{ type: base, data }];
  if (before !== undefined && before !== data.status) {
    if (data.status === "suspended") events.push({ type: "user.suspended", data });
    else if (before === "suspended") events.push({ type: "user.reactivated", data });
  }
  return events;
}

/** An application group without its member list (membership changes are their own events). */
export function groupRecord(g: { id: string; name: string; displayName: string; organizationId: string; avatarUrl: string; quotaAllowance: number; source: string }): object {
  return {
    id: g.id,
    name: g.name,
    display_name: g.displayName,
    organization_id: g.organizationId,
    avatar_url: g.avatarUrl,
    quota_allowance: g.quotaAllowance,
    source: g.source,
  };
}
