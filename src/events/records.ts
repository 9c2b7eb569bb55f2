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
  return changeEventsOf(await userRecord(tx, userId), before, base);
}

/** The events of a user write whose record after it is `data` (pure: the hot paths compute the record). */
export function changeEventsOf(data: AdminUser, before: string | undefined, base: "user.created" | "user.updated" | "user.deleted"): DomainEvent[] {
  const events: DomainEvent[] = [{ type: base, data }];
  if (before !== undefined && before !== data.status) {
    if (data.status === "suspended") events.push({ type: "user.suspended", data });
    else if (before === "suspended") events.push({ type: "user.reactivated", data });
  }
  return events;
}

/**
 * Brings the user records of events emitted earlier in this transaction (`seqs`) up to the user's
 * memberships now: a SCIM write emits its user event before the default-organization join and IdP
 * sync (the event order says "user, then its memberships"), but the record must show the state at the
 * end of the change. One statement; call it only when memberships changed. Organization ids are
 * sorted as toAdminUser sorts them (uuid order is the order of their lower-case text).
 */
export async function refreshUserEvents(tx: Tx, userId: string, seqs: readonly bigint[]): Promise<void> {
  if (seqs.length === 0) return;
  await tx.$executeRawUnsafe(
    `UPDATE outbox_events SET payload = jsonb_set(payload, '{data,organization_ids}',
       (SELECT COALESCE(jsonb_agg(m.organization_id::text ORDER BY m.organization_id), '[]'::jsonb) FROM organization_members m WHERE m.user_id = $1::uuid))
      WHERE seq = ANY($2::bigint[])`,
    userId,
    seqs.map(String),
  );
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
