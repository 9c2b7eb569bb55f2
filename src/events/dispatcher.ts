import { randomUUID } from "node:crypto";
import type { Logger } from "winston";
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { SqlRunner } from "../db/database";
import { postWebhook } from "./deliver";
import type { DeliveryObserver } from "./delivery-observer";
import type { SecretBox } from "./secret-box";
import { signedHeaders } from "./signing";

/**
 * Delivers pending webhook deliveries, in event order per endpoint. An instance leases a few endpoints
 * at a time (`FOR UPDATE SKIP LOCKED`, so several instances on one PostgreSQL share the endpoints and
 * never work one endpoint at once), delivers each one's queue head to tail, and stops at the first
 * failure, which is retried after the next delay of the schedule (with ±20% jitter). A delivery that
 * fails every attempt is marked failed and its endpoint disabled (paused: it keeps queuing, and
 * re-enabling it resumes after the failed one). A crashed instance's leases expire. A target the
 * address policy refuses (see target.ts: an IP literal, or a name resolving only to refused addresses)
 * disables its endpoint at once, naming the reason: retrying cannot help until the URL changes. That
 * delivery stays pending, so fixing the URL and re-enabling the endpoint resumes with it.
 */

export interface DispatcherOptions {
  prisma: PrismaClient;
  /**
   * The poll loop's statements (lease, release, the next delivery), run every WEBHOOK_POLL_INTERVAL
   * whether or not there is work: through the driver, so an idle bridge never loads Prisma's query
   * compiler (README, Performance).
   */
  sql: SqlRunner;
  box: SecretBox;
  logger: Logger;
  allowPrivateTargets: boolean;
  timeoutMs: number;
  retryScheduleMs: readonly number[];
  pollIntervalMs: number;
  /** Finished deliveries (and events nobody still waits for) older than this are deleted. */
  retentionMs: number;
  /** Endpoints leased per round. */
  concurrency?: number;
  /** Told about every attempt recorded and every endpoint disabled (metrics). */
  observe?: DeliveryObserver;
}

export interface Dispatcher {
  start(): void;
  /** Finishes the round in progress and stops. */
  stop(): Promise<void>;
  /** One round: leases due endpoints and delivers; returns the number of attempts made. */
  tick(): Promise<number>;
  /** Deletes what the retention period has passed; returns the deliveries and events removed. */
  prune(): Promise<{ deliveries: number; events: number }>;
}

interface Leased {
  id: string;
  url: string;
  secret_encrypted: string;
}

interface Head {
  id: string;
  event_id: string;
  attempts: number;
  next_attempt_at: Date;
  payload: unknown;
}

const MAX_PER_ROUND = 100;

/** An endpoint's URL for the log: scheme, host and path; credentials and query strings can carry secrets. */
function urlForLog(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { prisma, sql, logger } = opts;
  const owner = randomUUID();
  const leaseMs = opts.timeoutMs * 2 + 30_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  /** True before start() and after stop(): the poll loop does not run. */
  let stopped = true;
  /** Set by stop(): rounds in progress finish the delivery at hand and end. */
  let stopping = false;

  const jitter = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

  async function lease(): Promise<Leased[]> {
    return sql.query<Leased>(
      `UPDATE webhook_endpoints SET lease_owner = $1, lease_until = now() + ($2::int * interval '1 millisecond')
        WHERE id IN (
          SELECT e.id FROM webhook_endpoints e
           WHERE e.enabled AND (e.lease_until IS NULL OR e.lease_until < now())
             AND (SELECT d.next_attempt_at FROM webhook_deliveries d
                   WHERE d.endpoint_id = e.id AND d.status = 'pending' ORDER BY d.event_seq LIMIT 1) <= now()
           ORDER BY e.id LIMIT $3
           FOR UPDATE SKIP LOCKED)
        RETURNING id::text AS id, url, secret_encrypted`,
      [owner, leaseMs, opts.concurrency ?? 8],
      "webhook_lease",
    );
  }

  async function release(id: string): Promise<void> {
    await sql.query(`UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL WHERE id = $1::uuid AND lease_owner = $2`, [id, owner], "webhook_release");
  }

  async function head(endpointId: string): Promise<Head | undefined> {
    const rows = await sql.query<Head>(
      `SELECT d.id::text AS id, d.event_id::text AS event_id, d.attempts, d.next_attempt_at, o.payload
         FROM webhook_deliveries d JOIN outbox_events o ON o.seq = d.event_seq
        WHERE d.endpoint_id = $1::uuid AND d.status = 'pending' ORDER BY d.event_seq LIMIT 1`,
      [endpointId],
      "webhook_head",
    );
    return rows[0];
  }

  /**
   * Logs the refused attempt and disables the endpoint; the delivery stays pending and due. Nothing
   * was sent, so the delivery's `attempts` (which the retry schedule counts) is left as it was. The
   * endpoint is disabled only while it still has the URL that was refused and is still leased to this
   * instance: an admin's `PATCH {url, enabled}` made during the attempt is not undone.
   */
  /**
   * The endpoint's latest failure (the admin API's `last_failure`): the failed attempt just logged, in
   * its transaction. Raw SQL: not a change of the endpoint's settings, so `updated_at` stays.
   */
  const noteFailure = (tx: Prisma.TransactionClient, endpointId: string, a: { at: Date; statusCode: number | null; error: string | null }) =>
    tx.$executeRawUnsafe(`UPDATE webhook_endpoints SET last_failure_at = $2, last_failure_status = $3, last_failure_error = $4 WHERE id = $1::uuid`, endpointId, a.at, a.statusCode, a.error);

  async function refused(endpoint: Leased, d: Head, why: string, durationMs: number): Promise<void> {
    const reason = `${why}; fix the URL (PATCH url) and re-enable the endpoint to resume with this delivery`;
    const disabled = await prisma.$transaction(async (tx) => {
      await noteFailure(tx, endpoint.id, await tx.webhookAttempt.create({ data: { deliveryId: d.id, attempt: d.attempts + 1, statusCode: null, durationMs, error: why } }));
      return (await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, url: endpoint.url, leaseOwner: owner }, data: { enabled: false, disabledReason: reason } })).count;
    });
    opts.observe?.attempt("refused");
    if (disabled > 0) {
      opts.observe?.disabled("refused_target");
      logger.warn("webhook endpoint disabled: its target is refused", { endpoint: endpoint.id, delivery: d.id, reason: why });
    }
  }

  /** Works one endpoint's queue; returns the attempts made. */
  async function work(endpoint: Leased): Promise<number> {
    let secret: string;
    try {
      secret = opts.box.open(endpoint.secret_encrypted);
    } catch (err) {
      await prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { enabled: false, disabledReason: (err as Error).message } });
      opts.observe?.disabled("secret_unreadable");
      logger.error("webhook endpoint disabled", { endpoint: endpoint.id, reason: (err as Error).message });
      return 0;
    }
    let attempts = 0;
    for (let n = 0; n < MAX_PER_ROUND && !stopping; n++) {
      const d = await head(endpoint.id);
      if (!d || new Date(d.next_attempt_at).getTime() > Date.now()) break;
      const body = JSON.stringify(d.payload);
      const result = await postWebhook(endpoint.url, signedHeaders(secret, d.event_id, Math.floor(Date.now() / 1000), body), body, {
        timeoutMs: opts.timeoutMs,
        allowPrivate: opts.allowPrivateTargets,
      });
      attempts++;
      if (result.refused !== undefined) {
        await refused(endpoint, d, result.refused, result.durationMs);
        break;
      }
      const ok = result.error === undefined && result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
      const attempt = d.attempts + 1;
      const error = ok ? null : (result.error ?? `HTTP ${result.statusCode}`);
      const exhausted = !ok && attempt > opts.retryScheduleMs.length;
      const nextAttemptAt = ok || exhausted ? undefined : new Date(Date.now() + jitter(opts.retryScheduleMs[attempt - 1]!));
      await prisma.$transaction(async (tx) => {
        const logged = await tx.webhookAttempt.create({ data: { deliveryId: d.id, attempt, statusCode: result.statusCode ?? null, durationMs: result.durationMs, error } });
        if (!ok) await noteFailure(tx, endpoint.id, logged);
        await tx.webhookDelivery.update({
          where: { id: d.id },
          data: ok
            ? { status: "succeeded", attempts: attempt, finishedAt: new Date() }
            : exhausted
              ? { status: "failed", attempts: attempt, finishedAt: new Date() }
              : { attempts: attempt, nextAttemptAt: nextAttemptAt! },
        });
        if (exhausted) {
          await tx.webhookEndpoint.update({
            where: { id: endpoint.id },
            data: { enabled: false, disabledReason: `delivery ${d.id} failed ${attempt} attempts (last: ${error}); re-enable the endpoint to resume after it` },
          });
        }
        await tx.$executeRawUnsafe(`UPDATE webhook_endpoints SET lease_until = now() + ($1::int * interval '1 millisecond') WHERE id = $2::uuid AND lease_owner = $3`, leaseMs, endpoint.id, owner);
      });
      if (!ok) {
        // Every failed attempt, so that an admin sees a receiver failing long before the endpoint is disabled.
        logger.warn("webhook delivery attempt failed", {
          endpoint: endpoint.id,
          url: urlForLog(endpoint.url),
          delivery: d.id,
          attempt,
          ...(result.statusCode !== undefined ? { status: result.statusCode } : {}),
          ...(result.error !== undefined ? { error: result.error } : {}),
          retryAt: nextAttemptAt ? nextAttemptAt.toISOString() : "never: this was the last attempt",
        });
      }
      opts.observe?.attempt(ok ? "succeeded" : result.statusCode === undefined ? "network_error" : "http_error");
      if (exhausted) {
        opts.observe?.disabled("exhausted");
        logger.warn("webhook endpoint disabled after a delivery failed every attempt", { endpoint: endpoint.id, delivery: d.id, error });
      }
      if (!ok) break;
    }
    return attempts;
  }

  async function tick(): Promise<number> {
    const leased = await lease();
    const counts = await Promise.all(
      leased.map(async (e) => {
        try {
          return await work(e);
        } finally {
          await release(e.id).catch(() => undefined);
        }
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async function prune(): Promise<{ deliveries: number; events: number }> {
    const before = new Date(Date.now() - opts.retentionMs);
    // Attempts go with their deliveries (ON DELETE CASCADE).
    // Through the driver, as the poll loop: this runs hourly in an otherwise idle bridge.
    const [deleted] = await sql.query<{ n: number }>(
      "WITH d AS (DELETE FROM webhook_deliveries WHERE status IN ('succeeded', 'failed') AND finished_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d",
      [before],
    );
    // An event is kept while any delivery of it is pending, whatever its age: nothing undelivered is lost.
    // The newest position deleted is recorded in the same statement: an events feed cursor before it
    // has missed events (410, src/events/feed.ts).
    const [row] = await sql.query<{ n: number }>(
      `WITH d AS (
         DELETE FROM outbox_events o WHERE o.created_at < $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = o.seq AND d.status = 'pending')
         RETURNING o.tx_id, o.seq),
       h AS (
         INSERT INTO outbox_horizon (id, tx_id, seq)
         SELECT 1, tx_id, seq FROM d ORDER BY tx_id DESC, seq DESC LIMIT 1
         ON CONFLICT (id) DO UPDATE SET tx_id = excluded.tx_id, seq = excluded.seq
          WHERE (outbox_horizon.tx_id, outbox_horizon.seq) < (excluded.tx_id, excluded.seq))
       SELECT count(*)::int AS n FROM d`,
      [before],
    );
    return { deliveries: deleted?.n ?? 0, events: row?.n ?? 0 };
  }

  let lastPrune = 0;
  const loop = (): void => {
    if (stopped) return;
    if (Date.now() - lastPrune > 3_600_000) {
      lastPrune = Date.now();
      prune().catch((err: unknown) => logger.warn("webhook retention pass failed", { error: err instanceof Error ? err.message : String(err) }));
    }
    running = tick()
      .catch((err: unknown) => {
        logger.warn("webhook dispatcher round failed", { error: err instanceof Error ? err.message : String(err) });
        return 0;
      })
      .then((made) => {
        if (!stopped) timer = setTimeout(loop, made > 0 ? 0 : opts.pollIntervalMs);
      });
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      stopping = false;
      loop();
    },
    async stop() {
      stopped = true;
      stopping = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    tick,
    prune,
  };
}
