import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openForProcess } from "../../src/app";
import { main } from "../../src/cli/main";
import { loadConfig, type Config } from "../../src/config/config";
import { ensureDefaultOrganization } from "../../src/directory/bootstrap";
import { createLogger } from "../../src/log/logger";
import { emptyDatabase, testEngines, type TestDatabase } from "../support/databases";
import { seededId, seedSyncDirectory, syncState } from "../support/seed-sync";
import { capture } from "../support/cli";

const silent = createLogger({ level: "error", format: "json", silent: true });
const root = path.resolve(__dirname, "../..");

async function prepared(engine: TestDatabase["engine"], users: number) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-reconcile-"));
  const t = await emptyDatabase(engine);
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "error" };
  if (t.target.kind === "postgres") env.DATABASE_URL = t.target.url;
  const config = loadConfig(env, { cwd: dataDir, isTty: false });
  const { db, close } = await openForProcess(config, "test", silent);
  await ensureDefaultOrganization(db);
  await seedSyncDirectory(db, users);
  await close();
  const open = async <T>(fn: (d: typeof db) => Promise<T>) => {
    const o = await openForProcess(config, "test", silent);
    try {
      return await fn(o.db);
    } finally {
      await o.close();
    }
  };
  return { config, env, open, cleanup: async () => (await t.cleanup(), fs.rmSync(dataDir, { recursive: true, force: true })) };
}

describe.each(testEngines())("scim-bridge reconcile on %s", (engine) => {
  let p: Awaited<ReturnType<typeof prepared>>;
  let config: Config;
  beforeAll(async () => {
    p = await prepared(engine, 120);
    config = p.config;
  });
  afterAll(async () => {
    await p.cleanup();
  });

  it("prints a dry run's summary and changes, applies with --apply, and then finds nothing to do", async () => {
    const dry = capture(true);
    expect(await main(["node", "scim-bridge", "reconcile", "--batch-size", "50"], dry.io, () => config)).toBe(0);
    const text = dry.out.join("\n");
    expect(text).toMatch(/^reconciliation [0-9a-f-]{36} \(resync, dry run: nothing was changed\): completed/);
    expect(text).toMatch(/USERS\s+SCANNED\s+CHANGED\s+CHANGES\s+PROBLEMS\s+ERRORS\n120\s+120\s+120\s+243\s+0\s+0/);
    expect(text).toMatch(/change\s+user0\s+group\s+add\s+team-0\s+autoCreate groups=team-0/);
    expect(text).toMatch(/… and 193 more/);
    expect(text).toMatch(/scim-bridge reconcile --apply-run [0-9a-f-]{36}/);
    // A progress bar on a terminal, ending full.
    expect(dry.progress.filter(Boolean).pop()).toMatch(/\[#{30}\] 100%  120\/120/);
    expect((await p.open(syncState)).members).toEqual([]);

    const json = capture();
    expect(await main(["node", "scim-bridge", "reconcile", "--apply", "--format", "json"], json.io, () => config)).toBe(0);
    const report = JSON.parse(json.out.join("\n"));
    expect(report).toMatchObject({ dry_run: false, status: "completed", summary: { changes: 243 } });
    expect(report.items).toHaveLength(243);
    expect(json.progress).toEqual([]);
    expect((await p.open(syncState)).members).toHaveLength(240);

    const again = capture();
    expect(await main(["node", "scim-bridge", "reconcile"], again.io, () => config)).toBe(0);
    expect(again.out.join("\n")).toMatch(/120\s+120\s+0\s+0\s+0\s+0/);
  });

  it("applies a reviewed dry run with --apply-run, and refuses it once applied", async () => {
    await p.open((db) => db.prisma.user.update({ where: { id: seededId(7) }, data: { claims: { groups: ["team-99", "dept-0"] } } }));
    const dry = capture();
    expect(await main(["node", "scim-bridge", "reconcile", "--format", "json"], dry.io, () => config)).toBe(0);
    const reviewed = JSON.parse(dry.out.join("\n"));
    expect(reviewed.items.map((i: { action: string; group_name: string }) => `${i.action} ${i.group_name}`).sort()).toEqual(["add team-99", "remove team-7"]);
    const applied = capture();
    expect(await main(["node", "scim-bridge", "reconcile", "--apply-run", reviewed.id], applied.io, () => config)).toBe(0);
    expect(applied.out[0]).toMatch(/\(resync, applied\): completed/);
    expect((await p.open(syncState)).members.filter((m) => m.startsWith(seededId(7)))).toEqual([`${seededId(7)}:dept-0:sync`, `${seededId(7)}:team-99:sync`]);
    const again = capture();
    expect(await main(["node", "scim-bridge", "reconcile", "--apply-run", reviewed.id], again.io, () => config)).toBe(1);
    // Once applied it says so, not that the plan changed.
    expect(again.err.join("\n")).toMatch(new RegExp(`run ${reviewed.id} was applied at \\S+ \\(apply run [0-9a-f-]{36}\\)`));
  });

  it("refuses bad options with a clear message", async () => {
    const c = capture();
    expect(await main(["node", "scim-bridge", "reconcile", "--org", "nope"], c.io, () => config)).toBe(1);
    expect(c.err.join("\n")).toMatch(/organization "nope" does not exist/);
    const d = capture();
    expect(await main(["node", "scim-bridge", "reconcile", "--import", "/nonexistent.json"], d.io, () => config)).not.toBe(0);
    expect(d.err.join("\n")).toMatch(/cannot read \/nonexistent.json: ENOENT/);
    // --apply-run applies the run as it was made: options that would be ignored are refused.
    const e = capture();
    expect(await main(["node", "scim-bridge", "reconcile", "--apply-run", "00000000-0000-0000-0000-000000000000", "--replace", "--org", "x"], e.io, () => config)).toBe(1);
    expect(e.err.join("\n")).toMatch(/--apply-run applies the dry run as it was made; it takes no --org, --replace/);
  });
});

const pgOnly = testEngines().includes("postgres") ? describe : describe.skip;

pgOnly("an apply killed with SIGKILL and run again (PostgreSQL)", () => {
  it("ends in the same state as an uninterrupted apply, changing nothing twice", async () => {
    const n = 3000;
    const [a, b] = [await prepared("postgres", n), await prepared("postgres", n)];
    try {
      // Uninterrupted, in process.
      expect(await main(["node", "scim-bridge", "reconcile", "--apply", "--batch-size", "50"], capture().io, () => a.config)).toBe(0);
      const expected = await a.open(syncState);
      expect(expected.members.length).toBe(2 * n);

      // Interrupted: the CLI as its own process, killed once some batches have committed.
      const child = spawn(process.execPath, [path.join(root, "bin/scim-bridge.js"), "reconcile", "--apply", "--batch-size", "50"], {
        env: { ...process.env, ...b.env },
        stdio: "ignore",
      });
      const exited = new Promise((r) => child.once("exit", r));
      const scanned = await b.open(async (db) => {
        for (let i = 0; i < 1000; i++) {
          const run = await db.prisma.reconciliationRun.findFirst({ where: { dryRun: false } });
          if (run && run.usersScanned >= 500) {
            child.kill("SIGKILL");
            return run.usersScanned;
          }
          await new Promise((r) => setTimeout(r, 10));
        }
        child.kill("SIGKILL");
        return -1;
      });
      await exited;
      expect(scanned).toBeGreaterThanOrEqual(500);
      const cut = await b.open(async (db) => ({ state: await syncState(db), run: await db.prisma.reconciliationRun.findFirstOrThrow({ where: { dryRun: false } }) }));
      expect(cut.run.status).toBe("running");
      expect(cut.run.usersScanned).toBeLessThan(n);
      // Batches are whole: every user has either all of its memberships or none.
      const perUser = new Map<string, number>();
      for (const m of cut.state.members) perUser.set(m.split(":")[0]!, (perUser.get(m.split(":")[0]!) ?? 0) + 1);
      expect([...perUser.values()].every((c) => c === 2)).toBe(true);
      expect(perUser.size % 50).toBe(0);

      // Run again: it finishes the job without redoing anything.
      const rerun = capture();
      expect(await main(["node", "scim-bridge", "reconcile", "--apply", "--batch-size", "50", "--format", "json"], rerun.io, () => b.config)).toBe(0);
      const report = JSON.parse(rerun.out.join("\n"));
      expect(report.summary.users_changed).toBe(n - perUser.size);
      expect(await b.open(syncState)).toEqual(expected);
      const interrupted = await b.open((db) => db.prisma.reconciliationRun.findUniqueOrThrow({ where: { id: cut.run.id } }));
      expect(interrupted).toMatchObject({ status: "failed", error: expect.stringMatching(/^interrupted/) });
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  }, 120_000);
});
