import { z } from "zod";
import { candidateSettingsSchema } from "../sync/settings-bodies";

/**
 * What `POST /api/v2/reconciliations` and `scim-bridge reconcile` accept. A dry run is the default:
 * nothing changes unless the caller says `dry_run: false`.
 */

const common = {
  dry_run: z.boolean().default(true),
  /** Users per batch (one transaction each when applying). */
  batch_size: z.number().int().min(1).max(5000).default(500),
};

export const resyncRequestSchema = z
  .object({
    kind: z.literal("resync"),
    ...common,
    /** Only changes in this organization (id or name). */
    organization: z.string().min(1).max(200).optional(),
    /** Only users matching this SCIM filter, e.g. `emails.value ew "@sales.example.com"`. */
    filter: z.string().min(1).max(4000).optional(),
    /**
     * A preview of unsaved settings (dry runs only): organization settings and, per organization (id
     * or name), group and/or role settings, as their PATCH routes take them; the rest as saved.
     */
    settings: candidateSettingsSchema.optional(),
  })
  .strict();

export const importRequestSchema = z
  .object({
    kind: z.literal("import"),
    ...common,
    format: z.enum(["json", "csv"]).default("json"),
    /** The export: a JSON document (see README) or CSV text. */
    data: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]),
    /**
     * `merge` (default): set only the attributes the export carries (a CSV's non-empty cells, a JSON
     * resource's present attributes), leave the rest. `replace`: each matched resource becomes the
     * exported one; what the export lacks is cleared (the preview lists every clear).
     */
    mode: z.enum(["merge", "replace"]).default("merge"),
    /** Suspend provisioned users absent from the export (otherwise they are only reported). */
    suspend_missing: z.boolean().default(false),
    /** Needed to suspend more than the configured share of users in one import. */
    allow_mass_suspend: z.boolean().default(false),
  })
  .strict();

export const reconciliationRequestSchema = z.discriminatedUnion("kind", [resyncRequestSchema, importRequestSchema]);

export type ResyncRequest = z.infer<typeof resyncRequestSchema>;
export type ImportRequest = z.infer<typeof importRequestSchema>;
export type ReconciliationRequest = z.infer<typeof reconciliationRequestSchema>;

/** The parameters stored with a run and shown back: the request without the import data. */
export function storedParameters(req: ReconciliationRequest): Record<string, unknown> {
  if (req.kind === "resync") return { ...req };
  const { data: _data, ...rest } = req;
  return rest;
}
