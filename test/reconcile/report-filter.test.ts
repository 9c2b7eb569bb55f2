import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";
import { seedSyncDirectory, seededId } from "../support/seed-sync";

/** A run's report filtered by kind, dimension and user (the console's diff of a large report), paged. */
describe.each(testEngines())("reconciliation report filters on %s", (engine) => {
  let b: TestBridge;
  let runId: string;
  const api = (p: string) => request(b.app).get(`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  type Line = { kind: string; dimension: string; user_id?: string; username?: string };
  beforeAll(async () => {
    b = await startTestBridge(engine);
    await seedSyncDirectory(b.db, 60);
    const run = await request(b.app).post("/api/v2/reconciliations?wait=30").set("Authorization", `Bearer ${b.adminToken}`).send({ kind: "resync" });
    expect(run.body).toMatchObject({ status: "completed", dry_run: true });
    runId = run.body.id;
  });
  afterAll(async () => {
    await b.close();
  });

  it("keeps only one dimension's lines, counted over the whole report and paged", async () => {
    const all = await api(`/reconciliations/${runId}?limit=1000`);
    const roles = await api(`/reconciliations/${runId}?dimension=role&limit=1`);
    expect(roles.status).toBe(200);
    const expected = (all.body.items as Line[]).filter((i) => i.dimension === "role");
    expect(expected.length).toBeGreaterThan(1);
    expect(roles.body.items_count).toBe(expected.length);
    expect(roles.body.items).toHaveLength(1);
    const groups = await api(`/reconciliations/${runId}?dimension=group&kind=change&limit=1000`);
    expect(groups.body.items_count).toBe((all.body.items as Line[]).filter((i) => i.dimension === "group" && i.kind === "change").length);
    expect((groups.body.items as Line[]).every((i) => i.dimension === "group")).toBe(true);
  });

  it("keeps one user's lines, by user id or by part of the username in any case", async () => {
    const byId = await api(`/reconciliations/${runId}?user=${seededId(7)}`);
    expect(byId.body.items_count).toBeGreaterThan(0);
    expect((byId.body.items as Line[]).every((i) => i.user_id === seededId(7))).toBe(true);
    const byName = await api(`/reconciliations/${runId}?user=USER7&dimension=group`);
    const names = new Set((byName.body.items as Line[]).map((i) => i.username));
    expect([...names].sort()).toEqual(["user7"]);
    const none = await api(`/reconciliations/${runId}?user=nobody-at-all`);
    expect(none.body).toMatchObject({ items: [], items_count: 0 });
  });

  it("matches the username literally: % and _ are not wildcards", async () => {
    expect((await api(`/reconciliations/${runId}?user=user7`)).body.items_count).toBeGreaterThan(0);
    for (const pattern of ["us_r7", "%", "user%7", "_"]) {
      const res = await api(`/reconciliations/${runId}?user=${encodeURIComponent(pattern)}`);
      expect([pattern, res.status, res.body.items_count]).toEqual([pattern, 200, 0]);
    }
  });

  it("refuses an unknown dimension in words", async () => {
    const bad = await api(`/reconciliations/${runId}?dimension=planet`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("dimension");
  });
});
