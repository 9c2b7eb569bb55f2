import { z } from "zod";
import type { Overview } from "../../directory/overview";
import { runSchema, webhookSchema } from "./activity-responses";
import { time, type Same } from "./responses";

/** The answer of `GET /api/v2/overview` (how response schemas are checked: ./responses.ts). */

export const overviewSchema = z
  .strictObject({
    generated_at: time,
    since: time.describe("Start of the 24-hour window of `writes_24h` and `sync_problems`."),
    users: z.strictObject({ total: z.number().int(), active: z.number().int(), dormant: z.number().int(), suspended: z.number().int() }),
    groups: z.number().int().describe("Application groups, Everyone groups included."),
    idp_groups: z.number().int().describe("SCIM groups the IdPs pushed."),
    organizations: z.number().int(),
    scim_tokens: z
      .array(
        z.strictObject({
          id: z.uuid(),
          name: z.string(),
          last_used_at: time.nullable().describe("The token's last request (written at most once a minute)."),
          revoked_at: time.nullable(),
          writes_24h: z.number().int().describe("SCIM writes that changed something (user and group creates, replaces, patches, deletes), counted from the audit log."),
        }),
      )
      .describe("Every SCIM token not revoked before the window, by name."),
    sync_problems: z.strictObject({
      count_24h: z.number().int(),
      recent: z
        .array(
          z.strictObject({
            id: z.uuid().describe("The audit row."),
            time,
            user_id: z.uuid().nullable(),
            username: z.string().nullable(),
            dimension: z.string().nullable(),
            organization_id: z.string().nullable(),
            problem: z.string(),
          }),
        )
        .describe("The latest five, newest first."),
    }),
    webhooks: z
      .array(webhookSchema.pick({ id: true, url: true, description: true, enabled: true, disabled_reason: true, pending_deliveries: true, failed_deliveries: true, last_failure: true }))
      .describe("Every endpoint with its health, as `GET /webhooks` shows it."),
    last_reconciliation: runSchema.nullable(),
  })
  .meta({ id: "Overview", description: "The directory, the IdPs' activity, sync problems, webhook queues and the latest reconciliation run, in one answer." });
const overviewSame: Same<z.output<typeof overviewSchema>, Overview> = true;

// The compile-time check above, referenced so that no linter takes it for dead code.
export const OVERVIEW_TYPES_MATCH = [overviewSame] as const;
