import type { Prisma } from "../generated/prisma/client";
import { bulkInsert } from "../db/bulk";
import { emit } from "../events/outbox";
import { syncEvents } from "./events";
import { loadSyncContext, type SyncContext } from "./context";
import { describeReason, planUser, type Change, type UserPlan } from "./plan";
import { loadUserStates } from "./state";

export { loadSyncContext, type SyncContext } from "./context";

/**
 * The apply step of IdP sync, in the caller's transaction: writes the plans of many users with a
 * handful of set-based statements (not a round trip per grant), in the order organizations → groups
 * → roles, and one audit row per change and per problem naming the dimension, claim field, value and
 * rule. Only grants whose source is `sync` are ever removed (src/sync/diff.ts), except that leaving
 * an organization takes the user out of that organization's groups and roles.
 */

type Tx = Prisma.TransactionClient;

// Grants sync makes are `source: sync`; a grant that already exists (a race, or manual) is left alone.
const ORGANIZATION_MEMBERS = {
  table: "organization_members",
  columns: [["organization_id", "uuid"], ["user_id", "uuid"]],
  computed: [["source", "'sync'::\"GrantSource\""], ["updated_at", "now()"]],
  skipDuplicates: true,
} as const;
const GROUP_MEMBERS = { table: "group_members", columns: [["group_id", "uuid"], ["user_id", "uuid"]], computed: [["source", "'sync'::\"GrantSource\""]], skipDuplicates: true } as const;
const MEMBER_ROLES = {
  table: "organization_member_roles",
  columns: [["organization_id", "uuid"], ["user_id", "uuid"], ["role", "text"]],
  computed: [["source", "'sync'::\"GrantSource\""]],
  skipDuplicates: true,
} as const;
const SYNC_AUDIT = {
  table: "audit_events",
  columns: [["actor", "text"], ["action", "text"], ["resource_id", "text"], ["user_id", "uuid"], ["details", "jsonb"]],
  computed: [["id", "gen_random_uuid()"], ["resource_type", "'sync'"]],
} as const;

const AUDIT_ACTION: Record<Change["dimension"], { add: string; remove: string }> = {
  organization: { add: "sync.organization.added", remove: "sync.organization.removed" },
  group: { add: "sync.group.added", remove: "sync.group.removed" },
  role: { add: "sync.role.granted", remove: "sync.role.revoked" },
};


function byDimension<D extends Change["dimension"]>(plans: readonly UserPlan[], dimension: D, action: Change["action"]) {
  const out: { userId: string; change: Extract<Change, { dimension: D }> }[] = [];
  for (const p of plans) {
    for (const c of p.changes) if (c.dimension === dimension && c.action === action) out.push({ userId: p.userId, change: c as Extract<Change, { dimension: D }> });
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return m;
}

async function applyOrganizations(tx: Tx, plans: readonly UserPlan[]): Promise<void> {
  const adds = byDimension(plans, "organization", "add");
  if (adds.length > 0) {
    await bulkInsert(tx, ORGANIZATION_MEMBERS, adds.map((a) => ({ organization_id: a.change.organizationId, user_id: a.userId })));
  }
  for (const [orgId, removes] of groupBy(byDimension(plans, "organization", "remove"), (r) => r.change.organizationId)) {
    await leaveOrganization(tx, orgId, removes.map((r) => r.userId));
  }
}

/**
 * Takes users out of an organization: its groups and roles go with the membership, whatever their
 * source and whatever a plan saw, as nothing of the organization may outlive the membership. The one
 * way out of an organization, for sync and for an admin's `DELETE …/members/{user}`. Returns the
 * memberships deleted.
 */
export async function leaveOrganization(tx: Tx, organizationId: string, userIds: readonly string[]): Promise<number> {
  const ids = [...userIds];
  await tx.groupMember.deleteMany({ where: { userId: { in: ids }, group: { organizationId } } });
  await tx.organizationMemberRole.deleteMany({ where: { userId: { in: ids }, organizationId } });
  return (await tx.organizationMember.deleteMany({ where: { userId: { in: ids }, organizationId } })).count;
}

interface CreatedGroup {
  id: string;
  name: string;
  displayName: string;
  organizationId: string;
  avatarUrl: string;
  quotaAllowance: number;
  source: string;
}

/** Makes the groups auto-create needs (source `oidc`), fills in their ids, returns the new ones. */
async function createGroups(tx: Tx, plans: readonly UserPlan[]): Promise<CreatedGroup[]> {
  const pending = byDimension(plans, "group", "add").filter((a) => a.change.groupId === null);
  if (pending.length === 0) return [];
  const wanted = [...groupBy(pending, (p) => JSON.stringify([p.change.organizationId, p.change.groupName])).values()].map((l) => l[0]!.change);
  const created = await tx.$queryRawUnsafe<CreatedGroup[]>(
    `INSERT INTO groups (id, organization_id, name, source, updated_at)
     SELECT gen_random_uuid(), x.organization_id, x.name, 'oidc', now() FROM jsonb_to_recordset($1::jsonb) AS x(organization_id uuid, name text)
     ON CONFLICT DO NOTHING
     RETURNING id::text AS id, name, display_name AS "displayName", organization_id::text AS "organizationId", avatar_url AS "avatarUrl", quota_allowance AS "quotaAllowance", source::text AS source`,
    JSON.stringify(wanted.map((g) => ({ organization_id: g.organizationId, name: g.groupName }))),
  );
  const made = await tx.group.findMany({ where: { OR: wanted.map((g) => ({ organizationId: g.organizationId, name: g.groupName })) }, select: { id: true, organizationId: true, name: true } });
  const ids = new Map(made.map((g) => [JSON.stringify([g.organizationId, g.name]), g.id]));
  for (const p of pending) p.change.groupId = ids.get(JSON.stringify([p.change.organizationId, p.change.groupName])) ?? null;
  return created;
}

async function applyGroups(tx: Tx, plans: readonly UserPlan[]): Promise<CreatedGroup[]> {
  const created = await createGroups(tx, plans);
  const adds = byDimension(plans, "group", "add").filter((a) => a.change.groupId !== null);
  if (adds.length > 0) {
    await bulkInsert(tx, GROUP_MEMBERS, adds.map((a) => ({ group_id: a.change.groupId, user_id: a.userId })));
  }
  // Removals because the user left the organization were done with the organization.
  const removes = byDimension(plans, "group", "remove").filter((r) => r.change.reason.kind !== "organizationLeft");
  for (const [groupId, list] of groupBy(removes, (r) => r.change.groupId ?? "")) {
    await tx.groupMember.deleteMany({ where: { groupId, userId: { in: list.map((r) => r.userId) } } });
  }
  return created;
}

async function applyRoles(tx: Tx, plans: readonly UserPlan[]): Promise<void> {
  const adds = byDimension(plans, "role", "add");
  if (adds.length > 0) {
    await bulkInsert(tx, MEMBER_ROLES, adds.map((a) => ({ organization_id: a.change.organizationId, user_id: a.userId, role: a.change.role })));
  }
  const removes = byDimension(plans, "role", "remove").filter((r) => r.change.reason.kind !== "organizationLeft");
  for (const list of groupBy(removes, (r) => JSON.stringify([r.change.organizationId, r.change.role])).values()) {
    const { organizationId, role } = list[0]!.change;
    await tx.organizationMemberRole.deleteMany({ where: { organizationId, role, userId: { in: list.map((r) => r.userId) } } });
  }
}

/** The audit details of one change, as the admin API's audit log shows them. */
function changeDetails(change: Change): Prisma.InputJsonObject {
  const target = change.dimension === "group" ? { group_id: change.groupId, group_name: change.groupName } : change.dimension === "role" ? { role: change.role } : {};
  return { dimension: change.dimension, organization_id: change.organizationId, ...target, ...describeReason(change.reason) };
}

async function audit(tx: Tx, plans: readonly UserPlan[], actor: string): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const p of plans) {
    for (const c of p.changes) {
      rows.push({ actor, action: AUDIT_ACTION[c.dimension][c.action], resource_id: c.organizationId, user_id: p.userId, details: changeDetails(c) });
    }
    for (const problem of p.problems) {
      const org = problem.organizationId ? { organization_id: problem.organizationId } : {};
      rows.push({ actor, action: "sync.problem", resource_id: problem.organizationId ?? null, user_id: p.userId, details: { dimension: problem.dimension, problem: problem.message, ...org } });
    }
  }
  await bulkInsert(tx, SYNC_AUDIT, rows);
}

/** Writes plans made by planUser. Group changes for auto-created groups get their ids filled in. */
export async function applyPlans(tx: Tx, plans: readonly UserPlan[], actor: string): Promise<void> {
  if (plans.every((p) => p.changes.length === 0 && p.problems.length === 0)) return;
  await applyOrganizations(tx, plans);
  const created = await applyGroups(tx, plans);
  await applyRoles(tx, plans);
  await audit(tx, plans, actor);
  await emit(tx, await syncEvents(tx, plans, created));
}

/** Plans the users from their stored state (no writes). */
export async function planUsers(tx: Tx, ctx: SyncContext, userIds: readonly string[], opts: { lock: boolean }): Promise<UserPlan[]> {
  if (!ctx.enabled || userIds.length === 0) return userIds.map((userId) => ({ userId, changes: [], problems: [] }));
  return (await loadUserStates(tx, userIds, opts)).map((s) => planUser(ctx, s));
}

/**
 * Syncs users whose claims just changed, in the caller's transaction (a SCIM write). Loads the
 * settings once; does nothing at all when sync is off. Returns what it changed.
 */
export async function syncUsers(tx: Tx, userIds: readonly string[], actor: string): Promise<UserPlan[]> {
  if (userIds.length === 0) return [];
  const ctx = await loadSyncContext(tx);
  if (!ctx.enabled) return [];
  const plans = await planUsers(tx, ctx, userIds, { lock: false });
  await applyPlans(tx, plans, actor);
  return plans;
}

