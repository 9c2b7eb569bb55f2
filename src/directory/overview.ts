import type { PrismaClient } from "../generated/prisma/client";
import type { SqlRunner } from "../db/database";
import { RUN_COLUMNS, runView, type RunView } from "../reconcile/store";

/**
 * `GET /api/v2/overview`: the console's first page in one answer. Four statements, each an index-only
 * or indexed read whatever the size of the directory and of the audit log: counts by user status
 * (users_status_idx), SCIM writes per token and sync problems over the last 24 hours (the audit log's
 * (action, created_at, actor) index: a range per action), the webhook queues (webhook_deliveries'
 * (endpoint_id, status, event_seq) index) and the latest reconciliation run. Nothing is stored per
 * request for this: writes are counted from the audit rows the writes made anyway.
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
  webhooks: {
    id: string;
    url: string;
    description: string;
    enabled: boolean;
    disabled_reason: string | null;
    pending_deliveries: number;
    last_failure: { at: string; event_type: string; status_code: number | null; error: string | null } | null;
  }[];
  last_reconciliation: RunView | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const num = (v: string | number | bigint): number => Number(v);

export function createOverview(prisma: PrismaClient, sql: SqlRunner) {
  return {
    async get(now = new Date()): Promise<Overview> {
      const since = new Date(now.getTime() - WINDOW_MS);
      const [counts] = await sql.query<Record<"total" | "active" | "dormant" | "suspended" | "groups" | "idp_groups" | "organizations" | "problems", string>>(
        `SELECT (SELECT count(*) FROM users) AS total,
                (SELECT count(*) FROM users WHERE status = 'active') AS active,
                (SELECT count(*) FROM users WHERE status = 'dormant') AS dormant,
                (SELECT count(*) FROM users WHERE status = 'suspended') AS suspended,
                (SELECT count(*) FROM groups) AS groups,
                (SELECT count(*) FROM idp_groups) AS idp_groups,
                (SELECT count(*) FROM organizations) AS organizations,
                (SELECT count(*) FROM audit_events WHERE action = 'sync.problem' AND created_at >= $1) AS problems`,
        [since],
      );
      // Tokens revoked within the window are still listed: their last writes are in it.
      const tokens = await sql.query<{ id: string; name: string; last_used_at: Date | null; revoked_at: Date | null; writes: string }>(
        `SELECT t.id, t.name, t.last_used_at, t.revoked_at, COALESCE(w.writes, 0) AS writes
           FROM api_tokens t
           LEFT JOIN (SELECT actor, count(*) AS writes FROM audit_events
                       WHERE action = ANY($2::text[]) AND created_at >= $1 GROUP BY actor) w ON w.actor = t.name
          WHERE t.scope = 'scim' AND (t.revoked_at IS NULL OR t.revoked_at >= $1)
          ORDER BY t.name`,
        [since, SCIM_WRITE_ACTIONS],
      );
      const problems = await sql.query<{ id: string; created_at: Date; user_id: string | null; username: string | null; details: Record<string, unknown> }>(
        `SELECT a.id, a.created_at, a.user_id, u.username, a.details
           FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
          WHERE a.action = 'sync.problem' AND a.created_at >= $1
          ORDER BY a.created_at DESC, a.id DESC LIMIT ${RECENT_PROBLEMS}`,
        [since],
      );
      // The last failure: the latest failed attempt of the endpoint's latest delivery that failed for
      // good, or of a delivery still retrying (few: the queue's head), never a scan of its history.
      const webhooks = await sql.query<{
        id: string;
        url: string;
        description: string;
        enabled: boolean;
        disabled_reason: string | null;
        pending: string;
        at: Date | null;
        event_type: string | null;
        status_code: number | null;
        error: string | null;
      }>(
        `SELECT e.id, e.url, e.description, e.enabled, e.disabled_reason,
                (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending') AS pending,
                f.at, f.event_type, f.status_code, f.error
           FROM webhook_endpoints e
           LEFT JOIN LATERAL (
             SELECT a.at, d.event_type, a.status_code, a.error
               FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id
              WHERE d.id IN (SELECT x.id FROM (SELECT id FROM webhook_deliveries WHERE endpoint_id = e.id AND status = 'failed' ORDER BY event_seq DESC LIMIT 1) x
                             UNION ALL
                             SELECT id FROM webhook_deliveries WHERE endpoint_id = e.id AND status = 'pending' AND attempts > 0)
                AND (a.error IS NOT NULL OR a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299)
              ORDER BY a.at DESC, a.id DESC LIMIT 1) f ON true
          ORDER BY e.created_at, e.id`,
        [],
      );
      const run = await prisma.reconciliationRun.findFirst({ select: RUN_COLUMNS, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
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
          pending_deliveries: num(w.pending),
          last_failure: w.at === null ? null : { at: w.at.toISOString(), event_type: w.event_type ?? "", status_code: w.status_code, error: w.error },
        })),
        last_reconciliation: run === null ? null : runView(run),
      };
    },
  };
}

export type AdminOverview = ReturnType<typeof createOverview>;
