import { Prisma } from "../../src/generated/prisma/client";
import type { Database } from "../../src/db/database";

/**
 * A directory where group and role sync were just switched on over existing users: `n` users in the
 * default organization whose claims name teams and departments, no group memberships yet. The ids are
 * derived from the index, so two seeded databases hold the same data (to compare end states).
 */
export const seededId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;

export async function seedSyncDirectory(db: Database, n: number): Promise<string> {
  const org = await db.prisma.organization.findFirstOrThrow({ where: { isDefault: true } });
  for (let start = 0; start < n; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - start) }, (_, k) => start + k);
    await db.prisma.user.createMany({
      data: batch.map((i) => ({
        id: seededId(i),
        userName: `user${i}@corp.example`,
        userNameKey: `user${i}@corp.example`,
        username: `user${i}`,
        status: "active" as const,
        resource: { userName: `user${i}@corp.example` },
        claims: { groups: [`team-${i % 20}`, `dept-${i % 7}`], ...(i % 50 === 0 ? { title: "lead" } : {}) } as Prisma.InputJsonObject,
      })),
    });
    await db.prisma.organizationMember.createMany({ data: batch.map((i) => ({ organizationId: org.id, userId: seededId(i), source: "sync" as const })) });
  }
  await db.prisma.syncSetting.createMany({
    data: [
      { key: `${org.id}:group-sync-settings`, value: { field: "groups", mapping: null, regex_filter: "^(team|dept)-", auto_create_missing_groups: true } },
      { key: `${org.id}:role-sync-settings`, value: { field: "title", mapping: { lead: ["organization-admin"] } } },
    ],
  });
  return org.id;
}

/** Everything sync writes, as comparable text. */
export async function syncState(db: Database): Promise<{ groups: string[]; members: string[]; roles: string[]; audit: number }> {
  const groups = (await db.prisma.group.findMany()).map((g) => `${g.name}:${g.source}`).sort();
  const members = (await db.prisma.groupMember.findMany({ include: { group: true } })).map((m) => `${m.userId}:${m.group.name}:${m.source}`).sort();
  const roles = (await db.prisma.organizationMemberRole.findMany()).map((r) => `${r.userId}:${r.role}:${r.source}`).sort();
  const audit = await db.prisma.auditEvent.count({ where: { action: { startsWith: "sync." } } });
  return { groups, members, roles, audit };
}
