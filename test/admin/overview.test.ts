import request from "supertest";
import { startListener } from "../../src/harness/listener";
import { overviewSchema } from "../../src/admin/openapi/overview-responses";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/** `GET /api/v2/overview`: its numbers after SCIM writes, a suspension, a failing webhook and a run. */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe.each(testEngines())("admin API: overview on %s", (engine) => {
  let b: TestBridge;
  const admin = (m: "get" | "post" | "put" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const scim = (m: "post" | "patch", p: string, body: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const overview = async () => {
    const res = await admin("get", "/overview");
    expect(res.status).toBe(200);
    const parsed = overviewSchema.safeParse(res.body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    return parsed.data!;
  };

  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  it("starts empty: no users, the default organization with its Everyone group, the SCIM token never used", async () => {
    const o = await overview();
    expect(o.users).toEqual({ total: 0, active: 0, dormant: 0, suspended: 0 });
    expect(o).toMatchObject({ organizations: 1, groups: 1, idp_groups: 0, sync_problems: { count_24h: 0, recent: [] }, webhooks: [], last_reconciliation: null });
    expect(o.scim_tokens).toEqual([{ id: expect.any(String), name: "test-scim", last_used_at: null, revoked_at: null, writes_24h: 0 }]);
    expect(Date.parse(o.generated_at) - Date.parse(o.since)).toBe(24 * 3600 * 1000);
  });

  it("counts SCIM writes per token, a suspension, sync problems, a failing webhook's queue and the last run", async () => {
    // A webhook to a port nobody listens on: every attempt fails.
    const probe = await startListener({ port: 0, secret: "whsec_placeholder0000000000000000000000000000=" });
    await probe.close();
    const hook = await admin("post", "/webhooks").send({ url: probe.url, description: "down" });
    expect(hook.status).toBe(201);
    // Group sync without auto-create: membership of an unmapped IdP group is a sync problem.
    const org = (await admin("get", "/organizations/default")).body.id as string;
    expect((await admin("patch", `/organizations/${org}/settings/idpsync/groups`).send({ field: "groups", mapping: null, regex_filter: null, auto_create_missing_groups: false })).status).toBe(200);

    const ids: string[] = [];
    for (const userName of ["ann@o.example", "bob@o.example", "cy@o.example"]) {
      const made = await scim("post", "/Users", { schemas: [USER], userName, active: true });
      expect(made.status).toBe(201);
      ids.push(made.body.id as string);
    }
    expect((await scim("patch", `/Users/${ids[0]}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "Ann" }] })).status).toBe(200);
    expect((await scim("post", "/Groups", { schemas: [GROUP], displayName: "Unmapped", members: [{ value: ids[1] }] })).status).toBe(201);
    expect((await admin("put", `/users/${ids[2]}/status/suspend`)).status).toBe(200);
    // Another SCIM token that wrote nothing: listed with zero writes.
    expect((await admin("post", "/tokens").send({ name: "entra", scope: "scim" })).status).toBe(201);

    for (let i = 0; i < 50; i++) {
      const [w] = (await overview()).webhooks;
      if (w?.last_failure) break;
      await b.bridge.dispatcher.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    const run = await admin("post", "/reconciliations").send({ kind: "resync" });
    expect(run.status).toBe(201);

    const o = await overview();
    expect(o.users).toEqual({ total: 3, active: 2, dormant: 0, suspended: 1 });
    expect(o).toMatchObject({ organizations: 1, groups: 1, idp_groups: 1 });
    // 3 creates, a patch and a group create by test-scim; the admin's suspension is not a SCIM write.
    expect(o.scim_tokens.map((t) => [t.name, t.writes_24h])).toEqual([["entra", 0], ["test-scim", 5]]);
    expect(o.sync_problems.count_24h).toBeGreaterThanOrEqual(1);
    expect(o.sync_problems.recent[0]).toMatchObject({ user_id: ids[1], username: "bob", dimension: "group", organization_id: org });
    expect(o.sync_problems.recent[0]!.problem).toContain("Unmapped");
    expect(o.webhooks).toHaveLength(1);
    expect(o.webhooks[0]).toMatchObject({ id: hook.body.id, description: "down", enabled: true });
    expect(o.webhooks[0]!.pending_deliveries).toBeGreaterThanOrEqual(1);
    expect(o.webhooks[0]!.last_failure).toMatchObject({ status_code: null, error: expect.any(String) });
    expect(o.last_reconciliation).toMatchObject({ id: run.body.id, kind: "resync", status: "completed", dry_run: true });
  });

  it("shows a webhook's health as the Webhooks page does: a failure retried with success is still its last failure", async () => {
    const hook = await admin("post", "/webhooks").send({ url: "http://127.0.0.1:9/nowhere", description: "recovers" });
    expect(hook.status).toBe(201);
    const id = hook.body.id as string;
    // The first attempt is answered 500, the retry 204.
    const listener = await startListener({ port: 0, secret: hook.body.secret as string, statuses: [500, 204] });
    try {
      expect((await admin("patch", `/webhooks/${id}`).send({ url: listener.url })).status).toBe(200);
      expect((await admin("post", `/webhooks/${id}/test`)).status).toBeLessThan(300);
      const listed = async () => (await admin("get", `/webhooks/${id}`)).body as { pending_deliveries: number; failed_deliveries: number; last_failure: unknown };
      for (let i = 0; i < 100 && !(listener.events.length >= 2 && (await listed()).pending_deliveries === 0); i++) {
        await b.bridge.dispatcher.tick();
        await new Promise((r) => setTimeout(r, 20));
      }
      const page = await listed();
      expect(page).toMatchObject({ pending_deliveries: 0, failed_deliveries: 0, last_failure: { status_code: 500, error: "HTTP 500" } });
      const shown = (await overview()).webhooks.find((w) => w.id === id);
      expect(shown).toMatchObject({ description: "recovers", pending_deliveries: page.pending_deliveries, failed_deliveries: page.failed_deliveries, last_failure: page.last_failure });
    } finally {
      await listener.close();
    }
  });

  it("is for admins only", async () => {
    expect((await request(b.app).get("/api/v2/overview").set("Authorization", `Bearer ${b.scimToken}`)).status).toBe(403);
  });
});
