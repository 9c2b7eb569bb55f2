import { Client } from "pg";
import request from "supertest";
import { migratedDatabase, testEngines, type TestDatabase } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * The events feed under concurrent writers (PostgreSQL only: the embedded database has one connection,
 * so its transactions never overlap). Writers are explicit transactions on their own connections; a
 * reader polls the API between their statements and commits. It must end up with every committed event
 * exactly once, in the order a reader starting later sees, and never one of a rolled-back transaction.
 */

const engines = testEngines().filter((e) => e === "postgres");
const describeIf = engines.length > 0 ? describe : describe.skip;

interface Ev {
  id: string;
  data: { n: number };
}

describeIf("events feed with concurrent writers on postgres", () => {
  let t: TestDatabase;
  let b: TestBridge;
  const writers: Client[] = [];

  beforeAll(async () => {
    t = await migratedDatabase("postgres");
    if (t.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    b = await startTestBridge("postgres", { databaseUrl: t.target.url });
    for (let i = 0; i < 4; i++) {
      const c = new Client({ connectionString: t.target.url });
      await c.connect();
      writers.push(c);
    }
  });
  afterAll(async () => {
    await Promise.all(writers.map((c) => c.end()));
    await b.close();
    await t.cleanup();
  });

  let n = 0;
  /** One event in the writer's open transaction (the column default records its transaction id). */
  const insert = async (c: Client) => {
    n++;
    await c.query(`INSERT INTO outbox_events (id, type, payload) VALUES (gen_random_uuid(), 'user.updated', $1::jsonb)`, [
      JSON.stringify({ type: "user.updated", timestamp: new Date().toISOString(), data: { n } }),
    ]);
    return n;
  };

  /** A reader: reads every page from its cursor (random page sizes) and keeps what it got. */
  const reader = (start: string) => {
    let cursor = start;
    const got: Ev[] = [];
    return {
      got,
      async poll(limit: number) {
        for (;;) {
          const res = await request(b.app).get(`/api/v2/events?limit=${limit}&after=${encodeURIComponent(cursor)}`).set("Authorization", `Bearer ${b.adminToken}`);
          expect(res.status).toBe(200);
          got.push(...(res.body.events as Ev[]));
          cursor = res.body.next_cursor as string;
          if (!res.body.has_more) return;
        }
      },
    };
  };
  /** Polls until `r` holds `n` events: any write transaction on the server, also in other databases (tests running beside this one), holds the feed back a moment. */
  const pollUntil = async (r: ReturnType<typeof reader>, n: number) => {
    for (let i = 0; i < 200 && r.got.length < n; i++) {
      await r.poll(10);
      if (r.got.length < n) await new Promise((done) => setTimeout(done, 50));
    }
  };
  const endCursor = async () => (await request(b.app).get("/api/v2/events?after=end").set("Authorization", `Bearer ${b.adminToken}`)).body.next_cursor as string;

  it("holds back an event of an earlier transaction until it commits, and delivers both once", async () => {
    const r = reader(await endCursor());
    const [early, late] = [writers[0]!, writers[1]!];
    await early.query("BEGIN");
    const a = await insert(early);
    await late.query("BEGIN");
    const c = await insert(late);
    await late.query("COMMIT");
    // `late` committed, but `early` (an older transaction) may still commit an event before it.
    await r.poll(10);
    expect(r.got).toEqual([]);
    await early.query("COMMIT");
    await pollUntil(r, 2);
    expect(r.got.map((e) => e.data.n)).toEqual([a, c]);
    await r.poll(10);
    expect(r.got).toHaveLength(2);
  });

  it("gives every reader every committed event exactly once, in one order, over many random interleavings", async () => {
    const start = await endCursor();
    // Events of the test before may still come after `start` (held back as above): look at this test's only.
    const first = n + 1;
    const mine = (r: ReturnType<typeof reader>) => r.got.filter((e) => e.data.n >= first);
    const readers = [reader(start), reader(start)];
    const committed = new Set<number>();
    const open = new Map<Client, number[]>();
    // A seeded generator: a failure replays the same interleaving.
    let seed = 20261202;
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % k;
    };
    for (let step = 0; step < 300; step++) {
      const c = writers[rand(writers.length)]!;
      const pending = open.get(c);
      const action = rand(10);
      if (!pending) {
        await c.query("BEGIN");
        open.set(c, [await insert(c)]);
      } else if (action < 4) {
        pending.push(await insert(c));
      } else if (action < 8) {
        await c.query("COMMIT");
        for (const x of pending) committed.add(x);
        open.delete(c);
      } else if (action < 9) {
        await c.query("ROLLBACK");
        open.delete(c);
      }
      const who = readers[rand(readers.length + 1)];
      if (who) await who.poll(1 + rand(4));
    }
    for (const [c, pending] of open) {
      await c.query("COMMIT");
      for (const x of pending) committed.add(x);
    }
    const late = reader(start);
    for (const r of [...readers, late]) {
      for (let i = 0; i < 200 && mine(r).length < committed.size; i++) {
        await r.poll(1000);
        await new Promise((done) => setTimeout(done, 50));
      }
    }
    const order = mine(late).map((e) => e.data.n);
    expect(new Set(order)).toEqual(committed);
    expect(order).toHaveLength(committed.size);
    for (const r of readers) {
      expect(mine(r).map((e) => e.data.n)).toEqual(order);
      expect(new Set(r.got.map((e) => e.id)).size).toBe(r.got.length);
    }
  }, 300_000);
});
