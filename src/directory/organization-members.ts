import type { Organization, Prisma, PrismaClient } from "../generated/prisma/client";
import { emit } from "../events/outbox";
import { groupMemberEvent, memberRolesChangedEvent, organizationMemberEvent, type EventMember } from "../events/membership-events";
import { leaveOrganization } from "../sync/apply";
import { describeReason } from "../sync/plan";
import { IMPLICIT_MEMBER_ROLE, ORGANIZATION_ROLES, SITE_ROLES } from "../sync/rules";
import { recordAudit } from "./audit";
import { DirectoryError, notFound } from "./errors";
import { isUniqueViolation } from "./prisma-errors";

/**
 * An admin's changes to organization memberships (Coder's `POST`/`DELETE
 * /organizations/{organization}/members/{user}` and `PUT …/members/{user}/roles`). What an admin
 * makes has source `manual`, which IdP sync never removes (src/sync/diff.ts); each change is one
 * transaction with its audit rows and the outbox events sync writes for the same change
 * (src/events/membership-events.ts). Audit actions: `organization_member.added` (details
 * `source: "manual"`; provisioning's default-organization join is the same action without it),
 * `organization_member.removed`, `organization_member.role_granted` and `…role_revoked`, each with
 * `dimension` so that the audit log's `dimension` filter finds them.
 */

type Tx = Prisma.TransactionClient;

/** The user a change is about, found by the caller (id or username). */
export interface MemberUser {
  id: string;
  username: string;
}

const who = (u: MemberUser): EventMember => ({ user_id: u.id, username: u.username });

const notMember = (org: Organization, user: MemberUser) => notFound(`member ${user.username} of organization ${org.name}`);

/**
 * The organization roles an admin may set, deduplicated and sorted: Coder's built-in organization
 * roles. `organization-member` is every member's implicit role (never stored), so it is accepted and
 * dropped; site roles and unknown names are refused, each named.
 */
export function checkOrganizationRoles(roles: readonly string[]): string[] {
  const problems: string[] = [];
  for (const role of new Set(roles)) {
    if (role === IMPLICIT_MEMBER_ROLE) continue;
    if ((SITE_ROLES as readonly string[]).includes(role)) problems.push(`${role} is a site role, not an organization role`);
    else if (!(ORGANIZATION_ROLES as readonly string[]).includes(role)) problems.push(`${role} is not an organization role (known: ${ORGANIZATION_ROLES.join(", ")})`);
  }
  if (problems.length > 0) throw new DirectoryError("invalid", `roles: ${problems.join("; ")}`, problems.map((detail) => ({ field: "roles", detail })));
  return [...new Set(roles.filter((r) => r !== IMPLICIT_MEMBER_ROLE))].sort();
}

/** The membership's source, its row locked until the transaction ends; undefined when not a member. */
async function lockMembership(tx: Tx, organizationId: string, userId: string): Promise<"sync" | "manual" | undefined> {
  const [row] = await tx.$queryRaw<{ source: "sync" | "manual" }[]>`
    SELECT source::text AS source FROM organization_members WHERE organization_id = ${organizationId}::uuid AND user_id = ${userId}::uuid FOR UPDATE`;
  return row?.source;
}

export function createOrganizationMembers(prisma: PrismaClient) {
  const alreadyMember = (org: Organization, user: MemberUser, source?: string) =>
    new DirectoryError("conflict", `${user.username} is already a member of organization ${org.name}${source ? ` (source ${source})` : ""}`);

  return {
    /** Adds a manual membership with no roles; 409 when the user is a member already, whatever the source. */
    async add(org: Organization, user: MemberUser, actor: string): Promise<void> {
      try {
        await prisma.$transaction(async (tx) => {
          const existing = await tx.organizationMember.findUnique({ where: { organizationId_userId: { organizationId: org.id, userId: user.id } }, select: { source: true } });
          if (existing) throw alreadyMember(org, user, existing.source);
          await tx.organizationMember.create({ data: { organizationId: org.id, userId: user.id, source: "manual" } });
          await recordAudit(tx, {
            actor,
            action: "organization_member.added",
            resourceType: "organization_member",
            resourceId: org.id,
            userId: user.id,
            details: { dimension: "organization", source: "manual", organization_id: org.id },
          });
          await emit(tx, [organizationMemberEvent("add", org.id, who(user), { source: "manual" })]);
        });
      } catch (err) {
        // Two admins adding the same member at once: the second finds the first's row at insert.
        if (isUniqueViolation(err)) throw alreadyMember(org, user);
        throw err;
      }
    },

    /**
     * Removes the membership, whatever its source, and with it the user's groups and roles in the
     * organization (as when sync takes a user out of it). A `sync` membership comes back at the user's
     * next sync while the IdP's claims still map to the organization.
     */
    async remove(org: Organization, user: MemberUser, actor: string): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const source = await lockMembership(tx, org.id, user.id);
        if (!source) throw notMember(org, user);
        const groups = await tx.groupMember.findMany({
          where: { userId: user.id, group: { organizationId: org.id } },
          select: { groupId: true, source: true, group: { select: { name: true } } },
          orderBy: { groupId: "asc" },
        });
        const roles = await tx.organizationMemberRole.findMany({ where: { organizationId: org.id, userId: user.id }, select: { role: true, source: true }, orderBy: { role: "asc" } });
        await leaveOrganization(tx, org.id, [user.id]);
        await recordAudit(tx, {
          actor,
          action: "organization_member.removed",
          resourceType: "organization_member",
          resourceId: org.id,
          userId: user.id,
          details: {
            dimension: "organization",
            source,
            organization_id: org.id,
            groups: groups.map((g) => ({ group_id: g.groupId, group_name: g.group.name, source: g.source })),
            roles: roles.map((r) => ({ role: r.role, source: r.source })),
          },
        });
        const why = describeReason({ kind: "organizationLeft" });
        await emit(tx, [
          organizationMemberEvent("remove", org.id, who(user)),
          ...groups.map((g) => groupMemberEvent("remove", { id: g.groupId, name: g.group.name, organizationId: org.id }, who(user), { why })),
          ...(roles.length > 0 ? [memberRolesChangedEvent(org.id, who(user), [])] : []),
        ]);
      });
    },

    /**
     * Makes the member's organization roles exactly `roles` (Coder's full replacement), each a manual
     * grant: a role sync had granted becomes manual (sync no longer removes it), a role not listed is
     * revoked whatever its source (sync grants it again at the user's next sync while the claims map
     * to it). A request that changes nothing writes nothing.
     */
    async setRoles(org: Organization, user: MemberUser, wanted: readonly string[], actor: string): Promise<void> {
      const roles = checkOrganizationRoles(wanted);
      await prisma.$transaction(async (tx) => {
        if (!(await lockMembership(tx, org.id, user.id))) throw notMember(org, user);
        const current = await tx.organizationMemberRole.findMany({ where: { organizationId: org.id, userId: user.id }, select: { role: true, source: true } });
        const want = new Set(roles);
        const held = new Map(current.map((c) => [c.role, c.source]));
        const revoked = current.filter((c) => !want.has(c.role));
        const granted = roles.filter((r) => !held.has(r));
        const takenOver = roles.filter((r) => held.get(r) === "sync");
        const key = { organizationId: org.id, userId: user.id };
        if (revoked.length > 0) await tx.organizationMemberRole.deleteMany({ where: { ...key, role: { in: revoked.map((r) => r.role) } } });
        if (granted.length > 0) await tx.organizationMemberRole.createMany({ data: granted.map((role) => ({ ...key, role, source: "manual" as const })) });
        if (takenOver.length > 0) await tx.organizationMemberRole.updateMany({ where: { ...key, role: { in: takenOver } }, data: { source: "manual" } });
        const audit = (action: string, role: string, extra: Prisma.InputJsonObject) =>
          recordAudit(tx, { actor, action, resourceType: "organization_member", resourceId: org.id, userId: user.id, details: { dimension: "role", organization_id: org.id, role, ...extra } });
        for (const role of granted) await audit("organization_member.role_granted", role, { source: "manual" });
        for (const role of takenOver) await audit("organization_member.role_granted", role, { source: "manual", previous_source: "sync" });
        for (const r of revoked) await audit("organization_member.role_revoked", r.role, { source: r.source });
        // Receivers see roles, not sources: a grant that only changed hands is no news to them.
        if (granted.length > 0 || revoked.length > 0) await emit(tx, [memberRolesChangedEvent(org.id, who(user), roles)]);
      });
    },
  };
}

export type OrganizationMembers = ReturnType<typeof createOrganizationMembers>;
