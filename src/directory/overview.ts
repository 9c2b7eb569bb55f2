import type { PrismaClient } from "../generated/prisma/client";
import type { SqlRunner } from "../db/database";
import { listWebhooks, type WebhookView } from "../events/webhook-service";
import { RUN_COLUMNS, runView, type RunView } from "../reconcile/store";

/**
 * `GET /api/v2/overview`: the console's first page in one answer. A handful of statements, each an
 * index-only or indexed read whatever the size of the directory and of the audit log: counts by user
 * status (users_status_idx), SCIM writes per token and sync problems over the last 24 hours (the audit
 * log's (action, created_at, actor) index: a range per action), the webhook endpoints with their health
 * exactly as `GET /webhooks` computes it (src/events/webhook-service.ts: the queues counted on
 * webhook_deliveries' (endpoint_id, status, event_seq) index, the last failure stored on the endpoint)
 * and the latest reconciliation run. Nothing is stored per request for this: writes are counted from
 * the audit rows the writes made anyway.
 */

/** The audit actions of a SCIM write (one row per request that changed something). */
export const SCIM_WRITE_ACTIONS = [
  "user.created",
  "user.replaced",
  "user.patched",
  "user.deleted",
  "user.reprovisioned",
  "idp_group.created",
  "idp_group.replaced",
  "idp_group.patched",
  "idp_group.deleted",
] as const;

/** How many recent sync problems the overview lists (their count is of all in the window). */
const RECENT_PROBLEMS = 5;
const WINDOW_MS = 24 * 60 * 60 * 1000;

export interface Overview {
  generated_at: string;
  since: string;
  users: { total: number; active: number; dormant: number; suspended: number };
  groups: number;
  idp_groups: number;
  organizations: number;
  scim_tokens: { id: string; name: string; last_used_at: string | null; revoked_at: string | null; writes_24h: number }[];
  sync_problems: {
    count_24h: number;
    recent: { id: string; time: string; user_id: string | null; username: string | null; dimension: string | null; organization_id: string | null; problem: string }[];
  };
  webhooks: Pick<WebhookView, "id" | "url" | "description" | "enabled" | "disabled_reason" | "pending_deliveries" | "failed_deliveries" | "last_failure">[];
  last_reconciliation: RunView | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const num = (v: string | number | bigint): number => Number(v);

export function createOverview(prisma: PrismaClient, sql: SqlRunner) {
  return {
    async get(now = new Date()): Promise<Overview> {
      const since = new Date(now.getTime() - WINDOW_MS);
      // Independent reads: sent together (on PostgreSQL each on its own pooled connection).
      const [[counts], tokens, problems, webhooks, run] = await Promise.all([
        // One pass over users (users_status_idx) for the total and each status.
        sql.query<Record<"total" | "active" | "dormant" | "suspended" | "groups" | "idp_groups" | "organizations" | "problems", string>>(
          `SELECT u.total, u.active, u.dormant, u.suspended,
                  (SELECT count(*) FROM groups) AS groups,
                  (SELECT count(*) FROM idp_groups) AS idp_groups,
                  (SELECT count(*) FROM organizations) AS organizations,
                  (SELECT count(*) FROM audit_events WHERE action = 'sync.problem' AND created_at >= $1) AS problems
             FROM (SELECT count(*) AS total,
                          count(*) FILTER (WHERE status = 'active') AS active,
                          count(*) FILTER (WHERE status = 'dormant') AS dormant,
                          count(*) FILTER (WHERE status = 'suspended') AS suspended
                     FROM users) u`,
          [since],
        ),
        // Tokens revoked within the window are still listed: their last writes are in it.
        sql.query<{ id: string; name: string; last_used_at: Date | null; revoked_at: Date | null; writes: string }>(
          `SELECT t.id, t.name, t.last_used_at, t.revoked_at, COALESCE(w.writes, 0) AS writes
             FROM api_tokens t
             LEFT JOIN (SELECT actor, count(*) AS writes FROM audit_events
                         WHERE action = ANY($2::text[]) AND created_at >= $1 GROUP BY actor) w ON w.actor = t.name
            WHERE t.scope = 'scim' AND (t.revoked_at IS NULL OR t.revoked_at >= $1)
            ORDER BY t.name`,
          [since, SCIM_WRITE_ACTIONS],
        ),
        sql.query<{ id: string; created_at: Date; user_id: string | null; username: string | null; details: Record<string, unknown> }>(
          `SELECT a.id, a.created_at, a.user_id, u.username, a.details
             FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
            WHERE a.action = 'sync.problem' AND a.created_at >= $1
            ORDER BY a.created_at DESC, a.id DESC LIMIT ${RECENT_PROBLEMS}`,
          [since],
        ),
        // Each endpoint's health as the Webhooks page shows it (one place computes it).
        listWebhooks(prisma),
        prisma.reconciliationRun.findFirst({ select: RUN_COLUMNS, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
      ]);
      const c = counts!;
      return {
        generated_at: now.toISOString(),
        since: since.toISOString(),
        users: { total: num(c.total), active: num(c.active), dormant: num(c.dormant), suspended: num(c.suspended) },
        groups: num(c.groups),
        idp_groups: num(c.idp_groups),
        organizations: num(c.organizations),
        scim_tokens: tokens.map((t) => ({ id: t.id, name: t.name, last_used_at: iso(t.last_used_at), revoked_at: iso(t.revoked_at), writes_24h: num(t.writes) })),
        sync_problems: {
          count_24h: num(c.problems),
          recent: problems.map((p) => ({
            id: p.id,
            time: p.created_at.toISOString(),
            user_id: p.user_id,
            username: p.username,
            dimension: typeof p.details.dimension === "string" ? p.details.dimension : null,
            organization_id: typeof p.details.organization_id === "string" ? p.details.organization_id : null,
            problem: typeof p.details.problem === "string" ? p.details.problem : "",
          })),
        },
        webhooks: webhooks.map((w) => ({
          id: w.id,
          url: w.url,
          description: w.description,
          enabled: w.enabled,
          disabled_reason: w.disabled_reason,
          pending_deliveries: w.pending_deliveries,
          failed_deliveries: w.failed_deliveries,
          last_failure: w.last_failure,
        })),
        last_reconciliation: run === null ? null : runView(run),
      };
    },
  };
}

export type AdminOverview = ReturnType<typeof createOverview>;
