import type { SyncContext } from "../sync/context";
import type { GroupSyncSettings, RoleSyncSettings } from "../sync/expected";
import { planUser, type Change, type UserState } from "../sync/plan";
import { explainGrants, type UserGrants } from "./grant-explain";

const DEF = "00000000-0000-4000-8000-000000000000";
const ACME = "00000000-0000-4000-8000-00000000acme";
const DEVS = "00000000-0000-4000-8000-000000000dev";
const OPS = "00000000-0000-4000-8000-000000000095";

const off: { groups: GroupSyncSettings; roles: RoleSyncSettings } = { groups: { field: "", mapping: null, regex_filter: null, auto_create_missing_groups: false }, roles: { field: "", mapping: null } };

function context(over: Partial<SyncContext> = {}): SyncContext {
  return {
    organization: { field: "department", mapping: { Sales: [ACME] }, organization_assign_default: true },
    defaultOrganizationId: DEF,
    organizationIds: new Set([DEF, ACME]),
    perOrganization: new Map([
      [DEF, off],
      [ACME, { groups: { field: "groups", mapping: null, regex_filter: null, auto_create_missing_groups: false }, roles: { field: "title", mapping: { Lead: ["organization-admin"] } } }],
    ]),
    groupFilters: new Map(),
    groups: new Map([[ACME, { groupIdsByName: new Map([["devs", DEVS], ["ops", OPS]]), groupIds: new Set([DEVS, OPS]) }]]),
    enabled: true,
    ...over,
  };
}

function explain(ctx: SyncContext, state: UserState): UserGrants {
  const expected: Change[] = [];
  const plan = planUser(ctx, state, expected);
  return explainGrants({ user: { id: state.userId, username: "ann" }, state, plan, expected, ctx, organizationNames: new Map([[DEF, "default"], [ACME, "acme"]]), audit: new Map() });
}

const member: UserState = {
  userId: "u",
  claims: { department: "Sales", groups: ["devs"], title: "Lead" },
  organizations: [{ key: ACME, source: "sync" }, { key: DEF, source: "sync" }],
  groups: [{ key: DEVS, source: "sync", organizationId: ACME, name: "devs" }, { key: OPS, source: "manual", organizationId: ACME, name: "ops" }],
  roles: [{ key: "organization-admin", source: "sync", organizationId: ACME }],
};

const brief = (g: UserGrants) =>
  g.organizations.flatMap((o) => [
    [o.organization_name, o.source, o.reason?.rule ?? null, o.explained, o.resync_removes?.rule ?? null],
    ...o.groups.map((x) => [x.group_name, x.source, x.reason?.rule ?? null, x.explained, x.resync_removes?.rule ?? null]),
    ...o.roles.map((x) => [x.role, x.source, x.reason?.rule ?? null, x.explained, x.resync_removes?.rule ?? null]),
  ]);

describe("explainGrants", () => {
  it("gives each sync grant the planner's rule, Everyone as implicit, manual grants without one", () => {
    const g = explain(context(), member);
    expect(brief(g)).toEqual([
      ["acme", "sync", "mapping", true, null],
      ["Everyone", "implicit", null, true, null],
      ["devs", "sync", "name", true, null],
      ["ops", "manual", null, true, null],
      ["organization-admin", "sync", "mapping", true, null],
      ["default", "sync", "default", true, null],
      ["Everyone", "implicit", null, true, null],
    ]);
    expect(g.organizations[0]!.reason).toEqual({ rule: "mapping", field: "department", value: "Sales" });
    expect(g.organizations[0]!.roles[0]!.reason).toEqual({ rule: "mapping", field: "title", value: "Lead" });
    expect(g).toMatchObject({ pending: [], problems: [], sync_enabled: true });
  });

  it("flags what a resync would remove, and takes Everyone and manual grants along when the organization goes", () => {
    const g = explain(context(), { ...member, claims: { department: "Research", groups: ["devs"] } });
    expect(brief(g)).toEqual([
      ["acme", "sync", null, false, "not expected"],
      ["Everyone", "implicit", null, true, "organization left"],
      // Groups and roles of an organization the user leaves are not planned: nothing explains them.
      ["devs", "sync", null, false, "organization left"],
      ["ops", "manual", null, true, "organization left"],
      ["organization-admin", "sync", null, false, "organization left"],
      ["default", "sync", "default", true, null],
      ["Everyone", "implicit", null, true, null],
    ]);
    expect(g.organizations[0]!.note).toBe('a resync would remove it: the current settings don\'t grant it from claim "department"');
    expect(g.organizations[0]!.groups[2]!.note).toBe("a resync would remove it: the user would leave organization acme");
  });

  it("says why an unexplained sync grant is kept: its dimension is off or skipped this user", () => {
    const ctx = context({ perOrganization: new Map([[DEF, off], [ACME, { groups: off.groups, roles: { field: "title", mapping: null } }]]) });
    const g = explain(ctx, { ...member, claims: { department: "Sales", title: 7 } });
    const acme = g.organizations[0]!;
    expect(acme.groups.find((x) => x.group_name === "devs")).toMatchObject({ explained: false, resync_removes: null, note: "the current settings don't grant it, but a resync keeps it: group sync is off in this organization" });
    expect(acme.roles[0]).toMatchObject({ explained: false, resync_removes: null, note: "the current settings don't grant it, but a resync keeps it: role sync skipped this user (see problems)" });
    expect(g.problems).toEqual([{ dimension: "role", organization_id: ACME, message: 'claim "title" is a number, expected a string or an array of strings' }]);
  });

  it("explains the default organization by organization_assign_default also with organization sync off", () => {
    const ctx = context({ organization: { field: "", mapping: {}, organization_assign_default: true }, perOrganization: new Map([[DEF, off], [ACME, off]]), enabled: false });
    const g = explain(ctx, { ...member, groups: [], roles: [] });
    expect(brief(g)).toEqual([
      ["acme", "sync", null, false, null],
      ["Everyone", "implicit", null, true, null],
      ["default", "sync", "default", true, null],
      ["Everyone", "implicit", null, true, null],
    ]);
    expect(g.organizations[0]!.note).toBe("the current settings don't grant it, but a resync keeps it: sync is off");
    expect(g.sync_enabled).toBe(false);
  });

  it("lists what a resync would add, groups auto-create would make included", () => {
    const ctx = context();
    ctx.perOrganization.get(ACME)!.groups.auto_create_missing_groups = true;
    const g = explain(ctx, { ...member, claims: { department: "Sales", groups: ["devs", "qa"], title: "Lead" }, groups: [], roles: [] });
    expect(g.pending).toEqual([
      { dimension: "group", organization_id: ACME, organization_name: "acme", group_id: DEVS, group_name: "devs", reason: { rule: "name", field: "groups", value: "devs" } },
      { dimension: "group", organization_id: ACME, organization_name: "acme", group_id: null, group_name: "qa", reason: { rule: "autoCreate", field: "groups", value: "qa" } },
      { dimension: "role", organization_id: ACME, organization_name: "acme", role: "organization-admin", reason: { rule: "mapping", field: "title", value: "Lead" } },
    ]);
  });
});
