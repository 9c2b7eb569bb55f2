import { z } from "zod";

/**
 * The request bodies of Coder's IdP sync settings API (`PATCH …/settings/idpsync/…`), shared by the
 * routes that save them and by a resync that previews unsaved ("candidate") settings, so both accept
 * and default exactly the same JSON.
 */

export const targetsSchema = z.record(z.string(), z.array(z.string()));

export const organizationBody = z.object({ field: z.string(), mapping: targetsSchema.default({}), organization_assign_default: z.boolean().default(true) });

export const groupsBody = z.object({
  field: z.string(),
  mapping: targetsSchema.nullable().default(null),
  regex_filter: z.string().nullable().default(null),
  auto_create_missing_groups: z.boolean().default(false),
  legacy_group_name_mapping: z.record(z.string(), z.string()).optional(),
});

export const rolesBody = z.object({ field: z.string(), mapping: targetsSchema.nullable().default(null) });

/**
 * Candidate settings for a preview: any of the organization settings and, per organization (id or
 * name), its group and/or role settings. What is not given is taken as saved.
 */
export const candidateSettingsSchema = z
  .object({
    organization: organizationBody.optional(),
    organizations: z
      .record(z.string().min(1), z.object({ groups: groupsBody.optional(), roles: rolesBody.optional() }).strict())
      .optional(),
  })
  .strict();

export type CandidateSettings = z.infer<typeof candidateSettingsSchema>;
