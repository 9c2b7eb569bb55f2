import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * RUN_RETENTION: finished reconciliation runs (with their report lines) older than the retention are
 * deleted; a running run and the newest run of each kind are never deleted, whatever their age.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const DAY = 86_400_000;

describe.each(testEngines())("reconciliation run retention on %s", (engine) => {
  let b: TestBridge;
  beforeAll(async () => {
    b = await startTestBridge(engine, { runRetentionMs: 90 * DAY });
  });
  afterAll(async () => {
    await b.close();
  });

  const admin = (body: object) => request(b.app).post("/api/v2/reconciliations").set("Authorization", `Bearer ${b.adminToken}`).send(body);
  const age = (id: string, days: number) => {
    const at = new Date(Date.now() - days * DAY);
    return b.db.prisma.reconciliationRun.update({ where: { id }, data: { createdAt: at, finishedAt: at } });
  };

  it("deletes finished runs past the retention with their items, keeping running runs and the newest of each kind", async () => {
    expect((await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "ret@corp.example" })).status).toBe(201);
    const data = { Users: [{ schemas: [USER], userName: "ret@corp.example", title: "changed" }] };
    const ids: string[] = [];
    for (const body of [{ kind: "resync" }, { kind: "resync" }, { kind: "import", data }, { kind: "resync" }, { kind: "resync" }, { kind: "import", data }]) {
      const run = await admin(body);
      expect(run.status).toBe(201);
      ids.push(run.body.id as string);
    }
    const [oldResync, olderResync, oldImport, recentResync, stuck, newImport] = ids as [string, string, string, string, string, string];
    await age(olderResync, 200);
    await age(oldResync, 120);
    await age(oldImport, 300);
    await age(newImport, 100);
    await age(recentResync, 10);
    // A run still marked running is never deleted, however old (the stale-run sweep marks it first).
    await age(stuck, 400);
    await b.db.prisma.reconciliationRun.update({ where: { id: stuck }, data: { status: "running", finishedAt: null } });
    expect(await b.db.prisma.reconciliationItem.count({ where: { runId: oldImport } })).toBeGreaterThan(0);

    expect(await b.bridge.reconciliations.prune()).toBe(3);
    const left = (await b.db.prisma.reconciliationRun.findMany({ select: { id: true } })).map((r) => r.id).sort();
    // The newest import (kept though 100 days old), the newest resync, the running one.
    expect(left).toEqual([newImport, recentResync, stuck].sort());
    expect(await b.db.prisma.reconciliationItem.count({ where: { runId: oldImport } })).toBe(0);
    expect((await request(b.app).get(`/api/v2/reconciliations/${oldResync}`).set("Authorization", `Bearer ${b.adminToken}`)).status).toBe(404);
    expect(await b.bridge.reconciliations.prune()).toBe(0);
  });
});
