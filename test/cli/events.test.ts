import { Client } from "pg";
import { openForProcess } from "../../src/app";
import type { Config } from "../../src/config/config";
import { main } from "../../src/cli/main";
import { createLogger } from "../../src/log/logger";
import { cliConfigPerTest } from "../support/cli";
import { testEngines } from "../support/databases";

/** `scim-bridge events tail`: the events feed from the command line, as JSON lines. */

const silent = createLogger({ level: "error", format: "json", silent: true });

async function addEvents(config: Config, names: string[], type = "user.created"): Promise<void> {
  const { db, close } = await openForProcess(config, "test setup", silent);
  try {
    for (const name of names) await db.prisma.outboxEvent.create({ data: { type, payload: { type, timestamp: new Date().toISOString(), data: { username: name } } } });
  } finally {
    await close();
  }
}

describe.each(testEngines())("scim-bridge events tail on %s", (engine) => {
  const config = cliConfigPerTest(engine, "bridge-cli-events-");
  const run = async (args: string[], untilStopped?: () => Promise<void>, out: string[] = []) => {
    const err: string[] = [];
    const code = await main(["node", "scim-bridge", ...args], { out: (l) => out.push(l), err: (l) => err.push(l), ...(untilStopped ? { untilStopped } : {}) }, config);
    return { code, out, err: err.join("\n") };
  };
  const names = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { data: { username: string } }).data.username);
  const resume = (err: string) => /resume with --after (\S+)/.exec(err)?.[1];

  it("prints what there is and exits with --no-follow, from the start, the end or a cursor, filtered", async () => {
    // The command opens the database, which migrates it; then the events are added.
    expect(await run(["events", "tail", "--no-follow"])).toMatchObject({ code: 0, out: [] });
    await addEvents(config(), ["a", "b"]);
    await addEvents(config(), ["c"], "user.deleted");

    const all = await run(["events", "tail", "--from-start", "--no-follow"]);
    expect(all.code).toBe(0);
    expect(names(all.out)).toEqual(["a", "b", "c"]);
    expect(JSON.parse(all.out[0]!)).toEqual({ id: expect.any(String), type: "user.created", timestamp: expect.any(String), data: { username: "a" } });
    expect(names((await run(["events", "tail", "--from-start", "--no-follow", "--type", "user.deleted"])).out)).toEqual(["c"]);

    const atEnd = await run(["events", "tail", "--no-follow"]);
    expect(atEnd.out).toEqual([]);
    const cursor = resume(atEnd.err);
    expect(cursor).toBeDefined();
    await addEvents(config(), ["d"]);
    expect(names((await run(["events", "tail", "--no-follow", "--after", cursor!])).out)).toEqual(["d"]);
    expect(names((await run(["events", "tail", "--no-follow", "--after", resume(all.err)!])).out)).toEqual(["d"]);

    expect(await run(["events", "tail", "--no-follow", "--type", "user.exploded"])).toMatchObject({ code: 1, err: expect.stringMatching(/unknown event type "user.exploded"/) });
    expect(await run(["events", "tail", "--no-follow", "--after", "nonsense"])).toMatchObject({ code: 1, err: expect.stringMatching(/not an events cursor/) });
    expect(await run(["events", "tail", "--interval", "soon"])).toMatchObject({ code: 1, err: expect.stringMatching(/duration/) });
    expect((await run(["events", "tail", "--after", "end", "--from-start"])).code).toBe(1);
  }, 120_000);

  // Transaction ids and so the feed's visible end are server-wide on PostgreSQL: a transaction left open
  // in another database on the same server (another application, a psql session) holds the end back.
  // Events committed before the command ran are still "the events there are".
  if (engine === "postgres") {
    it("with --no-follow, waits for transactions that were running elsewhere on the server when it started", async () => {
      await run(["migrate"]);
      const other = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await other.connect();
      try {
        await other.query("BEGIN");
        await other.query("SELECT pg_current_xact_id()");
        await addEvents(config(), ["a", "b"]);
        const tail = run(["events", "tail", "--from-start", "--no-follow"]);
        await new Promise((r) => setTimeout(r, 400));
        await other.query("COMMIT");
        const done = await tail;
        expect(done.code).toBe(0);
        expect(names(done.out)).toEqual(["a", "b"]);

        // Still open past --wait: what is visible is printed, and stderr says what is not yet.
        await other.query("BEGIN");
        await other.query("SELECT pg_current_xact_id()");
        await addEvents(config(), ["c"]);
        const early = await run(["events", "tail", "--no-follow", "--after", resume(done.err)!, "--wait", "300ms"]);
        expect(early.code).toBe(0);
        expect(early.out).toEqual([]);
        expect(early.err).toMatch(/still running/);
        await other.query("COMMIT");
        expect(names((await run(["events", "tail", "--no-follow", "--after", resume(early.err)!])).out)).toEqual(["c"]);
      } finally {
        await other.end();
      }
    }, 120_000);
  }

  it("follows until it is stopped", async () => {
    await run(["migrate"]);
    await addEvents(config(), ["a", "b"]);
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const out: string[] = [];
    const tail = run(["events", "tail", "--from-start", "--interval", "100ms"], () => stopped, out);
    const waitFor = async (n: number) => {
      for (let i = 0; i < 300 && out.length < n; i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toHaveLength(n);
    };
    await waitFor(2);
    if (engine === "postgres") {
      // A second process writes while the tail follows (the embedded database has one process at a time).
      await addEvents(config(), ["c"]);
      await waitFor(3);
    }
    stop();
    const done = await tail;
    expect(done.code).toBe(0);
    expect(names(done.out)).toEqual(engine === "postgres" ? ["a", "b", "c"] : ["a", "b"]);
    expect(resume(done.err)).toBeDefined();
  }, 120_000);
});
