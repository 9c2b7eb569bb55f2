import type { PrismaClient } from "../generated/prisma/client";
import type { SqlRunner } from "../db/database";

/** Key of the transaction-level advisory lock that serialises first-start bootstrap across instances. */
const BOOTSTRAP_LOCK_KEY = 0x5c1b01;

export const DEFAULT_ORGANIZATION_NAME = "default";
export const EVERYONE_GROUP_NAME = "Everyone";

export interface DefaultOrganization {
  id: string;
  name: string;
  created: boolean;
}

/**
 * Makes sure exactly one default organization exists, with its Everyone group (id equal to the
 * organization's id, as in Coder; its membership is implicit: every organization member). Runs at
 * every start; several instances starting at once take turns under an advisory lock, so only one
 * creates it. Once it exists (every start but the first) it is one read through the driver, without
 * Prisma: an idle bridge then never loads Prisma's query compiler (README, Performance).
 */
export async function ensureDefaultOrganization(db: { prisma: PrismaClient; sql: SqlRunner }): Promise<DefaultOrganization> {
  const [found] = await db.sql.query<{ id: string; name: string }>("SELECT id::text AS id, name FROM organizations WHERE is_default LIMIT 1");
  if (found) return { id: found.id, name: found.name, created: false };
  return db.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK_KEY})`;
    const existing = await tx.organization.findFirst({ where: { isDefault: true } });
    if (existing) return { id: existing.id, name: existing.name, created: false };
    const org = await tx.organization.create({
      data: {
        name: DEFAULT_ORGANIZATION_NAME,
        displayName: "Default",
        description: "The default organization: provisioned users join it unless sync settings say otherwise.",
        isDefault: true,
      },
    });
    await tx.group.create({
      data: {
        id: org.id,
        organizationId: org.id,
        name: EVERYONE_GROUP_NAME,
        displayName: EVERYONE_GROUP_NAME,
        source: "user",
      },
    });
    return { id: org.id, name: org.name, created: true };
  });
}
