import { expectedGroups, expectedOrganizations, expectedRoles, type GroupSyncSettings } from "./expected";
import type { Outcome, Rule } from "./rules";
import { compilePattern } from "./pattern";

const DEF = "00000000-0000-4000-8000-000000000000";
const ACME = "00000000-0000-4000-8000-00000000acme";
const GONE = "00000000-0000-4000-8000-00000000dead";

/** Outcomes as plain objects for table comparison. */
function flat<T extends object>(o: Outcome<T>): unknown {
  if (o.status !== "expected") return o;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v instanceof Map ? Object.fromEntries(v) : v]));
}

const mapping = (field: string, value: string): Rule => ({ kind: "mapping", field, value });

describe("expected organizations", () => {
  const ctx = { defaultOrganizationId: DEF, organizationIds: new Set([DEF, ACME]) };
  const settings = { field: "department", mapping: { Sales: [ACME], Ghost: [GONE] }, organization_assign_default: true };
  it.each([
    ["sync is off without a field", { ...settings, field: "" }, { department: "Sales" }, { status: "disabled" }],
    ["a missing claim leaves the default only", settings, {}, { status: "expected", organizations: { [DEF]: { kind: "default" } }, problems: [] }],
    ["a string claim is one value", settings, { department: "Sales" }, { status: "expected", organizations: { [DEF]: { kind: "default" }, [ACME]: mapping("department", "Sales") }, problems: [] }],
    ["an array claim; unmapped values are ignored", { ...settings, field: "orgs" }, { orgs: ["x", "Sales"] }, { status: "expected", organizations: { [DEF]: { kind: "default" }, [ACME]: mapping("orgs", "Sales") }, problems: [] }],
    ["no default when assign-default is off", { ...settings, organization_assign_default: false }, { department: "Sales" }, { status: "expected", organizations: { [ACME]: mapping("department", "Sales") }, problems: [] }],
    ["an unknown organization is recorded", settings, { department: "Ghost" }, { status: "expected", organizations: { [DEF]: { kind: "default" } }, problems: [`organization ${GONE} (mapped from "Ghost") does not exist`] }],
    ["a claim of the wrong type skips the dimension", settings, { department: 7 }, { status: "skipped", problems: ['claim "department" is a number, expected a string or an array of strings'] }],
  ] as const)("%s", (_n, s, claims, expected) => {
    expect(flat(expectedOrganizations(s, claims, ctx))).toEqual(expected);
  });
});

describe("expected groups", () => {
  const ORG = "00000000-0000-4000-8000-0000000000aa";
  const ENG = "00000000-0000-4000-8000-0000000000e1";
  const OPS = "00000000-0000-4000-8000-0000000000e2";
  const org = { id: ORG, groupIdsByName: new Map([["Everyone", ORG], ["eng", ENG], ["ops", OPS]]), groupIds: new Set([ORG, ENG, OPS]) };
  const base: GroupSyncSettings = { field: "groups", mapping: { "Okta-Ops": [OPS], Weird: ["00000000-0000-4000-8000-0000000000ff"] }, regex_filter: null, auto_create_missing_groups: false };
  it.each([
    ["sync is off without a field", { ...base, field: "" }, { groups: ["eng"] }, { status: "disabled" }],
    ["a missing claim expects no groups", base, {}, { status: "expected", groups: {}, create: {}, problems: [] }],
    ["a mapping hit", base, { groups: ["Okta-Ops"] }, { status: "expected", groups: { [OPS]: mapping("groups", "Okta-Ops") }, create: {}, problems: [] }],
    ["a name match, exact", base, { groups: "eng" }, { status: "expected", groups: { [ENG]: { kind: "name", field: "groups", value: "eng" } }, create: {}, problems: [] }],
    ["no match and no auto-create is recorded", base, { groups: ["ENG"] }, { status: "expected", groups: {}, create: {}, problems: ['no group named "ENG" in this organization, and auto_create_missing_groups is off'] }],
    ["auto-create", { ...base, auto_create_missing_groups: true }, { groups: ["new-team"] }, { status: "expected", groups: {}, create: { "new-team": { kind: "autoCreate", field: "groups", value: "new-team" } }, problems: [] }],
    ["the regex filter drops values", { ...base, regex_filter: "^e" }, { groups: ["eng", "ops"] }, { status: "expected", groups: { [ENG]: { kind: "name", field: "groups", value: "eng" } }, create: {}, problems: [] }],
    ["the legacy rename applies before the filter and mapping", { ...base, legacy_group_name_mapping: { "AD-Engineering": "eng" }, regex_filter: "^eng$" }, { groups: ["AD-Engineering"] }, { status: "expected", groups: { [ENG]: { kind: "name", field: "groups", value: "AD-Engineering" } }, create: {}, problems: [] }],
    ["a mapped group of another organization is recorded", base, { groups: ["Weird"] }, { status: "expected", groups: {}, create: {}, problems: ['group 00000000-0000-4000-8000-0000000000ff (mapped from "Weird") is not a group of this organization'] }],
    ["Everyone is never an expected grant (it is implicit)", base, { groups: ["Everyone"] }, { status: "expected", groups: {}, create: {}, problems: [] }],
    ["a wrong type skips", base, { groups: [1] }, { status: "skipped", problems: ['claim "groups": element 0 is a number, expected a string'] }],
    ["an invalid pattern skips", { ...base, regex_filter: "(" }, { groups: ["eng"] }, { status: "skipped", problems: ['regex_filter "(" is not a valid RE2 pattern: error parsing regexp: missing closing ): `(`'] }],
    ["a pattern RE2 refuses though JavaScript takes it skips", { ...base, regex_filter: "^eng\\Z" }, { groups: ["eng"] }, { status: "skipped", problems: ['regex_filter "^eng\\\\Z" is not a valid RE2 pattern: error parsing regexp: invalid escape sequence: `\\Z`'] }],
    ["a value too long to be a group name is not auto-created", { ...base, auto_create_missing_groups: true }, { groups: ["x".repeat(256), "y".repeat(255)] }, { status: "expected", groups: {}, create: { ["y".repeat(255)]: { kind: "autoCreate", field: "groups", value: "y".repeat(255) } }, problems: [`"${"x".repeat(64)}…" (256 characters) can't be a group name: at most 255 characters; no group for it`] }],
    ["a value too long to be a group name is not matched against the filter, unless a mapping names it", { ...base, regex_filter: "^x", mapping: { ["x".repeat(300)]: [OPS] } }, { groups: ["x".repeat(300), "z".repeat(300)] }, { status: "expected", groups: { [OPS]: mapping("groups", "x".repeat(300)) }, create: {}, problems: [`"${"z".repeat(64)}…" (300 characters) can't be a group name: at most 255 characters; no group for it`] }],
    ["a blank value is not auto-created", { ...base, auto_create_missing_groups: true }, { groups: ["  "] }, { status: "expected", groups: {}, create: {}, problems: ['"  " can\'t be a group name: it is blank; not auto-created'] }],
    ["the filter is unanchored, as Go's MatchString", { ...base, regex_filter: "ng" }, { groups: ["eng", "ops"] }, { status: "expected", groups: { [ENG]: { kind: "name", field: "groups", value: "eng" } }, create: {}, problems: [] }],
  ] as const)("%s", (_n, s, claims, expected) => {
    const settings = s as GroupSyncSettings;
    expect(flat(expectedGroups(settings, claims, org, settings.regex_filter ? compilePattern(settings.regex_filter) : null))).toEqual(expected);
  });
});

describe("expected roles", () => {
  const known = new Set(["organization-admin", "organization-auditor", "custom-viewer"]);
  const base = { field: "roles", mapping: { Admins: ["organization-admin", "custom-viewer"], Nobody: [] } };
  it.each([
    ["sync is off without a field", { ...base, field: "" }, { roles: ["Admins"] }, { status: "disabled" }],
    ["a missing claim expects no roles", base, {}, { status: "expected", roles: {}, problems: [] }],
    ["a mapping grants every mapped role", base, { roles: "Admins" }, { status: "expected", roles: { "organization-admin": mapping("roles", "Admins"), "custom-viewer": mapping("roles", "Admins") }, problems: [] }],
    ["an empty mapping drops the value", base, { roles: ["Nobody"] }, { status: "expected", roles: {}, problems: [] }],
    ["the value itself as a role name", base, { roles: ["organization-auditor"] }, { status: "expected", roles: { "organization-auditor": { kind: "name", field: "roles", value: "organization-auditor" } }, problems: [] }],
    ["never a site role, and unknown roles are recorded", base, { roles: ["owner", "wizard", "organization-member"] }, { status: "expected", roles: {}, problems: ['"owner" is a site role: sync never grants it', 'unknown organization role "wizard" (from "wizard")'] }],
    ["a wrong type skips", base, { roles: { a: 1 } }, { status: "skipped", problems: ['claim "roles" is an object, expected a string or an array of strings'] }],
  ] as const)("%s", (_n, s, claims, expected) => {
    expect(flat(expectedRoles(s, claims, known))).toEqual(expected);
  });
});
