import type { Group, Organization, PrismaClient, User } from "../generated/prisma/client";
import { emit, type DomainEvent } from "../events/outbox";
import { groupMemberEvent } from "../events/membership-events";
import { groupRecord } from "../events/records";
import { recordAudit } from "./audit";
import { EVERYONE_GROUP_NAME } from "./bootstrap";
import { DirectoryError, notFound } from "./errors";
import { isUniqueViolation, isUuid } from "./prisma-errors";

/**
 * The application's groups (Coder's `codersdk.Group`), per organization. The Everyone group's
 * members are the organization's members (implicit, as in Coder) and it cannot be renamed, edited
 * or deleted. Members added here have source `manual`: IdP sync never removes them.
 */

export interface AdminGroupMember {
  id: string;
  username: string;
  email: string;
  name: string;
  avatar_url: string;
  status: string;
  login_type: string;
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
  /** Not in Coder's shape: why the user is in the group (`sync`, `manual`, or `implicit` for Everyone). */
  membership_source: "sync" | "manual" | "implicit";
}

export interface AdminGroup {
  id: string;
  name: string;
  display_name: string;
  organization_id: string;
  organization_name: string;
  organization_display_name: string;
  members: AdminGroupMember[];
  total_member_count: number;
  avatar_url: string;
  quota_allowance: number;
  source: "user" | "oidc";
}

export interface GroupPatch {
  name?: string | undefined;
  display_name?: string | undefined;
  avatar_url?: string | undefined;
  quota_allowance?: number | undefined;
  add_users?: string[] | undefined;
  remove_users?: string[] | undefined;
}

const memberJson = (u: User, source: AdminGroupMember["membership_source"]): AdminGroupMember => ({
  id: u.id,
  username: u.username,
  email: u.email ?? "",
  name: u.displayName ?? [u.givenName, u.familyName].filter(Boolean).join(" "),
  avatar_url: "",
  status: u.status,
  login_type: u.loginType,
  created_at: u.createdAt.toISOString(),
  updated_at: u.updatedAt.toISOString(),
  last_seen_at: null,
  membership_source: source,
});

const isEveryone = (g: Group) => g.id === g.organizationId;

/** Members oldest first (indexed: organization_members and group_members by owner, created_at, user_id). */
const MEMBER_ORDER = [{ createdAt: "asc" as const }, { userId: "asc" as const }];

export function createAdminGroups(prisma: PrismaClient) {
  /**
   * `withMembers: false`: `members` empty and only their count read (an organization of 100,000 users'
   * Everyone group); `counted`, when given, is that count already read (a list counts all its groups at once).
   */
  async function render(g: Group & { organization: Organization }, withMembers = true, counted?: number): Promise<AdminGroup> {
    const members = !withMembers
      ? []
      : isEveryone(g)
        ? (await prisma.organizationMember.findMany({ where: { organizationId: g.organizationId }, include: { user: true }, orderBy: { createdAt: "asc" } })).map((m) => memberJson(m.user, "implicit"))
        : (await prisma.groupMember.findMany({ where: { groupId: g.id }, include: { user: true }, orderBy: { createdAt: "asc" } })).map((m) => memberJson(m.user, m.source));
    const total = withMembers
      ? members.length
      : counted !== undefined
        ? counted
        : isEveryone(g)
          ? await prisma.organizationMember.count({ where: { organizationId: g.organizationId } })
          : await prisma.groupMember.count({ where: { groupId: g.id } });
    return {
      id: g.id,
      name: g.name,
      display_name: g.displayName,
      organization_id: g.organizationId,
      organization_name: g.organization.name,
      organization_display_name: g.organization.displayName,
      members,
      total_member_count: total,
      avatar_url: g.avatarUrl,
      quota_allowance: g.quotaAllowance,
      source: g.source,
    };
  }

  /**
   * The member count of every group of an organization in two statements whatever their number: one
   * grouped count of group_members, and the organization's members for its Everyone group (whose id is
   * the organization's). A group without members is absent: its count is 0.
   */
  async function memberCounts(organizationId: string): Promise<Map<string, number>> {
    const [grouped, everyone] = await Promise.all([
      prisma.groupMember.groupBy({ by: ["groupId"], where: { group: { organizationId } }, _count: { _all: true } }),
      prisma.organizationMember.count({ where: { organizationId } }),
    ]);
    const counts = new Map(grouped.map((r) => [r.groupId, r._count._all]));
    counts.set(organizationId, everyone);
    return counts;
  }

  async function org(idOrName: string): Promise<Organization> {
    const o = await prisma.organization.findFirst({ where: isUuid(idOrName) ? { id: idOrName } : { name: idOrName } });
    if (!o) throw notFound(`organization ${idOrName}`);
    return o;
  }

  async function byId(id: string) {
    const g = isUuid(id) ? await prisma.group.findUnique({ where: { id }, include: { organization: true } }) : null;
    if (!g) throw notFound(`group ${id}`);
    return g;
  }

  const nameTaken = (name: string) => new DirectoryError("conflict", `a group named "${name}" already exists in this organization`);

  return {
    async list(orgIdOrName: string, withMembers = true): Promise<AdminGroup[]> {
      const o = await org(orgIdOrName);
      const groups = await prisma.group.findMany({ where: { organizationId: o.id }, include: { organization: true }, orderBy: { name: "asc" } });
      if (withMembers) return Promise.all(groups.map((g) => render(g)));
      const counts = await memberCounts(o.id);
      return Promise.all(groups.map((g) => render(g, false, counts.get(g.id) ?? 0)));
    },

    async getByName(orgIdOrName: string, name: string, withMembers = true): Promise<AdminGroup> {
      const o = await org(orgIdOrName);
      const g = await prisma.group.findUnique({ where: { organizationId_name: { organizationId: o.id, name } }, include: { organization: true } });
      if (!g) throw notFound(`group ${name} in organization ${o.name}`);
      return render(g, withMembers);
    },

    get: async (id: string, withMembers = true) => render(await byId(id), withMembers),

    /** One page of a group's members (oldest first) and the count of all: the Everyone group's are the organization's members. */
    async members(id: string, page: { limit: number; offset: number }): Promise<{ members: AdminGroupMember[]; count: number }> {
      const g = await byId(id);
      if (isEveryone(g)) {
        const where = { organizationId: g.organizationId };
        // A page's keys first (an index range), then only their rows: a deep page skips index entries, not users.
        const [count, keys] = await Promise.all([
          prisma.organizationMember.count({ where }),
          prisma.organizationMember.findMany({ where, select: { userId: true }, orderBy: MEMBER_ORDER, skip: page.offset, take: page.limit }),
        ]);
        const rows = keys.length === 0 ? [] : await prisma.organizationMember.findMany({ where: { ...where, userId: { in: keys.map((k) => k.userId) } }, include: { user: true }, orderBy: MEMBER_ORDER });
        return { count, members: rows.map((m) => memberJson(m.user, "implicit")) };
      }
      const where = { groupId: g.id };
      const [count, keys] = await Promise.all([
        prisma.groupMember.count({ where }),
        prisma.groupMember.findMany({ where, select: { userId: true }, orderBy: MEMBER_ORDER, skip: page.offset, take: page.limit }),
      ]);
      const rows = keys.length === 0 ? [] : await prisma.groupMember.findMany({ where: { ...where, userId: { in: keys.map((k) => k.userId) } }, include: { user: true }, orderBy: MEMBER_ORDER });
      return { count, members: rows.map((m) => memberJson(m.user, m.source)) };
    },

    async create(orgIdOrName: string, input: { name: string; display_name?: string | undefined; avatar_url?: string | undefined; quota_allowance?: number | undefined }, actor: string): Promise<AdminGroup> {
      const o = await org(orgIdOrName);
      if (input.name.toLowerCase() === EVERYONE_GROUP_NAME.toLowerCase()) throw new DirectoryError("invalid", `"${EVERYONE_GROUP_NAME}" is reserved`);
      try {
        const g = await prisma.$transaction(async (tx) => {
          const created = await tx.group.create({
            data: { organizationId: o.id, name: input.name, displayName: input.display_name ?? "", avatarUrl: input.avatar_url ?? "", quotaAllowance: input.quota_allowance ?? 0, source: "user" },
            include: { organization: true },
          });
          await recordAudit(tx, { actor, action: "group.created", resourceType: "group", resourceId: created.id });
          await emit(tx, [{ type: "group.created", data: groupRecord(created) }]);
          return created;
        });
        return render(g);
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(input.name);
        throw err;
      }
    },

    async patch(id: string, p: GroupPatch, actor: string): Promise<AdminGroup> {
      const g = await byId(id);
      const everyone = isEveryone(g);
      if (everyone && (p.name !== undefined || p.add_users?.length || p.remove_users?.length)) {
        throw new DirectoryError("invalid", "the Everyone group cannot be renamed and its members are the organization's members");
      }
      if (p.name !== undefined && p.name.toLowerCase() === EVERYONE_GROUP_NAME.toLowerCase()) throw new DirectoryError("invalid", `"${EVERYONE_GROUP_NAME}" is reserved`);
      const add = [...new Set((p.add_users ?? []).map((u) => u.toLowerCase()))];
      const remove = [...new Set((p.remove_users ?? []).map((u) => u.toLowerCase()))];
      const notIds = [...add, ...remove].filter((u) => !isUuid(u));
      if (notIds.length > 0) throw new DirectoryError("invalid", `add_users and remove_users take user ids; not an id: ${notIds.slice(0, 5).join(", ")}`);
      try {
        await prisma.$transaction(async (tx) => {
          if (add.length > 0) {
            const members = await tx.organizationMember.findMany({ where: { organizationId: g.organizationId, userId: { in: add } }, select: { userId: true } });
            const ok = new Set(members.map((m) => m.userId));
            const outside = add.filter((u) => !ok.has(u));
            if (outside.length > 0) throw new DirectoryError("invalid", `not members of organization ${g.organization.name}: ${outside.slice(0, 5).join(", ")}`);
          }
          const before = new Set((await tx.groupMember.findMany({ where: { groupId: g.id, userId: { in: [...add, ...remove] } }, select: { userId: true } })).map((m) => m.userId));
          // An admin's addition is manual even where sync had added the user: sync must not undo it.
          for (const userId of add) {
            await tx.groupMember.upsert({ where: { groupId_userId: { groupId: g.id, userId } }, create: { groupId: g.id, userId, source: "manual" }, update: { source: "manual" } });
          }
          if (remove.length > 0) await tx.groupMember.deleteMany({ where: { groupId: g.id, userId: { in: remove } } });
          const updated = await tx.group.update({
            where: { id: g.id },
            data: {
              ...(p.name !== undefined ? { name: p.name } : {}),
              ...(p.display_name !== undefined ? { displayName: p.display_name } : {}),
              ...(p.avatar_url !== undefined ? { avatarUrl: p.avatar_url } : {}),
              ...(p.quota_allowance !== undefined ? { quotaAllowance: p.quota_allowance } : {}),
            },
          });
          await recordAudit(tx, { actor, action: "group.updated", resourceType: "group", resourceId: g.id, details: { added: add, removed: remove } });
          // Events only for what really changed: re-adding a member or removing a non-member is no news.
          const added = add.filter((u) => !before.has(u));
          const removed = remove.filter((u) => before.has(u));
          const names = new Map((await tx.user.findMany({ where: { id: { in: [...added, ...removed] } }, select: { id: true, username: true } })).map((u) => [u.id, u.username]));
          const member = (action: "add" | "remove", userId: string) =>
            groupMemberEvent(action, { id: g.id, name: updated.name, organizationId: g.organizationId }, { user_id: userId, username: names.get(userId) ?? "" }, { source: "manual" });
          const renamed = ["name", "displayName", "avatarUrl", "quotaAllowance"].some((k) => g[k as keyof typeof g] !== updated[k as keyof typeof updated]);
          const events: DomainEvent[] = [
            ...(renamed ? [{ type: "group.updated" as const, data: groupRecord(updated) }] : []),
            ...added.map((u) => member("add", u)),
            ...removed.map((u) => member("remove", u)),
          ];
          await emit(tx, events);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(p.name ?? g.name);
        throw err;
      }
      return render(await byId(id));
    },

    async remove(id: string, actor: string): Promise<AdminGroup> {
      const g = await byId(id);
      if (isEveryone(g)) throw new DirectoryError("invalid", "the Everyone group cannot be deleted");
      const shown = await render(g);
      await prisma.$transaction(async (tx) => {
        await tx.group.delete({ where: { id: g.id } });
        await recordAudit(tx, { actor, action: "group.deleted", resourceType: "group", resourceId: g.id });
        await emit(tx, [{ type: "group.deleted", data: groupRecord(g) }]);
      });
      return shown;
    },
  };
}

export type AdminGroups = ReturnType<typeof createAdminGroups>;
