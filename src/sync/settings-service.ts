import { Prisma, type PrismaClient } from "../generated/prisma/client";
import { recordAudit } from "../directory/audit";
import { DirectoryError, notFound } from "../directory/errors";
import { isUuid } from "../directory/prisma-errors";
import type { GroupSyncSettings, RoleSyncSettings } from "./expected";
import { patchMapping, type MappingPair } from "./mapping-patch";
import { resolveCandidate } from "./candidate";
import type { CandidateSettings } from "./settings-bodies";
import { groupSettingsProblems, organizationMappingProblems, roleSettingsProblems } from "./settings-checks";
import { ORGANIZATION_SYNC_KEY, readOrganizationSyncSettings, type OrganizationSyncSettings } from "./organization-settings";
import { groupSettingsKey, readOrgSyncSettings, roleSettingsKey } from "./org-settings-store";

/**
 * The IdP sync settings behind Coder's `/settings/idpsync/…` API: read, replace, patch the config or
 * the mapping; mapping targets and patterns are validated on save (400 naming every bad entry, where
 * Coder accepts anything), and every change is audited with its before and after. A change applies
 * to each user at that user's next write, and to everyone through a reconciliation run.
 */

type Tx = Prisma.TransactionClient;
export interface MappingChange {
  add?: MappingPair[] | undefined;
  remove?: MappingPair[] | undefined;
}

function invalid(what: string, problems: string[]): DirectoryError {
  return new DirectoryError("invalid", `${what}: ${problems.join("; ")}`);
}

async function save(tx: Tx, key: string, value: object, before: object, actor: string, kind: string): Promise<void> {
  await tx.syncSetting.upsert({ where: { key }, create: { key, value: value as Prisma.InputJsonObject }, update: { value: value as Prisma.InputJsonObject } });
  await recordAudit(tx, { actor, action: `settings.${kind}.updated`, resourceType: "sync_settings", resourceId: key, details: { before, after: value } as Prisma.InputJsonObject });
}

export function createSyncSettings(prisma: PrismaClient) {
  async function organization(idOrName: string): Promise<{ id: string; name: string }> {
    const org = await prisma.organization.findFirst({ where: isUuid(idOrName) ? { id: idOrName } : { name: idOrName }, select: { id: true, name: true } });
    if (!org) throw notFound(`organization ${idOrName}`);
    return org;
  }

  async function checkOrganizationMapping(tx: Tx, mapping: Record<string, string[]>): Promise<void> {
    const bad = await organizationMappingProblems(tx, mapping);
    if (bad.length) throw invalid("mapping", bad.map((p) => p.message));
  }

  async function checkGroupSettings(tx: Tx, orgId: string, s: GroupSyncSettings): Promise<void> {
    const problems = await groupSettingsProblems(tx, orgId, s);
    if (problems.length) throw invalid("group sync settings", problems.map((p) => p.message));
  }

  function checkRoleSettings(s: RoleSyncSettings): void {
    const problems = roleSettingsProblems(s);
    if (problems.length) throw invalid("role sync settings", problems.map((p) => p.message));
  }

  async function perOrg(orgId: string) {
    return (await readOrgSyncSettings(prisma, [orgId])).get(orgId)!;
  }

  return {
    getOrganization: (): Promise<OrganizationSyncSettings> => readOrganizationSyncSettings(prisma),

    async putOrganization(next: OrganizationSyncSettings, actor: string): Promise<OrganizationSyncSettings> {
      return prisma.$transaction(async (tx) => {
        await checkOrganizationMapping(tx, next.mapping);
        await save(tx, ORGANIZATION_SYNC_KEY, next, await readOrganizationSyncSettings(tx), actor, "organization_sync");
        return next;
      });
    },

    async patchOrganizationConfig(c: { field: string; assign_default: boolean }, actor: string) {
      const current = await readOrganizationSyncSettings(prisma);
      return this.putOrganization({ ...current, field: c.field, organization_assign_default: c.assign_default }, actor);
    },

    async patchOrganizationMapping(change: MappingChange, actor: string) {
      const current = await readOrganizationSyncSettings(prisma);
      return this.putOrganization({ ...current, mapping: patchMapping(current.mapping, change) }, actor);
    },

    getGroups: async (org: string) => (await perOrg((await organization(org)).id)).groups,

    async putGroups(org: string, next: GroupSyncSettings, actor: string): Promise<GroupSyncSettings> {
      const { id } = await organization(org);
      return prisma.$transaction(async (tx) => {
        await checkGroupSettings(tx, id, next);
        await save(tx, groupSettingsKey(id), next, (await readOrgSyncSettings(tx, [id])).get(id)!.groups, actor, "group_sync");
        return next;
      });
    },

    async patchGroupsConfig(org: string, c: { field: string; regex_filter: string | null; auto_create_missing_groups: boolean }, actor: string) {
      const current = await this.getGroups(org);
      return this.putGroups(org, { ...current, ...c }, actor);
    },

    async patchGroupsMapping(org: string, change: MappingChange, actor: string) {
      const current = await this.getGroups(org);
      return this.putGroups(org, { ...current, mapping: patchMapping(current.mapping, change) }, actor);
    },

    getRoles: async (org: string) => (await perOrg((await organization(org)).id)).roles,

    async putRoles(org: string, next: RoleSyncSettings, actor: string): Promise<RoleSyncSettings> {
      const { id } = await organization(org);
      checkRoleSettings(next);
      return prisma.$transaction(async (tx) => {
        await save(tx, roleSettingsKey(id), next, (await readOrgSyncSettings(tx, [id])).get(id)!.roles, actor, "role_sync");
        return next;
      });
    },

    async patchRolesConfig(org: string, c: { field: string }, actor: string) {
      return this.putRoles(org, { ...(await this.getRoles(org)), field: c.field }, actor);
    },

    async patchRolesMapping(org: string, change: MappingChange, actor: string) {
      const current = await this.getRoles(org);
      return this.putRoles(org, { ...current, mapping: patchMapping(current.mapping, change) }, actor);
    },

    /**
     * Every saved setting in the shape of a preview's candidate settings (`sync get`): organization
     * settings, and group and role settings keyed by organization name.
     */
    async getAll(): Promise<Required<CandidateSettings>> {
      const orgs = await prisma.organization.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
      const per = await readOrgSyncSettings(prisma, orgs.map((o) => o.id));
      return { organization: await readOrganizationSyncSettings(prisma), organizations: Object.fromEntries(orgs.map((o) => [o.name, per.get(o.id)!])) };
    },

    /**
     * Saves candidate settings (`sync set`): checked as one (a 400 naming each bad field, nothing
     * saved), then every part saved and audited in one transaction. Returns what was saved, by name.
     */
    async saveAll(candidate: CandidateSettings, actor: string): Promise<string[]> {
      return prisma.$transaction(async (tx) => {
        const c = await resolveCandidate(tx, candidate, "");
        const saved: string[] = [];
        if (c.organization) {
          await save(tx, ORGANIZATION_SYNC_KEY, c.organization, await readOrganizationSyncSettings(tx), actor, "organization_sync");
          saved.push("organization");
        }
        const before = await readOrgSyncSettings(tx, c.organizations.map((o) => o.id));
        for (const o of c.organizations) {
          if (o.groups) await save(tx, groupSettingsKey(o.id), o.groups, before.get(o.id)!.groups, actor, "group_sync");
          if (o.roles) await save(tx, roleSettingsKey(o.id), o.roles, before.get(o.id)!.roles, actor, "role_sync");
          saved.push(...(o.groups ? [`org ${o.name} groups`] : []), ...(o.roles ? [`org ${o.name} roles`] : []));
        }
        return saved;
      });
    },

    /** Claim names seen on users (all, or one organization's members), from the stored claims. */
    async availableFields(org?: string): Promise<string[]> {
      const orgId = org === undefined ? undefined : (await organization(org)).id;
      const rows = orgId
        ? await prisma.$queryRaw<{ k: string }[]>`SELECT DISTINCT jsonb_object_keys(u.claims) AS k FROM users u JOIN organization_members m ON m.user_id = u.id WHERE m.organization_id = ${orgId}::uuid ORDER BY 1`
        : await prisma.$queryRaw<{ k: string }[]>`SELECT DISTINCT jsonb_object_keys(claims) AS k FROM users ORDER BY 1`;
      return rows.map((r) => r.k);
    },

    /** The distinct values of one claim (strings and array elements), at most 1,000. */
    async fieldValues(field: string, org?: string): Promise<string[]> {
      const orgId = org === undefined ? undefined : (await organization(org)).id;
      const values = (claims: Prisma.Sql) => prisma.$queryRaw<{ v: string }[]>`
        SELECT DISTINCT v FROM (${claims}) c, jsonb_array_elements_text(
          CASE jsonb_typeof(c.claims->${field}) WHEN 'array' THEN c.claims->${field}
               WHEN 'string' THEN jsonb_build_array(c.claims->${field}) ELSE '[]'::jsonb END) AS v
        ORDER BY 1 LIMIT 1000`;
      const rows = orgId
        ? await values(Prisma.sql`SELECT u.claims FROM users u JOIN organization_members m ON m.user_id = u.id WHERE m.organization_id = ${orgId}::uuid`)
        : await values(Prisma.sql`SELECT claims FROM users`);
      return rows.map((r) => r.v);
    },
  };
}

export type SyncSettings = ReturnType<typeof createSyncSettings>;
