import type { SyncContext } from "../sync/context";
import { describeReason, type Change, type Dimension, type UserPlan, type UserState } from "../sync/plan";
import { EVERYONE_GROUP_NAME } from "./bootstrap";

/**
 * Why a user holds each grant (`GET /api/v2/users/{user}/grants`), computed purely from what
 * src/directory/grants.ts loads: the user's grants, the sync planner's plan for it and the grants the
 * planner expects (planUser's `expected`), so the reasons are the ones a dry run and the audit log
 * show, never a second reading of the rules.
 */

/** `{rule, field?, value?}`: describeReason's format, as in the audit log and the reconciliation report. */
export type GrantReason = ReturnType<typeof describeReason>;

export interface AuditRef {
  id: string;
  time: string;
  actor: string;
  action: string;
}

interface GrantBase {
  source: "sync" | "manual" | "implicit";
  /** Why the current settings grant it: sync grants only, null when they don't. */
  reason: GrantReason | null;
  /** False only for a sync grant the current settings don't grant. */
  explained: boolean;
  /** Why a resync would remove it (the report's reason), or null when a resync keeps it. */
  resync_removes: GrantReason | null;
  note: string | null;
  /** The latest audit row that made a grant of this source, or null when none is kept. */
  audit: AuditRef | null;
}

export interface GroupGrant extends GrantBase {
  group_id: string;
  group_name: string;
}

export interface RoleGrant extends GrantBase {
  role: string;
}

export interface OrganizationGrant extends Omit<GrantBase, "source"> {
  organization_id: string;
  organization_name: string;
  /** null: not a member, yet groups or roles of it are held (only data written outside the bridge). */
  source: "sync" | "manual" | null;
  groups: GroupGrant[];
  roles: RoleGrant[];
}

export interface PendingGrant {
  dimension: Dimension;
  organization_id: string;
  organization_name: string;
  /** null for a group auto-create would make. */
  group_id?: string | null;
  group_name?: string;
  role?: string;
  reason: GrantReason;
}

export interface UserGrants {
  user_id: string;
  username: string;
  /** False when no sync dimension is configured anywhere: sync grants are then kept as they are. */
  sync_enabled: boolean;
  organizations: OrganizationGrant[];
  /** What a resync would add under the current settings. */
  pending: PendingGrant[];
  /** Sync problems for this user under the current settings, as a resync would report them. */
  problems: { dimension: Dimension; organization_id: string | null; message: string }[];
}

export interface GrantFacts {
  user: { id: string; username: string };
  state: UserState;
  plan: UserPlan;
  expected: readonly Change[];
  ctx: SyncContext;
  organizationNames: ReadonlyMap<string, string>;
  /** By auditKey. */
  audit: ReadonlyMap<string, AuditRef>;
}

/** The key the audit query (src/directory/grants.ts) computes for the row that made a grant. */
export const auditKey = (source: "sync" | "manual", dimension: Dimension, organizationId: string, target = ""): string =>
  dimension === "organization" ? `${source}|organization|${organizationId}` : dimension === "group" ? `${source}|group|${target}` : `${source}|role|${organizationId}|${target}`;

const changeKey = (c: Change): string =>
  c.dimension === "organization" ? `organization|${c.organizationId}` : c.dimension === "group" ? `group|${c.groupId ?? `new:${c.groupName}`}` : `role|${c.organizationId}|${c.role}`;

/** Why a resync keeps a sync grant it doesn't expect: its dimension is off, or it skipped this user. */
function keptBecause(ctx: SyncContext, dimension: Dimension, organizationId: string): string {
  if (!ctx.enabled) return "sync is off";
  const field = dimension === "organization" ? ctx.organization.field : dimension === "group" ? ctx.perOrganization.get(organizationId)?.groups.field : ctx.perOrganization.get(organizationId)?.roles.field;
  if (!field) return dimension === "organization" ? "organization sync is off" : `${dimension} sync is off in this organization`;
  return `${dimension} sync skipped this user (see problems)`;
}

function removalNote(reason: GrantReason, orgName: string): string {
  if (reason.rule === "organization left") return `a resync would remove it: the user would leave organization ${orgName}`;
  return `a resync would remove it: the current settings don't grant it from claim "${reason.field ?? ""}"`;
}

export function explainGrants(f: GrantFacts): UserGrants {
  const expected = new Map(f.expected.map((c) => [changeKey(c), c]));
  const removes = new Map(f.plan.changes.filter((c) => c.action === "remove").map((c) => [changeKey(c), c]));
  const orgName = (id: string) => f.organizationNames.get(id) ?? "";

  function grant(source: "sync" | "manual", dimension: Dimension, organizationId: string, key: string, target = ""): Omit<GrantBase, "source"> {
    let rule = expected.get(key)?.reason;
    // Provisioning joins the default organization while organization_assign_default is on, also with
    // organization sync off (src/directory/users/user-service.ts), audited with rule `default`.
    if (!rule && dimension === "organization" && organizationId === f.ctx.defaultOrganizationId && f.ctx.organization.field === "" && f.ctx.organization.organization_assign_default) {
      rule = { kind: "default" };
    }
    const removal = removes.get(key);
    const resync_removes = removal ? describeReason(removal.reason) : null;
    const reason = source === "sync" && rule ? describeReason(rule) : null;
    const explained = source !== "sync" || reason !== null;
    let note: string | null = null;
    if (resync_removes) note = removalNote(resync_removes, orgName(organizationId));
    else if (!explained) note = `the current settings don't grant it, but a resync keeps it: ${keptBecause(f.ctx, dimension, organizationId)}`;
    return { reason, explained, resync_removes, note, audit: f.audit.get(auditKey(source, dimension, organizationId, target)) ?? null };
  }

  const orgs = new Map<string, OrganizationGrant>();
  const orgEntry = (id: string): OrganizationGrant => {
    let o = orgs.get(id);
    if (!o) {
      o = { organization_id: id, organization_name: orgName(id), source: null, reason: null, explained: true, resync_removes: null, note: null, audit: null, groups: [], roles: [] };
      orgs.set(id, o);
    }
    return o;
  };
  for (const m of f.state.organizations) {
    const o = orgEntry(m.key);
    Object.assign(o, { source: m.source, ...grant(m.source, "organization", m.key, `organization|${m.key}`) });
    // Everyone: every member belongs to it, and leaves it with the organization; its id is the
    // organization's (as in Coder).
    const leaves = o.resync_removes !== null;
    o.groups.push({
      group_id: m.key,
      group_name: EVERYONE_GROUP_NAME,
      source: "implicit",
      reason: null,
      explained: true,
      resync_removes: leaves ? { rule: "organization left" } : null,
      note: leaves ? removalNote({ rule: "organization left" }, o.organization_name) : "every member of the organization is in its Everyone group",
      audit: null,
    });
  }
  for (const g of f.state.groups) {
    orgEntry(g.organizationId).groups.push({ group_id: g.key, group_name: g.name, source: g.source, ...grant(g.source, "group", g.organizationId, `group|${g.key}`, g.key) });
  }
  for (const r of f.state.roles) {
    orgEntry(r.organizationId).roles.push({ role: r.key, source: r.source, ...grant(r.source, "role", r.organizationId, `role|${r.organizationId}|${r.key}`, r.key) });
  }
  for (const o of orgs.values()) {
    if (o.source === null) o.note = "not a member of this organization, yet holds groups or roles of it";
    // Everyone first, then by name.
    o.groups.sort((a, b) => Number(b.source === "implicit") - Number(a.source === "implicit") || a.group_name.localeCompare(b.group_name) || a.group_id.localeCompare(b.group_id));
    o.roles.sort((a, b) => a.role.localeCompare(b.role));
  }

  const pending = f.plan.changes
    .filter((c) => c.action === "add")
    .map((c): PendingGrant => ({
      dimension: c.dimension,
      organization_id: c.organizationId,
      organization_name: orgName(c.organizationId),
      ...(c.dimension === "group" ? { group_id: c.groupId, group_name: c.groupName } : {}),
      ...(c.dimension === "role" ? { role: c.role } : {}),
      reason: describeReason(c.reason),
    }));

  return {
    user_id: f.user.id,
    username: f.user.username,
    sync_enabled: f.ctx.enabled,
    organizations: [...orgs.values()].sort((a, b) => a.organization_name.localeCompare(b.organization_name) || a.organization_id.localeCompare(b.organization_id)),
    pending,
    problems: f.plan.problems.map((p) => ({ dimension: p.dimension, organization_id: p.organizationId ?? null, message: p.message })),
  };
}
