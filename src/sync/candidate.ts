import type { Prisma } from "../generated/prisma/client";
import { DirectoryError, type FieldProblem } from "../directory/errors";
import { isUuid } from "../directory/prisma-errors";
import type { GroupSyncSettings, RoleSyncSettings } from "./expected";
import { parseOrganizationSyncSettings, readOrganizationSyncSettings, type OrganizationSyncSettings } from "./organization-settings";
import { parseGroupSyncSettings, parseRoleSyncSettings, readOrgSyncSettings } from "./org-settings-store";
import type { CandidateSettings } from "./settings-bodies";
import { groupSettingsProblems, organizationMappingProblems, roleSettingsProblems } from "./settings-checks";

/**
 * Candidate (unsaved) IdP sync settings: checked exactly as saving checks them, turned into overrides
 * of the saved settings for `loadSyncContext`, and compared with the saved settings when a preview of
 * them is applied. Candidates are read through the same parsers as stored settings, so a preview sees
 * what the planner would see once they are saved.
 */

type Tx = Prisma.TransactionClient;

/** Settings that replace the saved ones in a sync context (the rest is read as saved). */
export interface SettingsOverrides {
  organization?: OrganizationSyncSettings;
  perOrganization?: ReadonlyMap<string, { groups?: GroupSyncSettings; roles?: RoleSyncSettings }>;
}

export interface ResolvedOrganization {
  /** As the candidate names it (id or name). */
  key: string;
  id: string;
  name: string;
  groups?: GroupSyncSettings;
  roles?: RoleSyncSettings;
}

export interface ResolvedCandidate {
  organization?: OrganizationSyncSettings;
  organizations: ResolvedOrganization[];
}

async function findOrganizations(tx: Tx, keys: readonly string[]): Promise<Map<string, { id: string; name: string }>> {
  const rows = await tx.organization.findMany({ where: { OR: [{ id: { in: keys.filter(isUuid) } }, { name: { in: [...keys] } }] }, select: { id: true, name: true } });
  const found = new Map<string, { id: string; name: string }>();
  for (const key of keys) {
    const org = rows.find((o) => o.id === key) ?? rows.find((o) => o.name === key);
    if (org) found.set(key, org);
  }
  return found;
}

/**
 * Resolves the candidate's organizations and checks every part as saving would. Invalid: a 400 whose
 * `validations` name each bad field under `under` (e.g. `settings.organizations.acme.groups.mapping`).
 */
export async function resolveCandidate(tx: Tx, candidate: CandidateSettings, under = "settings"): Promise<ResolvedCandidate> {
  const prefix = under === "" ? "" : `${under}.`;
  const problems: FieldProblem[] = [];
  const add = (path: string, list: { field: string; message: string }[]) => list.forEach((p) => problems.push({ field: `${path}.${p.field}`, detail: p.message }));
  if (candidate.organization) add(`${prefix}organization`, await organizationMappingProblems(tx, candidate.organization.mapping));
  const entries = Object.entries(candidate.organizations ?? {});
  const orgs = await findOrganizations(tx, entries.map(([key]) => key));
  const seen = new Map<string, string>();
  const organizations: ResolvedOrganization[] = [];
  for (const [key, parts] of entries) {
    const path = `${prefix}organizations.${key}`;
    const org = orgs.get(key);
    if (!org) {
      problems.push({ field: path, detail: `organization ${JSON.stringify(key)} does not exist` });
      continue;
    }
    if (seen.has(org.id)) problems.push({ field: path, detail: `names the same organization as ${JSON.stringify(seen.get(org.id))}` });
    seen.set(org.id, key);
    if (parts.groups) add(`${path}.groups`, await groupSettingsProblems(tx, org.id, parts.groups));
    if (parts.roles) add(`${path}.roles`, roleSettingsProblems(parts.roles));
    organizations.push({
      key,
      ...org,
      ...(parts.groups ? { groups: parseGroupSyncSettings(parts.groups) } : {}),
      ...(parts.roles ? { roles: parseRoleSyncSettings(parts.roles) } : {}),
    });
  }
  if (problems.length > 0) {
    throw new DirectoryError("invalid", `candidate settings are not valid: ${problems.map((p) => `${p.field}: ${p.detail}`).join("; ")}`, problems);
  }
  return { ...(candidate.organization ? { organization: parseOrganizationSyncSettings(candidate.organization) } : {}), organizations };
}

export function overridesOf(c: ResolvedCandidate): SettingsOverrides {
  return {
    ...(c.organization ? { organization: c.organization } : {}),
    perOrganization: new Map(c.organizations.map((o) => [o.id, { ...(o.groups ? { groups: o.groups } : {}), ...(o.roles ? { roles: o.roles } : {}) }])),
  };
}

/** JSON with object keys sorted and mapping targets as sets (their order means nothing to sync). */
function canonical(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.every((x) => typeof x === "string") ? [...new Set(v as string[])].sort() : v.map(norm);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, norm(x)]));
    return v;
  };
  return JSON.stringify(norm(value));
}

/**
 * Which parts of a (stored, unvalidated) candidate differ from the saved settings, as people name them:
 * `organization`, `org acme groups`, `org acme roles` (empty: the candidate is what is saved).
 */
export async function candidateDifferences(tx: Tx, candidate: CandidateSettings): Promise<string[]> {
  const differs: string[] = [];
  if (candidate.organization && canonical(parseOrganizationSyncSettings(candidate.organization)) !== canonical(await readOrganizationSyncSettings(tx))) differs.push("organization");
  const entries = Object.entries(candidate.organizations ?? {});
  const orgs = await findOrganizations(tx, entries.map(([key]) => key));
  const saved = await readOrgSyncSettings(tx, [...orgs.values()].map((o) => o.id));
  for (const [key, parts] of entries) {
    const org = orgs.get(key);
    if (!org) {
      differs.push(`org ${key} (no longer exists)`);
      continue;
    }
    const now = saved.get(org.id)!;
    if (parts.groups && canonical(parseGroupSyncSettings(parts.groups)) !== canonical(now.groups)) differs.push(`org ${org.name} groups`);
    if (parts.roles && canonical(parseRoleSyncSettings(parts.roles)) !== canonical(now.roles)) differs.push(`org ${org.name} roles`);
  }
  return differs;
}
