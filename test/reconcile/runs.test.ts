import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";
import { seedSyncDirectory } from "../support/seed-sync";

/** Runs that outlast the request, runs whose process died, and runs stopped by a shutdown. */
describe.each(testEngines())("long reconciliation runs on %s", (engine) => {
  let b: TestBridge;
  const api = (m: "get" | "post", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  beforeAll(async () => {
    b = await startTestBridge(engine);
    await seedSyncDirectory(b.db, 4000);
  });
  afterAll(async () => {
    await b.close();
  });

  it("answers 202 with the running run when it outlasts ?wait=, and the run completes in the background", async () => {
    const started = await api("post", "/reconciliations?wait=0").send({ kind: "resync", batch_size: 100 });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: "running", dry_run: true, finished_at: null });
    expect(started.headers.location).toBe(`/api/v2/reconciliations/${started.body.id}`);
    let run = started.body;
    for (let i = 0; i < 600 && run.status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await api("get", `/reconciliations/${started.body.id}?limit=1`)).body;
    }
    expect(run).toMatchObject({ status: "completed", summary: { users_total: 4000, users_scanned: 4000, changes: 8080 } });
  });

  it("marks a run that stopped making progress (its process died) as interrupted", async () => {
    const ghost = await b.db.prisma.reconciliationRun.create({ data: { kind: "resync", dryRun: false, actor: "cli", parameters: {} } });
    await b.db.prisma.$executeRawUnsafe(`UPDATE reconciliation_runs SET updated_at = now() - interval '10 minutes' WHERE id = $1::uuid`, ghost.id);
    const fresh = await b.db.prisma.reconciliationRun.create({ data: { kind: "resync", dryRun: true, actor: "cli", parameters: {} } });
    const list = (await api("get", "/reconciliations?limit=1000")).body.runs as { id: string; status: string; error: string | null }[];
    expect(list.find((r) => r.id === ghost.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/^interrupted: the process running it stopped/) });
    expect(list.find((r) => r.id === fresh.id)).toMatchObject({ status: "running", error: null });
    await b.db.prisma.reconciliationRun.delete({ where: { id: fresh.id } });
  });

  it("keeps serving the APIs while a run goes on (the embedded database is one connection)", async () => {
    const started = await api("post", "/reconciliations?wait=0").send({ kind: "resync", batch_size: 50 });
    expect(started.status).toBe(202);
    const lookup = await request(b.app).get("/scim/v2/Users?count=1").set("Authorization", `Bearer ${b.scimToken}`);
    expect(lookup.status).toBe(200);
    const during = await b.db.prisma.reconciliationRun.findUniqueOrThrow({ where: { id: started.body.id } });
    expect(during.status).toBe("running");
    expect(during.usersScanned).toBeLessThan(4000);
    for (let i = 0; i < 600 && (await api("get", `/reconciliations/${started.body.id}?limit=1`)).body.status === "running"; i++) await new Promise((r) => setTimeout(r, 50));
  });

  it("stops a run between batches when the bridge shuts down, and says so", async () => {
    const started = await api("post", "/reconciliations?wait=0").send({ kind: "resync", batch_size: 50 });
    expect(started.status).toBe(202);
    await b.bridge.reconciliations.close();
    const run = await b.db.prisma.reconciliationRun.findUniqueOrThrow({ where: { id: started.body.id } });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^stopped: the bridge shut down before the run finished/);
    expect(run.usersScanned).toBeLessThan(4000);
    // And it takes no new runs.
    expect((await api("post", "/reconciliations").send({ kind: "resync" })).status).toBe(409);
  });
});
