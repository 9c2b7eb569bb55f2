import { z } from "zod";
import type { Prisma } from "../generated/prisma/client";
import type { GroupSyncSettings, RoleSyncSettings } from "./expected";

/**
 * Group and role sync settings, per organization, keyed as Coder keys them
 * (`<orgId>:group-sync-settings`, `<orgId>:role-sync-settings`); absent → sync off for that org.
 */

export const groupSettingsKey = (orgId: string) => `${orgId}:group-sync-settings`;
export const roleSettingsKey = (orgId: string) => `${orgId}:role-sync-settings`;

export const DEFAULT_GROUP_SYNC: GroupSyncSettings = { field: "", mapping: null, regex_filter: null, auto_create_missing_groups: false };
export const DEFAULT_ROLE_SYNC: RoleSyncSettings = { field: "", mapping: null };

const mapping = z.record(z.string(), z.array(z.string())).nullable();

export const groupSyncSettingsSchema = z.object({
  field: z.string(),
  mapping,
  regex_filter: z.string().nullable(),
  auto_create_missing_groups: z.boolean(),
  legacy_group_name_mapping: z.record(z.string(), z.string()).optional(),
});

export const roleSyncSettingsSchema = z.object({ field: z.string(), mapping });

export function parseGroupSyncSettings(value: unknown): GroupSyncSettings {
  const raw = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const r = groupSyncSettingsSchema.safeParse({ ...DEFAULT_GROUP_SYNC, ...raw });
  return r.success ? r.data : DEFAULT_GROUP_SYNC;
}

export function parseRoleSyncSettings(value: unknown): RoleSyncSettings {
  const raw = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const r = roleSyncSettingsSchema.safeParse({ ...DEFAULT_ROLE_SYNC, ...raw });
  return r.success ? r.data : DEFAULT_ROLE_SYNC;
}

export async function readOrgSyncSettings(db: Prisma.TransactionClient, orgIds: readonly string[]): Promise<Map<string, { groups: GroupSyncSettings; roles: RoleSyncSettings }>> {
  const keys = orgIds.flatMap((id) => [groupSettingsKey(id), roleSettingsKey(id)]);
  const rows = await db.syncSetting.findMany({ where: { key: { in: keys } } });
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  return new Map(
    orgIds.map((id) => [
      id,
      {
        groups: byKey.has(groupSettingsKey(id)) ? parseGroupSyncSettings(byKey.get(groupSettingsKey(id))) : DEFAULT_GROUP_SYNC,
        roles: byKey.has(roleSettingsKey(id)) ? parseRoleSyncSettings(byKey.get(roleSettingsKey(id))) : DEFAULT_ROLE_SYNC,
      },
    ]),
  );
}
