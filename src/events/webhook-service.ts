import { createHash } from "node:crypto";
import type { Prisma, PrismaClient, WebhookEndpoint } from "../generated/prisma/client";
import { recordAudit } from "../directory/audit";
import { DirectoryError } from "../directory/errors";
import { isUuid } from "../directory/prisma-errors";
import { EVENT_TYPES, emitTestEvent, type EventType } from "./outbox";
import type { SecretBox } from "./secret-box";
import { newWebhookSecret } from "./signing";
import { TargetError, validateTarget } from "./target";

/**
 * Webhook endpoints as the admin API manages them. The signing secret is generated here, returned
 * once (on create and on rotation) and stored encrypted; it is never shown again.
 *
 * Every change is audited in its own transaction (`webhook.created`, `webhook.updated` with the fields
 * that changed before and after, `webhook.secret_rotated`, `webhook.deleted`), with the admin token's
 * name as the actor. Audit details never carry the secret, sealed or not.
 */

export interface WebhookView {
  id: string;
  url: string;
  description: string;
  /** Subscribed event types; empty means all. */
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** Deliveries waiting (including ones in their retry delay). */
  pending_deliveries: number;
  /** Deliveries that failed every attempt (until sent again or deleted by WEBHOOK_RETENTION). */
  failed_deliveries: number;
  /** The endpoint's latest failed attempt, of any delivery (one that later succeeded too); kept after WEBHOOK_RETENTION deletes the delivery. */
  last_failure: { at: string; status_code: number | null; error: string } | null;
}

type Counts = Pick<WebhookView, "pending_deliveries" | "failed_deliveries">;

/**
 * The queued and failed deliveries of a set of endpoints in one statement (never a query per endpoint),
 * on the (endpoint_id, status, event_seq) index. The last failure is kept on the endpoint's row.
 */
async function countsOf(prisma: PrismaClient, ids: readonly string[]): Promise<Map<string, Counts>> {
  if (ids.length === 0) return new Map();
  const rows = await prisma.$queryRawUnsafe<{ id: string; pending: number; failed: number }[]>(
    `SELECT endpoint_id::text AS id, count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM webhook_deliveries WHERE status IN ('pending', 'failed') AND endpoint_id = ANY(string_to_array($1, ',')::uuid[])
      GROUP BY endpoint_id`,
    ids.join(","),
  );
  return new Map(rows.map((r) => [r.id, { pending_deliveries: Number(r.pending), failed_deliveries: Number(r.failed) }]));
}

export interface WebhookInput {
  url: string;
  events?: string[] | undefined;
  description?: string | undefined;
}

export interface WebhookPatch {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
}

/**
 * Every event type, as the API says it. Stored as an empty list (what `[]` meant from the start, and
 * what the outbox's delivery join tests), so endpoints saved by earlier versions keep their meaning.
 */
export const ALL_EVENTS = "*";

/** The API's `events` of a stored list: `["*"]` for every type. */
export const apiEvents = (stored: readonly string[]): string[] => (stored.length === 0 ? [ALL_EVENTS] : [...stored]);

/** The stored list of the API's `events`: `["*"]`, `[]` and absent mean every type. */
function checkEvents(events: string[] | undefined): EventType[] {
  if (events?.includes(ALL_EVENTS)) {
    if (events.some((e) => e !== ALL_EVENTS)) throw new DirectoryError("invalid", `"${ALL_EVENTS}" means every event type: send it alone, or list the types`);
    return [];
  }
  const unknown = (events ?? []).filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length > 0) throw new DirectoryError("invalid", `unknown event types: ${unknown.join(", ")} (known: ${EVENT_TYPES.join(", ")}, or "${ALL_EVENTS}" for every type)`);
  return [...new Set(events ?? [])] as EventType[];
}

/**
 * A URL as the audit log shows it: its origin, and a fingerprint of the whole. Receivers often carry
 * their own secret in the path or query (Slack's `/services/T…/B…/<token>`, `?token=`), and the audit
 * log outlives the endpoint; the fingerprint still tells an admin whether two rows name the same URL.
 */
export function auditedUrl(url: string): { url: string; url_sha256: string } {
  let shown: string;
  try {
    const u = new URL(url);
    shown = u.pathname === "/" && u.search === "" && u.hash === "" ? `${u.origin}/` : `${u.origin}/…`;
  } catch {
    shown = "(not a URL)";
  }
  return { url: shown, url_sha256: createHash("sha256").update(url).digest("hex").slice(0, 16) };
}

/** An endpoint's settings as the audit log shows them, by API field name (never the secret). */
function settingsOf(e: WebhookEndpoint) {
  return { ...auditedUrl(e.url), events: apiEvents(e.events), description: e.description, enabled: e.enabled };
}

/** What a change is compared on: the settings and why the endpoint was disabled. */
function audited(e: WebhookEndpoint) {
  return { ...settingsOf(e), disabled_reason: e.disabledReason };
}
type Audited = ReturnType<typeof audited>;
const AUDITED_FIELDS = ["url", "events", "description", "enabled", "disabled_reason"] as const satisfies readonly (keyof Audited)[];
/** What each field is compared on and shown as: a URL by its fingerprint, shown with its origin. */
const SHOWN: Partial<Record<(typeof AUDITED_FIELDS)[number], readonly (keyof Audited)[]>> = { url: ["url", "url_sha256"] };

/** The fields that differ, with their values before and after (only those fields). */
function webhookChanges(before: Audited, after: Audited): { changed: string[]; before: Prisma.InputJsonObject; after: Prisma.InputJsonObject } | undefined {
  const differs = (f: (typeof AUDITED_FIELDS)[number]) => (SHOWN[f] ?? [f]).some((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  const changed = AUDITED_FIELDS.filter(differs);
  if (changed.length === 0) return undefined;
  const pick = (v: Audited) => Object.fromEntries(changed.flatMap((f) => (SHOWN[f] ?? [f]).map((k) => [k, v[k]]))) as Prisma.InputJsonObject;
  return { changed, before: pick(before), after: pick(after) };
}

const DELIVERY_LOG = { attemptLog: { orderBy: [{ at: "asc" }, { id: "asc" }] } } as const satisfies Prisma.WebhookDeliveryInclude;

function deliveryView(d: Prisma.WebhookDeliveryGetPayload<{ include: typeof DELIVERY_LOG }>) {
  return {
    id: d.id,
    event_id: d.eventId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
    created_at: d.createdAt.toISOString(),
    finished_at: d.finishedAt?.toISOString() ?? null,
    attempt_log: d.attemptLog.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), status_code: a.statusCode, duration_ms: a.durationMs, error: a.error })),
  };
}

/** Failed deliveries back to pending, due now, attempts from zero; only those whose event is still kept. */
function requeue(tx: Prisma.TransactionClient, endpointId: string, which: { deliveryId: string } | { since: Date }): Promise<number> {
  const [condition, value] = "deliveryId" in which ? ["d.id = $2::uuid", which.deliveryId] : ["d.finished_at >= $2", which.since];
  return tx.$executeRawUnsafe(
    `UPDATE webhook_deliveries d SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL
      WHERE d.endpoint_id = $1::uuid AND d.status = 'failed' AND ${condition}
        AND EXISTS (SELECT 1 FROM outbox_events o WHERE o.seq = d.event_seq)`,
    endpointId,
    value,
  );
}

const NONE: Counts = { pending_deliveries: 0, failed_deliveries: 0 };

function shown(e: WebhookEndpoint, counts: Counts | undefined): WebhookView {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: apiEvents(e.events),
    enabled: e.enabled,
    disabled_reason: e.disabledReason,
    created_by: e.createdBy,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    ...(counts ?? NONE),
    last_failure:
      e.lastFailureAt !== null && e.lastFailureError !== null ? { at: e.lastFailureAt.toISOString(), status_code: e.lastFailureStatus, error: e.lastFailureError } : null,
  };
}

/**
 * Every endpoint with its health (queue counts and stored last failure), oldest first, in two
 * statements: what `GET /webhooks` answers and what the overview shows of each endpoint, so the two
 * pages agree.
 */
export async function listWebhooks(prisma: PrismaClient): Promise<WebhookView[]> {
  const rows = await prisma.webhookEndpoint.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const counts = await countsOf(prisma, rows.map((e) => e.id));
  return rows.map((e) => shown(e, counts.get(e.id)));
}

export function createWebhookService(prisma: PrismaClient, box: SecretBox, opts: { allowPrivateTargets: boolean }) {
  async function target(url: string): Promise<string> {
    try {
      return (await validateTarget(url, opts.allowPrivateTargets)).toString();
    } catch (err) {
      if (err instanceof TargetError) throw new DirectoryError("invalid", `url: ${err.message}`);
      throw err;
    }
  }

  async function view(e: WebhookEndpoint): Promise<WebhookView> {
    return shown(e, (await countsOf(prisma, [e.id])).get(e.id));
  }

  async function find(id: string): Promise<WebhookEndpoint> {
    const e = isUuid(id) ? await prisma.webhookEndpoint.findUnique({ where: { id } }) : null;
    if (!e) throw new DirectoryError("notFound", `webhook ${id} not found`);
    return e;
  }

  /**
   * The endpoint, locked for the rest of the transaction, so that the audited "before" is what the
   * change replaced even when two admins change it at once.
   */
  async function lockedFind(tx: Prisma.TransactionClient, id: string): Promise<WebhookEndpoint> {
    const [locked] = isUuid(id) ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM webhook_endpoints WHERE id = ${id}::uuid FOR UPDATE` : [];
    const e = locked ? await tx.webhookEndpoint.findUnique({ where: { id } }) : null;
    if (!e) throw new DirectoryError("notFound", `webhook ${id} not found`);
    return e;
  }

  const audit = (tx: Prisma.TransactionClient, actor: string, action: string, id: string, details: Prisma.InputJsonObject = {}) =>
    recordAudit(tx, { actor, action, resourceType: "webhook", resourceId: id, details });

  return {
    async create(input: WebhookInput, actor: string): Promise<WebhookView & { secret: string }> {
      const url = await target(input.url);
      const events = checkEvents(input.events);
      const secret = newWebhookSecret();
      const e = await prisma.$transaction(async (tx) => {
        const made = await tx.webhookEndpoint.create({ data: { url, events, description: input.description ?? "", secretEncrypted: box.seal(secret), createdBy: actor } });
        await audit(tx, actor, "webhook.created", made.id, settingsOf(made));
        return made;
      });
      return { ...(await view(e)), secret };
    },

    list: (): Promise<WebhookView[]> => listWebhooks(prisma),

    get: async (id: string) => view(await find(id)),

    /** Changes what the patch names; a patch that changes nothing writes nothing (and no audit row). */
    async patch(id: string, p: WebhookPatch, actor: string): Promise<WebhookView> {
      await find(id);
      const url = p.url !== undefined ? await target(p.url) : undefined;
      const events = p.events !== undefined ? checkEvents(p.events) : undefined;
      const e = await prisma.$transaction(async (tx) => {
        const before = await lockedFind(tx, id);
        const data = {
          ...(url !== undefined ? { url } : {}),
          ...(events !== undefined ? { events } : {}),
          ...(p.description !== undefined ? { description: p.description } : {}),
          // Enabling clears why it was disabled; its queue resumes where it stopped.
          ...(p.enabled !== undefined ? { enabled: p.enabled, disabledReason: null } : {}),
        };
        const changes = webhookChanges(audited(before), audited({ ...before, ...data }));
        if (!changes) return before;
        const updated = await tx.webhookEndpoint.update({ where: { id }, data });
        await audit(tx, actor, "webhook.updated", id, changes);
        return updated;
      });
      return view(e);
    },

    async remove(id: string, actor: string): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const e = await lockedFind(tx, id);
        // What was dropped with it: its settings and the deliveries still waiting.
        const pending = await tx.webhookDelivery.count({ where: { endpointId: id, status: "pending" } });
        await tx.webhookEndpoint.delete({ where: { id } });
        await audit(tx, actor, "webhook.deleted", id, { ...settingsOf(e), pending_deliveries: pending });
      });
    },

    async rotateSecret(id: string, actor: string): Promise<WebhookView & { secret: string }> {
      const secret = newWebhookSecret();
      const e = await prisma.$transaction(async (tx) => {
        await lockedFind(tx, id);
        const updated = await tx.webhookEndpoint.update({ where: { id }, data: { secretEncrypted: box.seal(secret) } });
        await audit(tx, actor, "webhook.secret_rotated", id);
        return updated;
      });
      return { ...(await view(e)), secret };
    },

    async deliveries(id: string, page: { limit: number; offset: number; status?: string | undefined }) {
      await find(id);
      const where = { endpointId: id, ...(page.status ? { status: page.status } : {}) };
      const [rows, count] = await Promise.all([
        prisma.webhookDelivery.findMany({ where, orderBy: { eventSeq: "desc" }, take: page.limit, skip: page.offset, include: DELIVERY_LOG }),
        prisma.webhookDelivery.count({ where }),
      ]);
      return { count, deliveries: rows.map(deliveryView) };
    },

    /**
     * Sends a delivery that failed for good again: it is pending again with its retry schedule from
     * the start, keeps its event (and so its `webhook-id`: receivers deduplicate on it) and its
     * attempt log, to which the new attempts are added. Goes out in event order, once the endpoint is
     * enabled. 409 unless it failed; 410 once WEBHOOK_RETENTION deleted its event.
     */
    async redeliver(id: string, deliveryId: string, actor: string) {
      await find(id);
      const current = isUuid(deliveryId) ? await prisma.webhookDelivery.findFirst({ where: { id: deliveryId, endpointId: id } }) : null;
      if (!current) throw new DirectoryError("notFound", `delivery ${deliveryId} of webhook ${id} not found`);
      if (current.status !== "failed") throw new DirectoryError("conflict", `delivery ${deliveryId} is ${current.status}: only a failed delivery can be sent again`);
      const row = await prisma.$transaction(async (tx) => {
        const n = await requeue(tx, id, { deliveryId });
        if (n === 0) throw new DirectoryError("gone", `delivery ${deliveryId}'s event was deleted after WEBHOOK_RETENTION: it can't be sent again`);
        await audit(tx, actor, "webhook.redelivered", id, { delivery: deliveryId, event_id: current.eventId });
        return tx.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: DELIVERY_LOG });
      });
      return deliveryView(row);
    },

    /**
     * Queues a `webhook.test` event for this endpoint only, delivered as every event is (signed, after
     * what the endpoint has pending, retried, in its deliveries with the attempts). 409 while the
     * endpoint is disabled: its queue is paused, so the test would not go out until it is enabled.
     * Audited as `webhook.tested`.
     */
    async sendTest(id: string, actor: string) {
      const row = await prisma.$transaction(async (tx) => {
        const e = await lockedFind(tx, id);
        if (!e.enabled) {
          throw new DirectoryError("conflict", `webhook ${id} is disabled (${e.disabledReason ?? "by an admin"}): enable it (PATCH enabled: true) to send a test event; it would wait behind the paused queue until then`);
        }
        const deliveryId = await emitTestEvent(tx, id, { webhook_id: id, message: "A test event sent on an admin's request (POST /api/v2/webhooks/{id}/test)." });
        const delivery = await tx.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: DELIVERY_LOG });
        await audit(tx, actor, "webhook.tested", id, { delivery: deliveryId, event_id: delivery.eventId });
        return delivery;
      });
      return deliveryView(row);
    },

    /** Sends again every failed delivery of the endpoint that finished at or after `since` (whose event is kept). */
    async redeliverSince(id: string, since: Date, actor: string): Promise<{ redelivered: number }> {
      await find(id);
      return prisma.$transaction(async (tx) => {
        const redelivered = await requeue(tx, id, { since });
        if (redelivered > 0) await audit(tx, actor, "webhook.redelivered", id, { since: since.toISOString(), redelivered });
        return { redelivered };
      });
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
