import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * What the CLI's client mode needed added to the admin API (issue 17): every IdP sync setting at once
 * (`GET`/`PUT /api/v2/settings/idpsync`, the file of `sync get|set`), and `consequences=` on a run.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

describe.each(testEngines())("admin API additions for client mode on %s", (engine) => {
  let b: TestBridge;
  const api = (m: "get" | "put" | "post", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine);
    await api("post", "/organizations").send({ name: "acme" });
  });
  afterAll(async () => {
    await b.close();
  });

  it("reads every setting at once and saves any part of them in one transaction, audited, refusing bad parts", async () => {
    const all = await api("get", "/settings/idpsync");
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      organization: { field: "", mapping: {}, organization_assign_default: true },
      organizations: {
        acme: { groups: { field: "", mapping: null, regex_filter: null, auto_create_missing_groups: false }, roles: { field: "", mapping: null } },
        default: { groups: { field: "", mapping: null, regex_filter: null, auto_create_missing_groups: false }, roles: { field: "", mapping: null } },
      },
    });

    const saved = await api("put", "/settings/idpsync").send({ organizations: { acme: { roles: { field: "title", mapping: { lead: ["organization-admin"] } } } } });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ saved: ["org acme roles"] });
    expect((await api("get", "/organizations/acme/settings/idpsync/roles")).body).toEqual({ field: "title", mapping: { lead: ["organization-admin"] } });
    const audit = await b.db.prisma.auditEvent.findMany({ where: { action: "settings.role_sync.updated" } });
    expect(audit.map((a) => a.actor)).toEqual(["test-admin"]);

    // One bad part: nothing saved, each problem named.
    const bad = await api("put", "/settings/idpsync").send({ organization: { field: "dept", mapping: {}, organization_assign_default: false }, organizations: { acme: { roles: { field: "title", mapping: { lead: ["owner"] } } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(expect.any(String));
    expect((await api("get", "/settings/idpsync/organization")).body.field).toBe("");

    const unknownKey = await api("put", "/settings/idpsync").send({ organisation: {} });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.validations).toEqual([expect.objectContaining({ field: "body" })]);
    const empty = await api("put", "/settings/idpsync").send({});
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe("No settings to save.");
    expect((await request(b.app).put("/api/v2/settings/idpsync").set("Authorization", `Bearer ${b.scimToken}`).send({})).status).toBe(403);
  });

  it("leaves a run's consequences out with consequences=false and adds them to a later page with true", async () => {
    await api("put", "/settings/idpsync").send({ organizations: { default: { groups: { field: "groups", mapping: null, regex_filter: null, auto_create_missing_groups: true } } } });
    for (const name of ["a", "b"]) await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: name });
    await b.db.prisma.user.updateMany({ data: { claims: { groups: ["eng"] } } });
    const run = await api("post", "/reconciliations").send({ kind: "resync" });
    expect(run.status).toBe(201);
    const id = run.body.id as string;

    const first = await api("get", `/reconciliations/${id}`);
    expect(first.body.consequences).toEqual([expect.objectContaining({ text: expect.any(String) })]);
    const without = await api("get", `/reconciliations/${id}?consequences=false`);
    expect(without.status).toBe(200);
    expect(without.body).not.toHaveProperty("consequences");
    expect(without.body.items_count).toBe(first.body.items_count);
    const later = await api("get", `/reconciliations/${id}?offset=1&consequences=true`);
    expect(later.body.consequences).toEqual(first.body.consequences);
    const bad = await api("get", `/reconciliations/${id}?consequences=maybe`);
    expect(bad.status).toBe(400);
    expect(bad.body.validations).toEqual([{ field: "consequences", detail: "consequences must be true or false" }]);
  });
});
