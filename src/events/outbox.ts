import type { Prisma } from "../generated/prisma/client";

/**
 * The outbox: every change the bridge makes writes its events here in the change's own transaction,
 * together with one pending delivery per endpoint subscribed to the type, in one statement (a disabled
 * endpoint is paused, not unsubscribed: re-enabling it delivers what it missed, in order).
 * So an event exists exactly when its change does, and a crash loses neither (the dispatcher picks up
 * pending deliveries after a restart).
 */

export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.suspended",
  "user.reactivated",
  "user.deleted",
  "group.created",
  "group.updated",
  "group.deleted",
  "organization_member.added",
  "organization_member.removed",
  "group_member.added",
  "group_member.removed",
  "member_roles.changed",
  "reconciliation.completed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The test event an admin sends to one endpoint (`POST /api/v2/webhooks/{id}/test`). Not one of
 * EVENT_TYPES: it says nothing about the directory, so no endpoint subscribes to it (it goes only to
 * the endpoint it was sent to, whatever that one subscribes to) and the events feed leaves it out.
 */
export const TEST_EVENT_TYPE = "webhook.test";

export interface DomainEvent {
  type: EventType;
  /** The record as the admin API shows it. */
  data: object;
}

/**
 * The outbox's two inserts as CTEs named `ev` (the events, with `seq`) and `d` (their deliveries),
 * reading the events from the jsonb parameter `param` (outboxRows). One place for this SQL: emit uses
 * it alone, the SCIM hot paths inside their one write statement (src/directory/users/user-sql.ts).
 * `join` (e.g. `CROSS JOIN u`) writes the events only when that CTE wrote its row, and `payload` may
 * complete each payload (`x.payload`) from it.
 */
export function outboxCtes(param: string, opts: { join?: string; payload?: string } = {}): string {
  return `ev AS (
       INSERT INTO outbox_events (id, type, payload)
       SELECT gen_random_uuid(), x.type, ${opts.payload ?? "x.payload"}
         FROM ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS (type text, payload jsonb)) WITH ORDINALITY AS x(type, payload, ord) ${opts.join ?? ""}
        ORDER BY x.ord
       RETURNING seq, id, type),
     d AS (
       INSERT INTO webhook_deliveries (id, endpoint_id, event_seq, event_id, event_type, status)
       SELECT gen_random_uuid(), w.id, ev.seq, ev.id, ev.type, 'pending'
         FROM ev JOIN webhook_endpoints w ON cardinality(w.events) = 0 OR ev.type = ANY(w.events))`;
}

/** The events as the jsonb parameter of outboxCtes, stamped with one timestamp. */
export function outboxRows(events: readonly DomainEvent[], timestamp: string = new Date().toISOString()): string {
  return JSON.stringify(events.map((e) => ({ type: e.type, payload: { type: e.type, timestamp, data: e.data } })));
}

/**
 * Writes the events (in this order) and their deliveries; returns the events' seq numbers, so that a
 * change can bring their records up to date before it commits (see refreshUserEvents in records.ts).
 */
export async function emit(tx: Prisma.TransactionClient, events: readonly DomainEvent[]): Promise<bigint[]> {
  if (events.length === 0) return [];
  const inserted = await tx.$queryRawUnsafe<{ seq: bigint }[]>(`WITH ${outboxCtes("$1")} SELECT seq FROM ev ORDER BY seq`, outboxRows(events));
  return inserted.map((r) => BigInt(r.seq));
}

/**
 * Writes the test event and one pending delivery of it, for that endpoint only, in one statement: it
 * then goes out as every event does (signed, in order behind what the endpoint has pending, retried,
 * with an attempt log). Returns the delivery's id.
 */
export async function emitTestEvent(tx: Prisma.TransactionClient, endpointId: string, data: object): Promise<string> {
  const payload = JSON.stringify({ type: TEST_EVENT_TYPE, timestamp: new Date().toISOString(), data });
  const [row] = await tx.$queryRawUnsafe<{ id: string }[]>(
    `WITH ev AS (
       INSERT INTO outbox_events (id, type, payload) VALUES (gen_random_uuid(), $2, $3::jsonb) RETURNING seq, id, type)
     INSERT INTO webhook_deliveries (id, endpoint_id, event_seq, event_id, event_type, status)
     SELECT gen_random_uuid(), $1::uuid, ev.seq, ev.id, ev.type, 'pending' FROM ev
     RETURNING id::text AS id`,
    endpointId,
    TEST_EVENT_TYPE,
    payload,
  );
  if (!row) throw new Error("outbox: the test event's delivery was not written");
  return row.id;
}
