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

export interface DomainEvent {
  type: EventType;
  /** The record as the admin API shows it. */
  data: object;
}

/**
 * Writes the events (in this order) and their deliveries; returns the events' seq numbers, so that a
 * change can bring their records up to date before it commits (see refreshUserEvents in records.ts).
 */
export async function emit(tx: Prisma.TransactionClient, events: readonly DomainEvent[]): Promise<bigint[]> {
  if (events.length === 0) return [];
  const timestamp = new Date().toISOString();
  const rows = events.map((e) => ({ type: e.type, payload: { type: e.type, timestamp, data: e.data } }));
  const inserted = await tx.$queryRawUnsafe<{ seq: bigint }[]>(
    `WITH ev AS (
       INSERT INTO outbox_events (id, type, payload)
       SELECT gen_random_uuid(), x.type, x.payload
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (type text, payload jsonb)) WITH ORDINALITY AS x(type, payload, ord)
        ORDER BY x.ord
       RETURNING seq, id, type),
     d AS (
       INSERT INTO webhook_deliveries (id, endpoint_id, event_seq, event_id, event_type, status)
       SELECT gen_random_uuid(), w.id, ev.seq, ev.id, ev.type, 'pending'
         FROM ev JOIN webhook_endpoints w ON cardinality(w.events) = 0 OR ev.type = ANY(w.events))
     SELECT seq FROM ev ORDER BY seq`,
    JSON.stringify(rows),
  );
  return inserted.map((r) => BigInt(r.seq));
}
