import { claimValues } from "./claim-values";
import { GROUP_NAME_MAX_LENGTH, groupNameProblem, shownValue } from "./group-name";
import type { CompiledPattern } from "./pattern";
import type { OrganizationSyncSettings } from "./organization-settings";
import { IMPLICIT_MEMBER_ROLE, SITE_ROLES, type Outcome, type Rule } from "./rules";

/**
 * The expected set of each sync dimension for one user, computed purely from the user's claims and
 * the settings (the first two of the three phases; src/sync/diff.ts is the third's core).
 */

export interface GroupSyncSettings {
  field: string;
  mapping: Record<string, string[]> | null;
  regex_filter: string | null;
  auto_create_missing_groups: boolean;
  legacy_group_name_mapping?: Record<string, string> | undefined;
}

export interface RoleSyncSettings {
  field: string;
  mapping: Record<string, string[]> | null;
}

export function expectedOrganizations(
  settings: OrganizationSyncSettings,
  claims: Record<string, unknown>,
  ctx: { defaultOrganizationId: string; organizationIds: ReadonlySet<string> },
): Outcome<{ organizations: Map<string, Rule> }> {
  if (settings.field === "") return { status: "disabled" };
  const parsed = claimValues(claims, settings.field);
  if (!parsed.ok) return { status: "skipped", problems: [parsed.problem] };
  const organizations = new Map<string, Rule>();
  const problems: string[] = [];
  if (settings.organization_assign_default) organizations.set(ctx.defaultOrganizationId, { kind: "default" });
  for (const value of parsed.values) {
    for (const id of settings.mapping[value] ?? []) {
      if (!ctx.organizationIds.has(id)) problems.push(`organization ${id} (mapped from "${value}") does not exist`);
      else if (!organizations.has(id)) organizations.set(id, { kind: "mapping", field: settings.field, value });
    }
  }
  return { status: "expected", organizations, problems };
}

/**
 * `filter` is `settings.regex_filter` compiled once when the settings were loaded (src/sync/context.ts),
 * not per user or per value; null when there is none.
 */
export function expectedGroups(
  settings: GroupSyncSettings,
  claims: Record<string, unknown>,
  org: { id: string; groupIdsByName: ReadonlyMap<string, string>; groupIds: ReadonlySet<string> },
  filter: CompiledPattern | null,
): Outcome<{ groups: Map<string, Rule>; create: Map<string, Rule> }> {
  if (settings.field === "") return { status: "disabled" };
  const parsed = claimValues(claims, settings.field);
  if (!parsed.ok) return { status: "skipped", problems: [parsed.problem] };
  // A pattern saved before the engine's check existed, which it refuses: the mapping can't apply.
  if (filter && !filter.ok) return { status: "skipped", problems: [`regex_filter ${JSON.stringify(filter.source)} ${filter.problem}`] };
  const groups = new Map<string, Rule>();
  const create = new Map<string, Rule>();
  const problems: string[] = [];
  for (const raw of parsed.values) {
    const value = settings.legacy_group_name_mapping?.[raw] ?? raw;
    const mapped = settings.mapping?.[value];
    // A value that no mapping names and that can't be a group name leads to no group whatever the
    // filter says: it is not matched (that bounds the filter's work, src/sync/pattern.ts).
    if (!mapped && value.length > GROUP_NAME_MAX_LENGTH) {
      problems.push(`${shownValue(value)} can't be a group name: at most ${GROUP_NAME_MAX_LENGTH} characters; no group for it`);
      continue;
    }
    // Unanchored, as Go's MatchString: a value the filter rejects is not a problem, it is the filter's job.
    if (filter && !filter.test(value)) continue;
    if (mapped) {
      for (const id of mapped) {
        if (id === org.id) continue; // Everyone: implicit for every member
        if (!org.groupIds.has(id)) problems.push(`group ${id} (mapped from "${value}") is not a group of this organization`);
        else if (!groups.has(id)) groups.set(id, { kind: "mapping", field: settings.field, value: raw });
      }
      continue;
    }
    const byName = org.groupIdsByName.get(value);
    if (byName !== undefined) {
      if (byName !== org.id && !groups.has(byName)) groups.set(byName, { kind: "name", field: settings.field, value: raw });
    } else if (settings.auto_create_missing_groups) {
      const problem = groupNameProblem(value);
      if (problem !== undefined) problems.push(`${shownValue(value)} can't be a group name: ${problem}; not auto-created`);
      else create.set(value, { kind: "autoCreate", field: settings.field, value: raw });
    } else {
      problems.push(`no group named "${value}" in this organization, and auto_create_missing_groups is off`);
    }
  }
  return { status: "expected", groups, create, problems };
}

export function expectedRoles(
  settings: RoleSyncSettings,
  claims: Record<string, unknown>,
  known: ReadonlySet<string>,
): Outcome<{ roles: Map<string, Rule> }> {
  if (settings.field === "") return { status: "disabled" };
  const parsed = claimValues(claims, settings.field);
  if (!parsed.ok) return { status: "skipped", problems: [parsed.problem] };
  const roles = new Map<string, Rule>();
  const problems: string[] = [];
  for (const value of parsed.values) {
    const mapped = settings.mapping?.[value];
    const candidates: [string, Rule][] = mapped
      ? mapped.map((r) => [r, { kind: "mapping", field: settings.field, value }])
      : [[value, { kind: "name", field: settings.field, value }]];
    for (const [role, rule] of candidates) {
      if (role === IMPLICIT_MEMBER_ROLE) continue;
      if ((SITE_ROLES as readonly string[]).includes(role)) problems.push(`"${role}" is a site role: sync never grants it`);
      else if (!known.has(role)) problems.push(`unknown organization role "${role}" (from "${value}")`);
      else if (!roles.has(role)) roles.set(role, rule);
    }
  }
  return { status: "expected", roles, problems };
}
