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
