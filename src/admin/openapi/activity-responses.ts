import { z } from "zod";
import type { WebhookView } from "../../events/webhook-service";
import type { RunView } from "../../reconcile/store";
import { time, type Same } from "./responses";

/**
 * The answers of the admin API's activity routes as zod schemas: reconciliation runs, webhooks and
 * their deliveries, the events feed and the audit log (the rest, and how these are checked, in
 * ./responses.ts).
 */

const runFields = {
  id: z.uuid(),
  kind: z.string().describe("`resync` or `import`."),
  status: z.enum(["running", "completed", "failed"]),
  dry_run: z.boolean(),
  started_by: z.string(),
  parameters: z.unknown().describe("The request that started the run, without an import's data."),
  summary: z.strictObject({
    users_total: z.number().int(),
    users_scanned: z.number().int(),
    users_changed: z.number().int(),
    changes: z.number().int(),
    problems: z.number().int(),
    errors: z.number().int(),
  }),
  plan_digest: z.string().nullable().describe("Identifies a dry run's plan; an apply of it checks nothing changed since."),
  source_run_id: z.uuid().nullable().describe("The dry run an apply was made from."),
  error: z.string().nullable(),
  created_at: time,
  updated_at: time,
  finished_at: time.nullable(),
};

export const runSchema = z.strictObject(runFields).meta({ id: "ReconciliationRun" });
const runSame: Same<z.output<typeof runSchema>, RunView> = true;

export const runListSchema = z.strictObject({ runs: z.array(runSchema), count: z.number().int() }).meta({ id: "ReconciliationRunList" });

export const runReportSchema = z
  .strictObject({
    ...runFields,
    consequences: z
      .array(z.looseObject({}))
      .optional()
      .describe("The run's effects in a few lines (on the first page, offset 0)."),
    items: z.array(
      z
        .looseObject({ kind: z.enum(["change", "problem", "error"]), dimension: z.string(), action: z.string() })
        .describe("One report line; its other fields depend on the kind and dimension (user_id, username, organization_id, group_id, group_name, role, rule, claim, …)."),
    ),
    items_count: z.number().int(),
    offset: z.number().int(),
    limit: z.number().int(),
  })
  .meta({ id: "ReconciliationReport", description: "A run with one page of its report lines." });

const webhookFields = {
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()).describe('Subscribed event types; `["*"]`: every type.'),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  created_by: z.string(),
  created_at: time,
  updated_at: time,
  pending_deliveries: z.number().int().describe("Deliveries waiting, including ones in their retry delay."),
  failed_deliveries: z.number().int().describe("Deliveries that failed every attempt, until sent again (redeliver) or deleted after WEBHOOK_RETENTION."),
  last_failure: z
    .strictObject({ at: time, status_code: z.number().int().nullable().describe("The receiver's HTTP status; null when none came (refused, timeout, connection error)."), error: z.string() })
    .nullable()
    .describe("The endpoint's latest failed attempt, of any delivery (also one that later succeeded or that WEBHOOK_RETENTION deleted since); null if none ever failed."),
};

export const webhookSchema = z.strictObject(webhookFields).meta({ id: "Webhook" });
const webhookSame: Same<z.output<typeof webhookSchema>, WebhookView> = true;

export const webhookWithSecretSchema = z
  .strictObject({ ...webhookFields, secret: z.string().describe("The signing secret (`whsec_…`), shown this once.") })
  .meta({ id: "WebhookWithSecret" });

export const webhookListSchema = z.strictObject({ webhooks: z.array(webhookSchema) }).meta({ id: "WebhookList" });

export const deliverySchema = z
  .strictObject({
    id: z.uuid(),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    next_attempt_at: time.nullable(),
    created_at: time,
    finished_at: time.nullable(),
    attempt_log: z.array(
      z.strictObject({ attempt: z.number().int(), at: time, status_code: z.number().int().nullable(), duration_ms: z.number().int(), error: z.string().nullable() }),
    ),
  })
  .meta({ id: "WebhookDelivery" });

export const deliveryListSchema = z.strictObject({ count: z.number().int(), deliveries: z.array(deliverySchema) }).meta({ id: "WebhookDeliveryList" });

export const redeliveredSchema = z.strictObject({ redelivered: z.number().int().describe("Failed deliveries queued again.") }).meta({ id: "Redelivered" });

export const eventsPageSchema = z
  .strictObject({
    events: z.array(z.looseObject({ id: z.string(), type: z.string(), timestamp: time, data: z.unknown() })),
    next_cursor: z.string().describe("Pass as `after` to read on; never skips an event."),
    has_more: z.boolean(),
  })
  .meta({ id: "EventsPage", description: "A page of the events feed: the webhook payloads, in commit order." });

export const auditPageSchema = z
  .strictObject({
    count: z.number().int(),
    audit_logs: z.array(
      z.strictObject({
        id: z.uuid(),
        time,
        actor: z.string(),
        action: z.string(),
        resource_type: z.string(),
        resource_id: z.string().nullable(),
        user_id: z.uuid().nullable(),
        details: z.unknown(),
      }),
    ),
  })
  .meta({ id: "AuditPage" });

// The compile-time checks above, referenced so that no linter takes them for dead code.
export const ACTIVITY_TYPES_MATCH = [runSame, webhookSame] as const;
