import type { Prisma } from "../generated/prisma/client";
import type { SettingsOverrides } from "./candidate";
import type { GroupSyncSettings, RoleSyncSettings } from "./expected";
import { readOrganizationSyncSettings, type OrganizationSyncSettings } from "./organization-settings";
import { readOrgSyncSettings } from "./org-settings-store";
import { compilePattern, type CompiledPattern } from "./pattern";

type Tx = Prisma.TransactionClient;

/** The groups of one organization, as group sync matches them (by id and by name). */
export interface OrganizationGroups {
  groupIdsByName: Map<string, string>;
  groupIds: Set<string>;
}

/**
 * Everything sync needs that does not depend on the user, loaded once per transaction (a SCIM
 * write) or per batch (a reconciliation).
 */
export interface SyncContext {
  organization: OrganizationSyncSettings;
  defaultOrganizationId: string;
  organizationIds: Set<string>;
  perOrganization: Map<string, { groups: GroupSyncSettings; roles: RoleSyncSettings }>;
  /** Each organization's group `regex_filter`, compiled once here rather than per user or claim value. */
  groupFilters: Map<string, CompiledPattern>;
  /** Groups of the organizations with group sync on (the only ones group sync looks up). */
  groups: Map<string, OrganizationGroups>;
  /** False when no dimension is enabled anywhere: syncing is then free. */
  enabled: boolean;
}

/**
 * `overrides` replace saved settings (a preview of candidate settings); they must have been checked
 * as saving checks them (`resolveCandidate`).
 */
export async function loadSyncContext(tx: Tx, overrides?: SettingsOverrides): Promise<SyncContext> {
  const organization = overrides?.organization ?? (await readOrganizationSyncSettings(tx));
  const orgs = await tx.organization.findMany({ select: { id: true, isDefault: true } });
  const perOrganization = await readOrgSyncSettings(tx, orgs.map((o) => o.id));
  for (const [id, o] of overrides?.perOrganization ?? []) {
    const saved = perOrganization.get(id);
    if (saved) perOrganization.set(id, { groups: o.groups ?? saved.groups, roles: o.roles ?? saved.roles });
  }
  const groupSynced = [...perOrganization].filter(([, s]) => s.groups.field !== "").map(([id]) => id);
  const enabled = organization.field !== "" || [...perOrganization.values()].some((s) => s.groups.field !== "" || s.roles.field !== "");
  const groups = new Map<string, OrganizationGroups>(groupSynced.map((id) => [id, { groupIdsByName: new Map(), groupIds: new Set() }]));
  if (groupSynced.length > 0) {
    const rows = await tx.group.findMany({ where: { organizationId: { in: groupSynced } }, select: { id: true, name: true, organizationId: true } });
    for (const g of rows) {
      const org = groups.get(g.organizationId)!;
      org.groupIdsByName.set(g.name, g.id);
      org.groupIds.add(g.id);
    }
  }
  const groupFilters = new Map<string, CompiledPattern>();
  for (const id of groupSynced) {
    const source = perOrganization.get(id)!.groups.regex_filter;
    if (source) groupFilters.set(id, compilePattern(source));
  }
  return {
    organization,
    defaultOrganizationId: orgs.find((o) => o.isDefault)?.id ?? "",
    organizationIds: new Set(orgs.map((o) => o.id)),
    perOrganization,
    groupFilters,
    groups,
    enabled,
  };
}
