import { z } from "zod";

/**
 * The admin API's answers as the CLI's client mode reads them (src/cli/http-backend.ts): checked at
 * the boundary, shaped as the services' own views (RunView, WebhookView, AdminUser, UserGrants), so
 * the commands print the same thing in both modes. Objects pass unknown fields through where the
 * command prints the whole answer as JSON (a newer bridge may add fields).
 */

const summary = z.object({ users_total: z.number(), users_scanned: z.number(), users_changed: z.number(), changes: z.number(), problems: z.number(), errors: z.number() });

export const runViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(["running", "completed", "failed"]),
  dry_run: z.boolean(),
  started_by: z.string(),
  parameters: z.unknown(),
  summary,
  plan_digest: z.string().nullable(),
  source_run_id: z.string().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});

export const runPageSchema = runViewSchema.extend({
  consequences: z.array(z.looseObject({ text: z.string() })).optional(),
  items: z.array(z.record(z.string(), z.unknown())),
  items_count: z.number(),
  offset: z.number(),
  limit: z.number(),
});

export const settingsSchema = z.object({ organization: z.unknown(), organizations: z.record(z.string(), z.unknown()) });

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  pending_deliveries: z.number(),
  // Defaults: a bridge before these fields answers without them.
  failed_deliveries: z.number().default(0),
  last_failure: z.object({ at: z.string(), status_code: z.number().nullable(), error: z.string() }).nullable().default(null),
});

export const deliverySchema = z.object({
  id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  status: z.string(),
  attempts: z.number(),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  attempt_log: z.array(z.object({ attempt: z.number(), at: z.string(), status_code: z.number().nullable(), duration_ms: z.number(), error: z.string().nullable() })),
});

export const adminUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  name: z.string(),
  avatar_url: z.string(),
  status: z.enum(["active", "dormant", "suspended"]),
  login_type: z.string(),
  organization_ids: z.array(z.string()),
  roles: z.array(z.object({ name: z.string(), display_name: z.string() })),
  created_at: z.string(),
  updated_at: z.string(),
  last_seen_at: z.string().nullable(),
});

const reason = z.object({ rule: z.string(), field: z.string().optional(), value: z.string().optional() });
const audit = z.object({ id: z.string(), time: z.string(), actor: z.string(), action: z.string() }).nullable();
const dimension = z.enum(["organization", "group", "role"]);
const grantBase = { reason: reason.nullable(), explained: z.boolean(), resync_removes: reason.nullable(), note: z.string().nullable(), audit };
const source = z.enum(["sync", "manual", "implicit"]);

export const userGrantsSchema = z.object({
  user_id: z.string(),
  username: z.string(),
  sync_enabled: z.boolean(),
  organizations: z.array(
    z.object({
      ...grantBase,
      organization_id: z.string(),
      organization_name: z.string(),
      source: z.enum(["sync", "manual"]).nullable(),
      groups: z.array(z.object({ ...grantBase, source, group_id: z.string(), group_name: z.string() })),
      roles: z.array(z.object({ ...grantBase, source, role: z.string() })),
    }),
  ),
  pending: z.array(
    z.object({
      dimension,
      organization_id: z.string(),
      organization_name: z.string(),
      group_id: z.string().nullable().optional(),
      group_name: z.string().optional(),
      role: z.string().optional(),
      reason,
    }),
  ),
  problems: z.array(z.object({ dimension, organization_id: z.string().nullable(), message: z.string() })),
});

export const eventsPageSchema = z.object({
  events: z.array(z.looseObject({ id: z.string(), type: z.string(), timestamp: z.string(), data: z.unknown() })),
  next_cursor: z.string(),
  has_more: z.boolean(),
});

const collidingUser = z.object({ id: z.string(), user_name: z.string(), username: z.string(), status: z.string(), created_at: z.string() });
const collidingGroup = z.object({ id: z.string(), display_name: z.string(), created_at: z.string() });

export const nameCollisionsSchema = z.object({
  users: z.array(z.object({ user: collidingUser, key_holder: collidingUser.nullable() })),
  groups: z.array(z.object({ group: collidingGroup, key_holder: collidingGroup.nullable() })),
});
