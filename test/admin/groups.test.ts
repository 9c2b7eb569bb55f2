import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

describe.each(testEngines())("admin API: application groups on %s", (engine) => {
  let b: TestBridge;
  let ann: string;
  let outsider: string;
  let orgId: string;
  const admin = (method: "get" | "post" | "patch" | "delete", path: string) => request(b.app)[method](`/api/v2${path}`).set("Authorization", `Bearer ${b.adminToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine);
    ann = (await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "ann@g.example" })).body.id;
    orgId = (await admin("get", "/organizations/default")).body.id;
    // A user outside the default organization.
    outsider = (await b.db.prisma.user.create({ data: { userName: "out", userNameKey: "out", username: "out", resource: { userName: "out" } } })).id;
  });
  afterAll(async () => {
    await b.close();
  });

  it("lists groups without their members on ?members=false, still counted (a picker in a large organization)", async () => {
    const g = (await admin("post", "/organizations/default/groups").send({ name: "pickers" })).body.id as string;
    await admin("patch", `/groups/${g}`).send({ add_users: [ann] });
    const full = (await admin("get", "/organizations/default/groups")).body as { id: string; total_member_count: number; members: unknown[] }[];
    const light = await admin("get", "/organizations/default/groups?members=false");
    expect(light.status).toBe(200);
    expect(light.body).toEqual(full.map((x) => ({ ...x, members: [] })));
    expect(light.body.find((x: { id: string }) => x.id === g)).toMatchObject({ name: "pickers", total_member_count: 1 });
    expect(light.body.find((x: { id: string }) => x.id === orgId)).toMatchObject({ name: "Everyone", total_member_count: 1 });
    const bad = await admin("get", "/organizations/default/groups?members=maybe");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("members must be true or false");
    await admin("delete", `/groups/${g}`);
  });

  it("shows the Everyone group with the organization's members, implicitly", async () => {
    const list = (await admin("get", "/organizations/default/groups")).body;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: orgId, name: "Everyone", organization_id: orgId, organization_name: "default", total_member_count: 1, source: "user" });
    expect(list[0].members).toEqual([expect.objectContaining({ id: ann, username: "ann", membership_source: "implicit" })]);
  });

  it("creates, reads, patches members and deletes a group, with manual memberships", async () => {
    const created = await admin("post", "/organizations/default/groups").send({ name: "devs", display_name: "Developers", quota_allowance: 5 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "devs", display_name: "Developers", quota_allowance: 5, members: [], total_member_count: 0, source: "user" });
    const id = created.body.id as string;
    expect((await admin("get", "/organizations/default/groups/devs")).body.id).toBe(id);
    expect((await admin("post", "/organizations/default/groups").send({ name: "devs" })).status).toBe(409);

    const added = await admin("patch", `/groups/${id}`).send({ add_users: [ann], display_name: "Devs" });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ display_name: "Devs", total_member_count: 1, members: [{ id: ann, membership_source: "manual" }] });

    const outside = await admin("patch", `/groups/${id}`).send({ add_users: [outsider] });
    expect(outside.status).toBe(400);
    expect(outside.body.message).toMatch(/not members of organization default/);
    expect((await admin("patch", `/groups/${id}`).send({ add_users: ["ann"] })).body.message).toMatch(/take user ids/);

    const removed = await admin("patch", `/groups/${id}`).send({ remove_users: [ann], name: "developers" });
    expect(removed.body).toMatchObject({ name: "developers", members: [] });

    const del = await admin("delete", `/groups/${id}`);
    expect(del.status).toBe(200);
    expect(del.body.name).toBe("developers");
    expect((await admin("get", `/groups/${id}`)).status).toBe(404);
  });

  it("protects the Everyone group", async () => {
    expect((await admin("patch", `/groups/${orgId}`).send({ add_users: [ann] })).status).toBe(400);
    expect((await admin("patch", `/groups/${orgId}`).send({ name: "All" })).status).toBe(400);
    expect((await admin("delete", `/groups/${orgId}`)).status).toBe(400);
    expect((await admin("post", "/organizations/default/groups").send({ name: "everyone" })).status).toBe(400);
    expect((await admin("patch", `/groups/${orgId}`).send({ quota_allowance: 3 })).body.quota_allowance).toBe(3);
  });

  it("validates bodies with Coder-style validations", async () => {
    const res = await admin("post", "/organizations/default/groups").send({ name: "", quota_allowance: -1 });
    expect(res.status).toBe(400);
    expect(res.body.validations.map((v: { field: string }) => v.field).sort()).toEqual(["name", "quota_allowance"]);
  });
});
