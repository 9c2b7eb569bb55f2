import type { SyncContext } from "./context";
import { diffGrants, type Grant } from "./diff";
import { expectedGroups, expectedOrganizations, expectedRoles } from "./expected";
import { ORGANIZATION_ROLES, type Outcome, type Rule } from "./rules";

/**
 * What sync would change for one user, computed purely from the user's current grants, its claims
 * and the settings: organizations first, then groups and roles in every organization the user ends
 * up in. The one planner behind a single SCIM write, a group push touching thousands of members and a
 * reconciliation over everyone (DESIGN.md: pure functions compute, one apply step writes).
 */

export type Dimension = "organization" | "group" | "role";

/** Why a change is planned: the rule that expects a grant, or why a grant goes. */
export type Reason = Rule | { kind: "notExpected"; field: string } | { kind: "organizationLeft" };

interface ChangeBase {
  action: "add" | "remove";
  organizationId: string;
  reason: Reason;
}

export type Change =
  | (ChangeBase & { dimension: "organization" })
  /** `groupId` is null for a group that auto-create will make when the plan is applied. */
  | (ChangeBase & { dimension: "group"; groupId: string | null; groupName: string })
  | (ChangeBase & { dimension: "role"; role: string });

export interface Problem {
  dimension: Dimension;
  organizationId?: string;
  message: string;
}

/** A user's current grants, as loaded by src/sync/state.ts. */
export interface UserState {
  userId: string;
  claims: Record<string, unknown>;
  organizations: Grant<string>[];
  groups: (Grant<string> & { organizationId: string; name: string })[];
  roles: (Grant<string> & { organizationId: string })[];
}

export interface UserPlan {
  userId: string;
  changes: Change[];
  problems: Problem[];
}

const KNOWN_ROLES: ReadonlySet<string> = new Set(ORGANIZATION_ROLES);

function problemsOf(outcome: Outcome<object>, dimension: Dimension, organizationId?: string): Problem[] {
  if (outcome.status === "disabled") return [];
  return outcome.problems.map((message) => ({ dimension, message, ...(organizationId ? { organizationId } : {}) }));
}

function planOrganizations(ctx: SyncContext, state: UserState, plan: UserPlan, expected: Change[] | undefined): Set<string> {
  const orgs = new Set(state.organizations.map((o) => o.key));
  const outcome = expectedOrganizations(ctx.organization, state.claims, ctx);
  plan.problems.push(...problemsOf(outcome, "organization"));
  if (outcome.status !== "expected") return orgs;
  for (const [id, rule] of outcome.organizations) expected?.push({ dimension: "organization", action: "add", organizationId: id, reason: rule });
  const diff = diffGrants(outcome.organizations.keys(), state.organizations);
  for (const id of diff.add) {
    plan.changes.push({ dimension: "organization", action: "add", organizationId: id, reason: outcome.organizations.get(id)! });
    orgs.add(id);
  }
  for (const id of diff.remove) {
    plan.changes.push({ dimension: "organization", action: "remove", organizationId: id, reason: { kind: "notExpected", field: ctx.organization.field } });
    orgs.delete(id);
    // Leaving an organization takes the user out of its groups and roles too, whatever their source.
    for (const g of state.groups.filter((g) => g.organizationId === id)) {
      plan.changes.push({ dimension: "group", action: "remove", organizationId: id, groupId: g.key, groupName: g.name, reason: { kind: "organizationLeft" } });
    }
    for (const r of state.roles.filter((r) => r.organizationId === id)) {
      plan.changes.push({ dimension: "role", action: "remove", organizationId: id, role: r.key, reason: { kind: "organizationLeft" } });
    }
  }
  return orgs;
}

function planGroups(ctx: SyncContext, state: UserState, orgId: string, plan: UserPlan, expectedOut: Change[] | undefined): void {
  const settings = ctx.perOrganization.get(orgId)?.groups;
  if (!settings || settings.field === "") return;
  const groups = ctx.groups.get(orgId) ?? { groupIdsByName: new Map<string, string>(), groupIds: new Set<string>() };
  const outcome = expectedGroups(settings, state.claims, { id: orgId, ...groups }, ctx.groupFilters.get(orgId) ?? null);
  plan.problems.push(...problemsOf(outcome, "group", orgId));
  if (outcome.status !== "expected") return;
  const names = new Map([...groups.groupIdsByName].map(([name, id]) => [id, name]));
  // Keys: a group's id, or `new:<name>` for one auto-create will make (no grant can exist yet).
  const expected = new Map<string, { groupId: string | null; groupName: string; rule: Rule }>();
  for (const [id, rule] of outcome.groups) expected.set(id, { groupId: id, groupName: names.get(id) ?? "", rule });
  for (const [name, rule] of outcome.create) expected.set(`new:${name}`, { groupId: null, groupName: name, rule });
  for (const e of expected.values()) expectedOut?.push({ dimension: "group", action: "add", organizationId: orgId, groupId: e.groupId, groupName: e.groupName, reason: e.rule });
  const existing = state.groups.filter((g) => g.organizationId === orgId);
  const diff = diffGrants(expected.keys(), existing);
  for (const key of diff.add) {
    const e = expected.get(key)!;
    plan.changes.push({ dimension: "group", action: "add", organizationId: orgId, groupId: e.groupId, groupName: e.groupName, reason: e.rule });
  }
  for (const key of diff.remove) {
    const name = existing.find((g) => g.key === key)?.name ?? "";
    plan.changes.push({ dimension: "group", action: "remove", organizationId: orgId, groupId: key, groupName: name, reason: { kind: "notExpected", field: settings.field } });
  }
}

function planRoles(ctx: SyncContext, state: UserState, orgId: string, plan: UserPlan, expected: Change[] | undefined): void {
  const settings = ctx.perOrganization.get(orgId)?.roles;
  if (!settings || settings.field === "") return;
  const outcome = expectedRoles(settings, state.claims, KNOWN_ROLES);
  plan.problems.push(...problemsOf(outcome, "role", orgId));
  if (outcome.status !== "expected") return;
  for (const [role, rule] of outcome.roles) expected?.push({ dimension: "role", action: "add", organizationId: orgId, role, reason: rule });
  const diff = diffGrants(outcome.roles.keys(), state.roles.filter((r) => r.organizationId === orgId));
  for (const role of diff.add) plan.changes.push({ dimension: "role", action: "add", organizationId: orgId, role, reason: outcome.roles.get(role)! });
  for (const role of diff.remove) plan.changes.push({ dimension: "role", action: "remove", organizationId: orgId, role, reason: { kind: "notExpected", field: settings.field } });
}

/**
 * `expected`, when given, receives every grant the settings expect for the user, held or not, as an
 * `add` with its rule (groups auto-create would make with `groupId: null`): what explains the grants
 * the user already holds (src/directory/grants.ts), from the very computation the plan is made of.
 */
export function planUser(ctx: SyncContext, state: UserState, expected?: Change[]): UserPlan {
  const plan: UserPlan = { userId: state.userId, changes: [], problems: [] };
  if (!ctx.enabled) return plan;
  const orgs = planOrganizations(ctx, state, plan, expected);
  for (const orgId of orgs) {
    planGroups(ctx, state, orgId, plan, expected);
    planRoles(ctx, state, orgId, plan, expected);
  }
  return plan;
}

/** The rule as the audit log and the reconciliation report show it: `{rule, field?, value?}`. */
export function describeReason(reason: Reason): { rule: string; field?: string; value?: string } {
  switch (reason.kind) {
    case "notExpected":
      return { rule: "not expected", field: reason.field };
    case "organizationLeft":
      return { rule: "organization left" };
    case "default":
      return { rule: "default" };
    default:
      return { rule: reason.kind, field: reason.field, value: reason.value };
  }
}
