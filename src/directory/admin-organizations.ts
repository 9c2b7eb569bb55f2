import type { Organization, PrismaClient } from "../generated/prisma/client";
import { userWhere } from "./admin-users";
import { recordAudit } from "./audit";
import { EVERYONE_GROUP_NAME } from "./bootstrap";
import { DirectoryError, notFound } from "./errors";
import { createOrganizationMembers, type MemberUser } from "./organization-members";
import { isUniqueViolation, isUuid } from "./prisma-errors";

/** Organizations and their members as the admin API shows them (Coder's JSON). */

export interface AdminOrganization {
  id: string;
  name: string;
  display_name: string;
  description: string;
  icon: string;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

export interface AdminOrganizationMember {
  organization_id: string;
  user_id: string;
  username: string;
  name: string;
  email: string;
  avatar_url: string;
  global_roles: { name: string; display_name: string }[];
  roles: { name: string; display_name: string; organization_id: string }[];
  /** Where the membership came from: `sync` (IdP sync manages it) or `manual`. */
  source: "sync" | "manual";
  created_at: string;
  updated_at: string;
}

/** Coder's display names of its built-in organization roles. */
const ROLE_NAMES: Record<string, string> = {
  "organization-admin": "Organization Admin",
  "organization-auditor": "Organization Auditor",
  "organization-template-admin": "Organization Template Admin",
  "organization-user-admin": "Organization User Admin",
};

/** Coder's name rule (codersdk NameValid): 1–32 letters, digits and single inner hyphens. */
export const ORGANIZATION_NAME_RE = /^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$/;

export const toAdminOrganization = (o: Organization): AdminOrganization => ({
  id: o.id,
  name: o.name,
  display_name: o.displayName,
  description: o.description,
  icon: o.icon,
  is_default: o.isDefault,
  created_at: o.createdAt.toISOString(),
  updated_at: o.updatedAt.toISOString(),
});

export function createAdminOrganizations(prisma: PrismaClient) {
  const changes = createOrganizationMembers(prisma);

  async function find(idOrName: string): Promise<Organization> {
    const org = await prisma.organization.findFirst({ where: isUuid(idOrName) ? { id: idOrName } : { name: idOrName } });
    if (!org) throw notFound(`organization ${idOrName}`);
    return org;
  }

  async function findUser(idOrUsername: string): Promise<MemberUser> {
    const u = await prisma.user.findFirst({ where: userWhere(idOrUsername), select: { id: true, username: true } });
    if (!u) throw notFound(`user ${idOrUsername}`);
    return u;
  }

  async function members(org: Organization, userId?: string, page?: { limit: number; offset: number }): Promise<AdminOrganizationMember[]> {
    const where = { organizationId: org.id, ...(userId ? { userId } : {}) };
    const orderBy = [{ createdAt: "asc" as const }, { userId: "asc" as const }];
    // A page's keys first (an index range), then only their rows: offset 99,950 skips index entries, not users.
    const ids = page ? (await prisma.organizationMember.findMany({ where, select: { userId: true }, orderBy, skip: page.offset, take: page.limit })).map((r) => r.userId) : undefined;
    const rows = ids?.length === 0 ? [] : await prisma.organizationMember.findMany({ where: ids ? { organizationId: org.id, userId: { in: ids } } : where, include: { user: true }, orderBy });
    const grants = await prisma.organizationMemberRole.findMany({ where: { organizationId: org.id, userId: { in: rows.map((r) => r.userId) } } });
    return rows.map((m) => ({
      organization_id: org.id,
      user_id: m.userId,
      username: m.user.username,
      name: m.user.displayName ?? [m.user.givenName, m.user.familyName].filter(Boolean).join(" "),
      email: m.user.email ?? "",
      avatar_url: "",
      global_roles: [],
      roles: [...new Set(grants.filter((g) => g.userId === m.userId).map((g) => g.role))]
        .sort()
        .map((name) => ({ name, display_name: ROLE_NAMES[name] ?? name, organization_id: org.id })),
      source: m.source,
      created_at: m.createdAt.toISOString(),
      updated_at: m.updatedAt.toISOString(),
    }));
  }

  return {
    list: async () => (await prisma.organization.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }] })).map(toAdminOrganization),

    get: async (idOrName: string) => toAdminOrganization(await find(idOrName)),

    async create(input: { name: string; display_name?: string | undefined; description?: string | undefined; icon?: string | undefined }, actor: string): Promise<AdminOrganization> {
      try {
        const org = await prisma.$transaction(async (tx) => {
          const created = await tx.organization.create({
            data: { name: input.name, displayName: input.display_name || input.name, description: input.description ?? "", icon: input.icon ?? "" },
          });
          // Every organization has its Everyone group, id equal to the organization's (as in Coder).
          await tx.group.create({ data: { id: created.id, organizationId: created.id, name: EVERYONE_GROUP_NAME, displayName: EVERYONE_GROUP_NAME } });
          await recordAudit(tx, { actor, action: "organization.created", resourceType: "organization", resourceId: created.id });
          return created;
        });
        return toAdminOrganization(org);
      } catch (err) {
        if (isUniqueViolation(err, "name")) throw new DirectoryError("conflict", `an organization named "${input.name}" already exists`);
        throw err;
      }
    },

    members: async (idOrName: string) => members(await find(idOrName)),

    /** One page of the members (oldest first) and the count of all (Coder's paginated-members). */
    async paginatedMembers(idOrName: string, page: { limit: number; offset: number }): Promise<{ members: AdminOrganizationMember[]; count: number }> {
      const org = await find(idOrName);
      const [count, list] = await Promise.all([prisma.organizationMember.count({ where: { organizationId: org.id } }), members(org, undefined, page)]);
      return { members: list, count };
    },

    async member(idOrName: string, user: string): Promise<AdminOrganizationMember> {
      const org = await find(idOrName);
      const u = await prisma.user.findFirst({ where: userWhere(user), select: { id: true } });
      const found = u ? await members(org, u.id) : [];
      if (found.length === 0) throw notFound(`member ${user} of organization ${org.name}`);
      return found[0]!;
    },

    /** Adds a manual member (no roles); the member as `member` shows it. 404 unknown organization or user, 409 already a member. */
    async addMember(idOrName: string, user: string, actor: string): Promise<AdminOrganizationMember> {
      const org = await find(idOrName);
      const u = await findUser(user);
      await changes.add(org, u, actor);
      return (await members(org, u.id))[0]!;
    },

    /** Removes a member with its groups and roles in the organization. 404 unknown organization, user or membership. */
    async removeMember(idOrName: string, user: string, actor: string): Promise<void> {
      await changes.remove(await find(idOrName), await findUser(user), actor);
    },

    /** Sets a member's organization roles (full replacement, manual grants); the member after it. */
    async setMemberRoles(idOrName: string, user: string, roles: readonly string[], actor: string): Promise<AdminOrganizationMember> {
      const org = await find(idOrName);
      const u = await findUser(user);
      await changes.setRoles(org, u, roles, actor);
      return (await members(org, u.id))[0]!;
    },
  };
}

export type AdminOrganizations = ReturnType<typeof createAdminOrganizations>;
