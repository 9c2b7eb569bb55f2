import { z } from "zod";
import type { Prisma } from "../generated/prisma/client";

/**
 * Organization sync settings (deployment-wide), stored as Coder stores them: key
 * `organization-sync-settings`, the seed API's JSON as value. Until an admin saves them, Coder's
 * defaults apply: no field (mapping off) and `organization_assign_default: true`, so provisioned
 * users join the default organization.
 */

export const ORGANIZATION_SYNC_KEY = "organization-sync-settings";

export const organizationSyncSettingsSchema = z.object({
  field: z.string(),
  mapping: z.record(z.string(), z.array(z.string())),
  organization_assign_default: z.boolean(),
});

export type OrganizationSyncSettings = z.infer<typeof organizationSyncSettingsSchema>;

export const DEFAULT_ORGANIZATION_SYNC: OrganizationSyncSettings = { field: "", mapping: {}, organization_assign_default: true };

/** Reads stored JSON, accepting Coder's older spellings of assign-default (`assign_default`, `AssignDefault`). */
export function parseOrganizationSyncSettings(value: unknown): OrganizationSyncSettings {
  const raw = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const assign = raw.organization_assign_default ?? raw.assign_default ?? raw.AssignDefault;
  const parsed = organizationSyncSettingsSchema.safeParse({
    field: raw.field ?? "",
    mapping: raw.mapping ?? {},
    organization_assign_default: assign ?? true,
  });
  return parsed.success ? parsed.data : DEFAULT_ORGANIZATION_SYNC;
}

export async function readOrganizationSyncSettings(db: Prisma.TransactionClient): Promise<OrganizationSyncSettings> {
  const row = await db.syncSetting.findUnique({ where: { key: ORGANIZATION_SYNC_KEY } });
  return row ? parseOrganizationSyncSettings(row.value) : DEFAULT_ORGANIZATION_SYNC;
}
