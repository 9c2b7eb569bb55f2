import type { Prisma } from "../generated/prisma/client";
import { diffGrants } from "./diff";
import { expectedGroups, expectedOrganizations, expectedRoles, type GroupSyncSettings, type RoleSyncSettings } from "./expected";
import { readOrganizationSyncSettings, type OrganizationSyncSettings } from "./organization-settings";
import { readOrgSyncSettings } from "./org-settings-store";
import { ORGANIZATION_ROLES, type Outcome, type Rule } from "./rules";

/**
 * The third phase of IdP sync, in the caller's transaction: diff each dimension's expected set against
 * what exists and apply, in the order organizations → groups → roles (a user must be in an
 * organization before its groups and roles apply). Only grants whose source is `sync` are removed.
 * Every change and every problem is an audit row naming the dimension, claim field, value and rule.
 */

type Tx = Prisma.TransactionClient;

/** Everything sync needs that does not depend on the user, loaded once per transaction. */
export interface SyncContext {
  organization: OrganizationSyncSettings;
  defaultOrganizationId: string;
  organizationIds: Set<string>;
  perOrganization: Map<string, { groups: GroupSyncSettings; roles: RoleSyncSettings }>;
  /** False when no dimension is enabled anywhere: syncing is then free. */
  enabled: boolean;
}

export async function loadSyncContext(tx: Tx): Promise<SyncContext> {
  const organization = await readOrganizationSyncSettings(tx);
  const orgs = await tx.organization.findMany({ select: { id: true, isDefault: true } });
  const perOrganization = await readOrgSyncSettings(tx, orgs.map((o) => o.id));
  const enabled = organization.field !== "" || [...perOrganization.values()].some((s) => s.groups.field !== "" || s.roles.field !== "");
  return {
    organization,
    defaultOrganizationId: orgs.find((o) => o.isDefault)?.id ?? "",
    organizationIds: new Set(orgs.map((o) => o.id)),
    perOrganization,
    enabled,
  };
}

interface AuditBase {
  tx: Tx;
  actor: string;
  userId: string;
}

async function audit(a: AuditBase, action: string, details: Record<string, unknown>): Promise<void> {
  await a.tx.auditEvent.create({
    data: { actor: a.actor, action, resourceType: "sync", resourceId: (details.organization_id as string | undefined) ?? null, userId: a.userId, details: details as Prisma.InputJsonObject },
  });
}

const ruleDetails = (rule: Rule | undefined): Record<string, unknown> => (rule ? { rule: rule.kind, ...("field" in rule ? { field: rule.field, value: rule.value } : {}) } : { rule: "not expected" });

async function problems(a: AuditBase, dimension: string, organizationId: string | undefined, outcome: Outcome<object>): Promise<void> {
  if (outcome.status === "disabled") return;
  for (const problem of outcome.problems) await audit(a, "sync.problem", { dimension, problem, ...(organizationId ? { organization_id: organizationId } : {}) });
}

async function syncOrganizations(a: AuditBase, ctx: SyncContext, claims: Record<string, unknown>): Promise<void> {
  const outcome = expectedOrganizations(ctx.organization, claims, ctx);
  await problems(a, "organization", undefined, outcome);
  if (outcome.status !== "expected") return;
  const existing = await a.tx.organizationMember.findMany({ where: { userId: a.userId }, select: { organizationId: true, source: true } });
  const diff = diffGrants(outcome.organizations.keys(), existing.map((m) => ({ key: m.organizationId, source: m.source })));
  for (const orgId of diff.add) {
    await a.tx.organizationMember.create({ data: { organizationId: orgId, userId: a.userId, source: "sync" } });
    await audit(a, "sync.organization.added", { dimension: "organization", organization_id: orgId, ...ruleDetails(outcome.organizations.get(orgId)) });
  }
  for (const orgId of diff.remove) {
    // Leaving an organization takes the user out of its groups and roles too.
    await a.tx.groupMember.deleteMany({ where: { userId: a.userId, group: { organizationId: orgId } } });
    await a.tx.organizationMemberRole.deleteMany({ where: { userId: a.userId, organizationId: orgId } });
    await a.tx.organizationMember.delete({ where: { organizationId_userId: { organizationId: orgId, userId: a.userId } } });
    await audit(a, "sync.organization.removed", { dimension: "organization", organization_id: orgId, field: ctx.organization.field, rule: "not expected" });
  }
}

async function syncGroups(a: AuditBase, orgId: string, settings: GroupSyncSettings, claims: Record<string, unknown>): Promise<void> {
  const groups = await a.tx.group.findMany({ where: { organizationId: orgId }, select: { id: true, name: true } });
  const org = { id: orgId, groupIdsByName: new Map(groups.map((g) => [g.name, g.id])), groupIds: new Set(groups.map((g) => g.id)) };
  const outcome = expectedGroups(settings, claims, org);
  await problems(a, "group", orgId, outcome);
  if (outcome.status !== "expected") return;
  const expected = new Map(outcome.groups);
  for (const [name, rule] of outcome.create) {
    await a.tx.group.createMany({ data: [{ organizationId: orgId, name, source: "oidc" }], skipDuplicates: true });
    const made = await a.tx.group.findUniqueOrThrow({ where: { organizationId_name: { organizationId: orgId, name } }, select: { id: true } });
    expected.set(made.id, rule);
  }
  const existing = await a.tx.groupMember.findMany({ where: { userId: a.userId, group: { organizationId: orgId } }, select: { groupId: true, source: true } });
  const diff = diffGrants(expected.keys(), existing.map((m) => ({ key: m.groupId, source: m.source })));
  for (const groupId of diff.add) {
    await a.tx.groupMember.create({ data: { groupId, userId: a.userId, source: "sync" } });
    await audit(a, "sync.group.added", { dimension: "group", organization_id: orgId, group_id: groupId, ...ruleDetails(expected.get(groupId)) });
  }
  if (diff.remove.length > 0) await a.tx.groupMember.deleteMany({ where: { userId: a.userId, groupId: { in: diff.remove } } });
  for (const groupId of diff.remove) await audit(a, "sync.group.removed", { dimension: "group", organization_id: orgId, group_id: groupId, field: settings.field, rule: "not expected" });
}

async function syncRoles(a: AuditBase, orgId: string, settings: RoleSyncSettings, claims: Record<string, unknown>): Promise<void> {
  const outcome = expectedRoles(settings, claims, new Set(ORGANIZATION_ROLES));
  await problems(a, "role", orgId, outcome);
  if (outcome.status !== "expected") return;
  const existing = await a.tx.organizationMemberRole.findMany({ where: { userId: a.userId, organizationId: orgId }, select: { role: true, source: true } });
  const diff = diffGrants(outcome.roles.keys(), existing.map((g) => ({ key: g.role, source: g.source })));
  for (const role of diff.add) {
    await a.tx.organizationMemberRole.create({ data: { organizationId: orgId, userId: a.userId, role, source: "sync" } });
    await audit(a, "sync.role.granted", { dimension: "role", organization_id: orgId, role, ...ruleDetails(outcome.roles.get(role)) });
  }
  if (diff.remove.length > 0) await a.tx.organizationMemberRole.deleteMany({ where: { userId: a.userId, organizationId: orgId, role: { in: diff.remove } } });
  for (const role of diff.remove) await audit(a, "sync.role.revoked", { dimension: "role", organization_id: orgId, role, field: settings.field, rule: "not expected" });
}

/** Syncs one user from its stored claims: organizations, then groups and roles in each of its organizations. */
export async function syncUser(tx: Tx, ctx: SyncContext, userId: string, actor: string): Promise<void> {
  if (!ctx.enabled) return;
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { claims: true } });
  const claims = (user.claims ?? {}) as Record<string, unknown>;
  const a: AuditBase = { tx, actor, userId };
  await syncOrganizations(a, ctx, claims);
  const memberships = await tx.organizationMember.findMany({ where: { userId }, select: { organizationId: true } });
  for (const { organizationId } of memberships) {
    const settings = ctx.perOrganization.get(organizationId);
    if (!settings) continue;
    await syncGroups(a, organizationId, settings.groups, claims);
    await syncRoles(a, organizationId, settings.roles, claims);
  }
}

/** Syncs several users in one transaction, loading the settings once (nothing at all when sync is off). */
export async function syncUsers(tx: Tx, userIds: readonly string[], actor: string): Promise<void> {
  if (userIds.length === 0) return;
  const ctx = await loadSyncContext(tx);
  if (!ctx.enabled) return;
  for (const id of userIds) await syncUser(tx, ctx, id, actor);
}
