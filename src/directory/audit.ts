import type { Prisma } from "../generated/prisma/client";

/** One audit row, written in the caller's transaction so that it exists exactly when the change does. */
export interface AuditEntry {
  actor: string;
  action: string;
  resourceType: string;
  resourceId?: string;
  userId?: string;
  details?: Prisma.InputJsonObject;
}

export async function recordAudit(tx: Prisma.TransactionClient, e: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actor: e.actor,
      action: e.action,
      resourceType: e.resourceType,
      resourceId: e.resourceId ?? null,
      userId: e.userId ?? null,
      details: e.details ?? {},
    },
  });
}

/**
 * The audit rows of a hot-path write as a CTE named `name`, read from the jsonb parameter `param`
 * (auditRows): the write and its audit trail go in one statement; `join` (e.g. `CROSS JOIN u`) writes
 * them only when that CTE wrote its row.
 */
export function auditCte(name: string, param: string, join = ""): string {
  return `${name} AS (
       INSERT INTO audit_events (id, actor, action, resource_type, resource_id, user_id, details)
       SELECT gen_random_uuid(), x.actor, x.action, x.resource_type, x.resource_id, x.user_id, COALESCE(x.details, '{}'::jsonb)
         FROM jsonb_to_recordset(${param}::jsonb) AS x(actor text, action text, resource_type text, resource_id text, user_id uuid, details jsonb) ${join})`;
}

/** The entries as the jsonb parameter of auditCte. */
export function auditRows(entries: readonly AuditEntry[]): string {
  return JSON.stringify(
    entries.map((e) => ({ actor: e.actor, action: e.action, resource_type: e.resourceType, resource_id: e.resourceId ?? null, user_id: e.userId ?? null, details: e.details ?? {} })),
  );
}
