import type { Prisma, PrismaClient } from "../generated/prisma/client";
import { notFound } from "./errors";
import { likeLiteral } from "../text/like";
import { isUuid } from "./prisma-errors";

/** The audit log as the admin API lists it, newest first. */

export interface AuditQuery {
  user: string | undefined;
  dimension: string | undefined;
  action: string | undefined;
  since: Date | undefined;
  until: Date | undefined;
  limit: number;
  offset: number;
}

export function createAdminAudit(prisma: PrismaClient) {
  return {
    async list(q: AuditQuery) {
      let userId: string | undefined;
      if (q.user !== undefined) {
        const u = await prisma.user.findFirst({ where: isUuid(q.user) ? { id: q.user } : { username: q.user.toLowerCase() }, select: { id: true } });
        if (!u) throw notFound(`user ${q.user}`);
        userId = u.id;
      }
      const where: Prisma.AuditEventWhereInput = {
        ...(userId ? { userId } : {}),
        ...(q.dimension ? { details: { path: ["dimension"], equals: q.dimension } } : {}),
        // A literal prefix: Prisma's startsWith is a LIKE that leaves `%` and `_` live.
        ...(q.action ? { action: { startsWith: likeLiteral(q.action) } } : {}),
        ...(q.since || q.until ? { createdAt: { ...(q.since ? { gte: q.since } : {}), ...(q.until ? { lt: q.until } : {}) } } : {}),
      };
      const [count, rows] = await Promise.all([
        prisma.auditEvent.count({ where }),
        prisma.auditEvent.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: q.offset, take: q.limit }),
      ]);
      return {
        count,
        audit_logs: rows.map((r) => ({
          id: r.id,
          time: r.createdAt.toISOString(),
          actor: r.actor,
          action: r.action,
          resource_type: r.resourceType,
          resource_id: r.resourceId,
          user_id: r.userId,
          details: r.details,
        })),
      };
    },
  };
}

export type AdminAudit = ReturnType<typeof createAdminAudit>;
