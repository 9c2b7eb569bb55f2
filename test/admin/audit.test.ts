import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

describe.each(testEngines())("admin API: audit log on %s", (engine) => {
  let b: TestBridge;
  let u: string;
  const api = (p: string) => request(b.app).get(`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine);
    const org = (await api("/organizations/default")).body.id as string;
    await request(b.app).patch(`/api/v2/organizations/${org}/settings/idpsync/groups`).set("Authorization", `Bearer ${b.adminToken}`)
      .send({ field: "groups", mapping: null, regex_filter: null, auto_create_missing_groups: true });
    u = (await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "audited@x.example" })).body.id;
    await request(b.app).post("/scim/v2/Groups").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [GROUP], displayName: "Platform", members: [{ value: u }] });
  });
  afterAll(async () => {
    await b.close();
  });

  it("lists a user's sync decisions by dimension, with the rule that produced each", async () => {
    const res = await api(`/audit?user=audited&dimension=group`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(1);
    expect(res.body.audit_logs[0]).toMatchObject({
      actor: "test-scim",
      action: "sync.group.added",
      user_id: u,
      details: { dimension: "group", rule: "autoCreate", field: "groups", value: "Platform" },
    });
  });

  it("filters by action and time, pages newest first, and validates the query", async () => {
    const all = (await api(`/audit?user=${u}`)).body;
    expect(all.count).toBeGreaterThanOrEqual(3);
    const first = (await api(`/audit?user=${u}&limit=1`)).body;
    expect(first.audit_logs[0].id).toBe(all.audit_logs[0].id);
    const second = (await api(`/audit?user=${u}&limit=1&offset=1`)).body;
    expect(second.audit_logs[0].id).toBe(all.audit_logs[1].id);
    expect((await api("/audit?action=user.created")).body.audit_logs.every((a: { action: string }) => a.action === "user.created")).toBe(true);
    expect((await api(`/audit?until=2000-01-01T00:00:00Z`)).body.count).toBe(0);
    expect((await api(`/audit?since=2000-01-01T00:00:00Z&user=${u}`)).body.count).toBe(all.count);
    expect((await api("/audit?dimension=colour")).status).toBe(400);
    expect((await api("/audit?since=yesterday")).status).toBe(400);
    expect((await api("/audit?user=nobody")).status).toBe(404);
  });
});
