import type { PrismaClient } from "../generated/prisma/client";
import type { SqlRunner } from "../db/database";
import { DirectoryError } from "../directory/errors";
import { EVENT_TYPES, TEST_EVENT_TYPE, type EventType } from "./outbox";

/**
 * The events feed (`GET /api/v2/events`, `scim-bridge events tail`): the outbox read in order, page by
 * page, with the webhook payloads and the event ids receivers deduplicate on.
 *
 * Why not simply "seq > cursor": seq is taken at insert, but transactions commit in another order. A
 * reader that has read seq 8 (committed) would pass seq 7 if 7's transaction commits afterwards. So
 * every event records its transaction id (`tx_id`), the feed is ordered by (tx_id, seq), and a read
 * returns only events of transactions below the oldest one still running
 * (`pg_snapshot_xmin(pg_current_snapshot())`): all of those have ended, and no transaction that starts
 * later can get a smaller id. A position once passed can therefore never receive another event.
 * The price: an event appears only once every write transaction begun before its own has ended (on
 * PostgreSQL, any on the server: transaction ids, and so the snapshot's xmin, are server-wide).
 *
 * The cursor is an opaque string for (tx_id, seq), the last position the reader has passed. It
 * advances past events the type filter leaves out, and, when a page reaches the visible end, to that
 * end, so a reader filtering on a rare type never scans the same events again.
 *
 * Test events (`webhook.test`, sent to one endpoint on an admin's request) are not directory changes:
 * the feed skips them, as if they were not there.
 */

export interface FeedEvent {
  /** The event id: the `webhook-id` header of its deliveries. */
  id: string;
  type: EventType;
  timestamp: string;
  data: unknown;
}

export interface FeedPage {
  events: FeedEvent[];
  /** Pass as `after` for the next page (also when `events` is empty). */
  next_cursor: string;
  /** True when the page stopped at `limit` or at the scan bound: ask again at once. */
  has_more: boolean;
}

/** Where to start: after a cursor, from the oldest event kept, or from the current end. */
export type FeedStart = { cursor: string } | "start" | "end";

export interface FeedQuery {
  after: FeedStart;
  limit: number;
  /** Only these types (all when undefined). */
  types: readonly EventType[] | undefined;
}

interface Position {
  tx: string;
  seq: string;
}

/** Rows examined per read at most, matching the filter or not: a read's cost is bounded. */
const SCAN_LIMIT = 5000;
const CURSOR_PREFIX = "ev1.";

export function encodeCursor(p: Position): string {
  return CURSOR_PREFIX + Buffer.from(`${p.tx}.${p.seq}`, "utf8").toString("base64url");
}

/** The cursor's position, or undefined when it is not one this feed made. */
export function decodeCursor(cursor: string): Position | undefined {
  if (!cursor.startsWith(CURSOR_PREFIX)) return undefined;
  const m = /^(\d{1,20})\.(\d{1,19})$/.exec(Buffer.from(cursor.slice(CURSOR_PREFIX.length), "base64url").toString("utf8"));
  if (!m || BigInt(m[1]!) >= 2n ** 64n || BigInt(m[2]!) >= 2n ** 63n) return undefined;
  return { tx: m[1]!, seq: m[2]! };
}

/** Parses the API's and the CLI's type list (comma-separated, repeatable); the bad value is named. */
export function parseEventTypes(values: readonly string[]): EventType[] {
  const types = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  for (const t of types) {
    if (!(EVENT_TYPES as readonly string[]).includes(t)) throw new DirectoryError("invalid", `unknown event type "${t}"; known types: ${EVENT_TYPES.join(", ")}`);
  }
  return [...new Set(types as EventType[])];
}

interface ReadRow {
  xmin: string;
  scanned: number;
  last_tx: string | null;
  last_seq: string | null;
  expired: boolean;
  events: { tx: string; seq: string; id: string; payload: { type: EventType; timestamp: string; data: unknown } }[];
}

export interface EventFeed {
  read(query: FeedQuery): Promise<FeedPage>;
  /**
   * The transaction id the visible end must reach before every transaction running now (anywhere on
   * the server) has ended: a reader that wants "the events there are now" reads until then.
   */
  settledAt(): Promise<string>;
  /** Whether a page's next_cursor is at or past `settledAt`'s position. */
  reaches(cursor: string, settled: string): boolean;
}

export function createEventFeed(prisma: PrismaClient): EventFeed {
  return {
    async read({ after, limit, types }) {
      let from: Position = { tx: "0", seq: "0" };
      if (typeof after === "object") {
        const p = decodeCursor(after.cursor);
        if (!p) throw new DirectoryError("invalid", `after: "${after.cursor}" is not an events cursor (use a next_cursor from this API, "start" or "end")`);
        from = p;
      }
      // One statement, so the visible end (xmin), the retention horizon and the rows come from one snapshot.
      const [row] = await prisma.$queryRawUnsafe<ReadRow[]>(
        `WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
         w AS (SELECT o.seq, o.tx_id, o.type FROM outbox_events o
                WHERE (o.tx_id, o.seq) > ($1::xid8, $2::bigint) AND o.tx_id < (SELECT xmin FROM s)
                  AND o.type <> '${TEST_EVENT_TYPE}'
                ORDER BY o.tx_id, o.seq LIMIT $3),
         m AS (SELECT seq, tx_id FROM w WHERE $5::text[] IS NULL OR type = ANY($5::text[]) ORDER BY tx_id, seq LIMIT $4),
         l AS (SELECT tx_id, seq FROM w ORDER BY tx_id DESC, seq DESC LIMIT 1)
         SELECT (SELECT xmin::text FROM s) AS xmin,
                (SELECT count(*) FROM w)::int AS scanned,
                (SELECT tx_id::text FROM l) AS last_tx,
                (SELECT seq::text FROM l) AS last_seq,
                (COALESCE((SELECT (h.tx_id, h.seq) > ($1::xid8, $2::bigint) FROM outbox_horizon h WHERE h.id = 1), false)
                  -- A position past every transaction id this server has given out was made before the
                  -- database was restored into another server (see rebaseFeedAfterRestore).
                  OR $1::xid8 > pg_snapshot_xmax(pg_current_snapshot())) AND $6::boolean AS expired,
                COALESCE((SELECT json_agg(json_build_object('tx', o.tx_id::text, 'seq', o.seq::text, 'id', o.id, 'payload', o.payload) ORDER BY o.tx_id, o.seq)
                            FROM m JOIN outbox_events o ON o.seq = m.seq), '[]'::json) AS events`,
        from.tx,
        from.seq,
        after === "end" ? 0 : SCAN_LIMIT,
        limit,
        types === undefined ? null : [...types],
        typeof after === "object",
      );
      if (!row) throw new Error("events feed: the read returned no row");
      if (row.expired) {
        throw new DirectoryError("gone", "events after this cursor were deleted after WEBHOOK_RETENTION (or the database was restored since it was made): read again from after=start (the oldest event kept) or after=end");
      }
      const events = row.events.map((e) => ({ id: e.id, ...e.payload }));
      const end: Position = { tx: row.xmin, seq: "0" };
      let next: Position;
      let more = true;
      if (row.events.length === limit) next = row.events[row.events.length - 1]!;
      else if (row.scanned === SCAN_LIMIT) next = { tx: row.last_tx!, seq: row.last_seq! };
      else {
        // Everything below the visible end was read: start the next read there (it is only ever ahead).
        next = after === "end" || compare(end, from) > 0 ? end : from;
        more = false;
      }
      return { events, next_cursor: encodeCursor(next), has_more: more };
    },
    async settledAt() {
      const [row] = await prisma.$queryRawUnsafe<{ xmax: string }[]>("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax");
      if (!row) throw new Error("events feed: the snapshot query returned no row");
      return row.xmax;
    },
    reaches(cursor, settled) {
      const p = decodeCursor(cursor);
      return p !== undefined && BigInt(p.tx) >= BigInt(settled);
    },
  };
}

function compare(a: Position, b: Position): number {
  const d = BigInt(a.tx) - BigInt(b.tx) || BigInt(a.seq) - BigInt(b.seq);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/**
 * Transaction ids belong to one PostgreSQL server: a database dumped and restored into another (or
 * moved by logical replication) may hold events whose tx_id is ahead of every id the new server will
 * give out for a long time, so they would stay below the visible end and new events would sort before
 * them. Run at start: events ahead of the server take the id of this transaction (their order among
 * themselves stays their seq order, after every event that is not ahead), and a cursor made on the old
 * server is refused with a 410 while it is ahead (the feed's read). Returns how many events moved.
 */
export async function rebaseFeedAfterRestore(sql: SqlRunner): Promise<number> {
  const [ahead] = await sql.query<{ ahead: boolean }>(
    "SELECT COALESCE((SELECT max(tx_id) FROM outbox_events) >= pg_snapshot_xmax(pg_current_snapshot()), false) AS ahead",
  );
  if (!ahead?.ahead) return 0;
  const [moved] = await sql.query<{ n: number }>(
    "WITH m AS (UPDATE outbox_events SET tx_id = pg_current_xact_id() WHERE tx_id >= pg_current_xact_id() RETURNING 1) SELECT count(*)::int AS n FROM m",
  );
  return moved?.n ?? 0;
}
