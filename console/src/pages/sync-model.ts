import { fieldProblem } from "../ui/components";

/** The IdP sync settings as `GET /settings/idpsync` answers them (organizations keyed by name). */
export type Targets = Record<string, string[]>;
export interface OrganizationSync {
  field: string;
  mapping: Targets;
  organization_assign_default: boolean;
}
export interface GroupSync {
  field: string;
  mapping: Targets | null;
  regex_filter: string | null;
  auto_create_missing_groups: boolean;
  legacy_group_name_mapping?: Record<string, string>;
}
export interface RoleSync {
  field: string;
  mapping: Targets | null;
}
export interface AllSettings {
  organization: OrganizationSync;
  organizations: Record<string, { groups: GroupSync; roles: RoleSync }>;
}

/** What PUT /settings/idpsync and a resync's `settings` take: only the parts that differ from the saved ones. */
export interface Candidate {
  organization?: OrganizationSync;
  organizations?: Record<string, { groups?: GroupSync; roles?: RoleSync }>;
}

/** One mapping row in the editor: a claim value and one target (Coder's `{given, gets}` pair). */
export interface Pair {
  given: string;
  gets: string;
}

export const pairsOf = (mapping: Targets | null | undefined): Pair[] => Object.entries(mapping ?? {}).flatMap(([given, gets]) => gets.map((g) => ({ given, gets: g })));

/** The mapping of the rows; rows with no claim value or no target are left out, duplicates once. */
export function mappingOf(pairs: readonly Pair[]): Targets {
  const out: Targets = {};
  for (const p of pairs) {
    const given = p.given.trim();
    if (given === "" || p.gets === "") continue;
    const list = (out[given] ??= []);
    if (!list.includes(p.gets)) list.push(p.gets);
  }
  return out;
}

/** Same JSON whatever the key order (a mapping read back may list its keys in another order). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}
export const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** The edited parts only, so a save audits what changed and a preview names the candidate exactly. */
export function candidateOf(saved: AllSettings, draft: AllSettings): Candidate {
  const c: Candidate = {};
  if (!same(saved.organization, draft.organization)) c.organization = draft.organization;
  for (const [name, parts] of Object.entries(draft.organizations)) {
    const before = saved.organizations[name];
    const groups = before && same(before.groups, parts.groups) ? undefined : parts.groups;
    const roles = before && same(before.roles, parts.roles) ? undefined : parts.roles;
    if (groups || roles) (c.organizations ??= {})[name] = { ...(groups ? { groups } : {}), ...(roles ? { roles } : {}) };
  }
  return c;
}

export const isEmpty = (c: Candidate): boolean => !c.organization && Object.keys(c.organizations ?? {}).length === 0;

/**
 * A field's problem from either answer: PUT /settings/idpsync names `organizations.acme.groups.mapping`,
 * a preview (POST /reconciliations) the same under `settings.`.
 */
export const problemAt = (error: unknown, path: string): string | undefined => fieldProblem(error, path) ?? fieldProblem(error, `settings.${path}`);

/** The editor's state: mappings as rows (a half-typed row stays while it is edited). */
export interface EditState {
  organization: { field: string; assignDefault: boolean; pairs: Pair[] };
  organizations: Record<string, { groups: Omit<GroupSync, "mapping"> & { pairs: Pair[]; mapped: boolean }; roles: { field: string; pairs: Pair[]; mapped: boolean } }>;
}

export function editOf(s: AllSettings): EditState {
  const organizations: EditState["organizations"] = {};
  for (const [name, { groups, roles }] of Object.entries(s.organizations)) {
    const { mapping, ...rest } = groups;
    organizations[name] = {
      groups: { ...rest, pairs: pairsOf(mapping), mapped: mapping !== null },
      roles: { field: roles.field, pairs: pairsOf(roles.mapping), mapped: roles.mapping !== null },
    };
  }
  return { organization: { field: s.organization.field, assignDefault: s.organization.organization_assign_default, pairs: pairsOf(s.organization.mapping) }, organizations };
}

/** Back to the API's JSON; an empty mapping that was null stays null (no change to save). */
export function settingsOf(e: EditState): AllSettings {
  const organizations: AllSettings["organizations"] = {};
  for (const [name, { groups, roles }] of Object.entries(e.organizations)) {
    const { pairs, mapped, ...rest } = groups;
    const gm = mappingOf(pairs);
    const rm = mappingOf(roles.pairs);
    organizations[name] = {
      groups: { ...rest, mapping: Object.keys(gm).length === 0 && !mapped ? null : gm },
      roles: { field: roles.field, mapping: Object.keys(rm).length === 0 && !roles.mapped ? null : rm },
    };
  }
  return { organization: { field: e.organization.field, mapping: mappingOf(e.organization.pairs), organization_assign_default: e.organization.assignDefault }, organizations };
}
