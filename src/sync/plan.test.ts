import type { SyncContext } from "./context";
import { planUser, type UserState } from "./plan";

const DEF = "00000000-0000-4000-8000-000000000000";
const ACME = "00000000-0000-4000-8000-00000000acme";
const DEVS = "00000000-0000-4000-8000-000000000dev";
const OPS = "00000000-0000-4000-8000-000000000095";

const ctx: SyncContext = {
  organization: { field: "department", mapping: { Sales: [ACME] }, organization_assign_default: true },
  defaultOrganizationId: DEF,
  organizationIds: new Set([DEF, ACME]),
  perOrganization: new Map([
    [DEF, { groups: { field: "", mapping: null, regex_filter: null, auto_create_missing_groups: false }, roles: { field: "", mapping: null } }],
    [ACME, { groups: { field: "groups", mapping: null, regex_filter: null, auto_create_missing_groups: true }, roles: { field: "groups", mapping: { Admins: ["organization-admin"] } } }],
  ]),
  groupFilters: new Map(),
  groups: new Map([[ACME, { groupIdsByName: new Map([["devs", DEVS], ["ops", OPS]]), groupIds: new Set([DEVS, OPS]) }]]),
  enabled: true,
};

const user = (over: Partial<UserState>): UserState => ({ userId: "u", claims: {}, organizations: [], groups: [], roles: [], ...over });
const summary = (s: UserState, c: SyncContext = ctx) =>
  planUser(c, s).changes.map((ch) => [ch.dimension, ch.action, ch.dimension === "group" ? (ch.groupId ?? `new:${ch.groupName}`) : ch.dimension === "role" ? ch.role : ch.organizationId, ch.reason.kind]);

describe("planUser", () => {
  it.each([
    ["a new user joins the default org only", user({}), [["organization", "add", DEF, "default"]]],
    [
      "Sales joins acme, then its groups (by name, auto-created) and roles in the same plan",
      user({ claims: { department: "Sales", groups: ["devs", "Admins"] }, organizations: [{ key: DEF, source: "sync" }] }),
      [["organization", "add", ACME, "mapping"], ["group", "add", DEVS, "name"], ["group", "add", "new:Admins", "autoCreate"], ["role", "add", "organization-admin", "mapping"]],
    ],
    [
      "leaving acme takes its groups and roles along, manual ones included",
      user({
        claims: { department: "Research", groups: ["devs"] },
        organizations: [{ key: ACME, source: "sync" }, { key: DEF, source: "sync" }],
        groups: [{ key: DEVS, source: "sync", organizationId: ACME, name: "devs" }, { key: OPS, source: "manual", organizationId: ACME, name: "ops" }],
        roles: [{ key: "organization-admin", source: "sync", organizationId: ACME }],
      }),
      [["organization", "remove", ACME, "notExpected"], ["group", "remove", DEVS, "organizationLeft"], ["group", "remove", OPS, "organizationLeft"], ["role", "remove", "organization-admin", "organizationLeft"]],
    ],
    [
      "inside the org only sync-made grants go; manual ones stay",
      user({
        claims: { department: "Sales", groups: [] },
        organizations: [{ key: ACME, source: "sync" }, { key: DEF, source: "sync" }],
        groups: [{ key: DEVS, source: "sync", organizationId: ACME, name: "devs" }, { key: OPS, source: "manual", organizationId: ACME, name: "ops" }],
        roles: [{ key: "organization-admin", source: "sync", organizationId: ACME }, { key: "organization-auditor", source: "manual", organizationId: ACME }],
      }),
      [["group", "remove", DEVS, "notExpected"], ["role", "remove", "organization-admin", "notExpected"]],
    ],
    ["a manual organization membership is never removed", user({ organizations: [{ key: ACME, source: "manual" }, { key: DEF, source: "sync" }] }), []],
  ] as const)("%s", (_n, state, expected) => {
    expect(summary(state)).toEqual(expected);
  });

  it("plans nothing when sync is off everywhere", () => {
    expect(summary(user({ claims: { department: "Sales" } }), { ...ctx, enabled: false })).toEqual([]);
  });

  it("reports problems with their dimension and organization", () => {
    const plan = planUser(ctx, user({ claims: { department: "Sales", groups: 3 }, organizations: [{ key: ACME, source: "sync" }, { key: DEF, source: "sync" }] }));
    expect(plan.problems).toEqual([
      { dimension: "group", organizationId: ACME, message: 'claim "groups" is a number, expected a string or an array of strings' },
      { dimension: "role", organizationId: ACME, message: 'claim "groups" is a number, expected a string or an array of strings' },
    ]);
  });
});
