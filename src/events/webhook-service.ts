import type { PrismaClient, WebhookEndpoint } from "../generated/prisma/client";
import { DirectoryError } from "../directory/errors";
import { isUuid } from "../directory/prisma-errors";
import { EVENT_TYPES, type EventType } from "./outbox";
import type { SecretBox } from "./secret-box";
import { newWebhookSecret } from "./signing";
import { TargetError, validateTarget } from "./target";

/**
 * Webhook endpoints as the admin API manages them. The signing secret is generated here, returned
 * once (on create and on rotation) and stored encrypted; it is never shown again.
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

function checkEvents(events: string[] | undefined): EventType[] {
  const unknown = (events ?? []).filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length > 0) throw new DirectoryError("invalid", `unknown event types: ${unknown.join(", ")} (known: ${EVENT_TYPES.join(", ")})`);
  return [...new Set(events ?? [])] as EventType[];
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
    const pending = await prisma.webhookDelivery.count({ where: { endpointId: e.id, status: "pending" } });
    return {
      id: e.id,
      url: e.url,
      description: e.description,
      events: e.events,
      enabled: e.enabled,
      disabled_reason: e.disabledReason,
      created_by: e.createdBy,
      created_at: e.createdAt.toISOString(),
      updated_at: e.updatedAt.toISOString(),
      pending_deliveries: pending,
    };
  }

  async function find(id: string): Promise<WebhookEndpoint> {
    const e = isUuid(id) ? await prisma.webhookEndpoint.findUnique({ where: { id } }) : null;
    if (!e) throw new DirectoryError("notFound", `webhook ${id} not found`);
    return e;
  }

  return {
    async create(input: WebhookInput, actor: string): Promise<WebhookView & { secret: string }> {
      const url = await target(input.url);
      const events = checkEvents(input.events);
      const secret = newWebhookSecret();
      const e = await prisma.webhookEndpoint.create({ data: { url, events, description: input.description ?? "", secretEncrypted: box.seal(secret), createdBy: actor } });
      return { ...(await view(e)), secret };
    },

    async list(): Promise<WebhookView[]> {
      const rows = await prisma.webhookEndpoint.findMany({ orderBy: { createdAt: "asc" } });
      return Promise.all(rows.map(view));
    },

    get: async (id: string) => view(await find(id)),

    async patch(id: string, p: WebhookPatch): Promise<WebhookView> {
      await find(id);
      const url = p.url !== undefined ? await target(p.url) : undefined;
      const events = p.events !== undefined ? checkEvents(p.events) : undefined;
      const e = await prisma.webhookEndpoint.update({
        where: { id },
        data: {
          ...(url !== undefined ? { url } : {}),
          ...(events !== undefined ? { events } : {}),
          ...(p.description !== undefined ? { description: p.description } : {}),
          // Enabling clears why it was disabled; its queue resumes where it stopped.
          ...(p.enabled !== undefined ? { enabled: p.enabled, disabledReason: null } : {}),
        },
      });
      return view(e);
    },

    async remove(id: string): Promise<void> {
      await find(id);
      await prisma.webhookEndpoint.delete({ where: { id } });
    },

    async rotateSecret(id: string): Promise<WebhookView & { secret: string }> {
      await find(id);
      const secret = newWebhookSecret();
      const e = await prisma.webhookEndpoint.update({ where: { id }, data: { secretEncrypted: box.seal(secret) } });
      return { ...(await view(e)), secret };
    },

    async deliveries(id: string, page: { limit: number; offset: number; status?: string | undefined }) {
      await find(id);
      const where = { endpointId: id, ...(page.status ? { status: page.status } : {}) };
      const [rows, count] = await Promise.all([
        prisma.webhookDelivery.findMany({ where, orderBy: { eventSeq: "desc" }, take: page.limit, skip: page.offset, include: { attemptLog: { orderBy: { attempt: "asc" } } } }),
        prisma.webhookDelivery.count({ where }),
      ]);
      return {
        count,
        deliveries: rows.map((d) => ({
          id: d.id,
          event_id: d.eventId,
          event_type: d.eventType,
          status: d.status,
          attempts: d.attempts,
          next_attempt_at: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
          created_at: d.createdAt.toISOString(),
          finished_at: d.finishedAt?.toISOString() ?? null,
          attempt_log: d.attemptLog.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), status_code: a.statusCode, duration_ms: a.durationMs, error: a.error })),
        })),
      };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
