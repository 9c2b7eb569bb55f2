import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

describe.each(testEngines())("admin API: users and organizations on %s", (engine) => {
  let b: TestBridge;
  let ann: string;
  let bob: string;
  const admin = (method: "get" | "post" | "put", path: string) => request(b.app)[method](`/api/v2${path}`).set("Authorization", `Bearer ${b.adminToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine);
    const mk = async (userName: string, extra: object = {}) =>
      (await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName, ...extra })).body.id as string;
    ann = await mk("ann.lee@corp.example", { name: { givenName: "Ann", familyName: "Lee" }, emails: [{ value: "Ann.Lee@corp.example", primary: true }] });
    bob = await mk("bob@corp.example", { displayName: "Bob B", active: false });
  });
  afterAll(async () => {
    await b.close();
  });

  it("lists users in Coder's shape with their organizations", async () => {
    const res = await admin("get", "/users");
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(2);
    const defaultOrg = (await admin("get", "/organizations/default")).body.id as string;
    expect(res.body.users[0]).toEqual({
      id: ann, username: "ann-lee", email: "ann.lee@corp.example", name: "Ann Lee", avatar_url: "", status: "active", login_type: "oidc",
      organization_ids: [defaultOrg], roles: [], created_at: expect.any(String), updated_at: expect.any(String), last_seen_at: null,
    });
    expect(res.body.users[1]).toMatchObject({ id: bob, username: "bob", name: "Bob B", status: "suspended" });
  });

  it("searches, pages and continues after an id", async () => {
    expect((await admin("get", "/users?q=status:suspended")).body.users.map((u: { id: string }) => u.id)).toEqual([bob]);
    expect((await admin("get", "/users?q=LEE")).body.users.map((u: { id: string }) => u.id)).toEqual([ann]);
    const page = (await admin("get", "/users?limit=1&offset=1")).body;
    expect(page).toMatchObject({ count: 2, users: [{ id: bob }] });
    expect((await admin("get", `/users?after_id=${ann}`)).body.users.map((u: { id: string }) => u.id)).toEqual([bob]);
    const bad = await admin("get", "/users?q=colour:blue");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/unsupported search term "colour:"/);
    expect((await admin("get", "/users?limit=-1")).status).toBe(400);
  });

  it("reads a user by id or username, and answers 404 in Coder's shape", async () => {
    expect((await admin("get", `/users/${ann}`)).body.username).toBe("ann-lee");
    expect((await admin("get", "/users/ann-lee")).body.id).toBe(ann);
    const missing = await admin("get", "/users/nobody");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: "user nobody not found" });
  });

  it("suspends and activates, and the IdP sees it as active=false / true", async () => {
    expect((await admin("put", "/users/ann-lee/status/suspend")).body.status).toBe("suspended");
    const scim = await request(b.app).get(`/scim/v2/Users/${ann}`).set("Authorization", `Bearer ${b.scimToken}`);
    expect(scim.body.active).toBe(false);
    expect((await admin("put", `/users/${ann}/status/activate`)).body.status).toBe("active");
    const audit = await b.db.prisma.auditEvent.findMany({ where: { userId: ann, action: { in: ["user.suspended", "user.reactivated"] } }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([["user.suspended", "test-admin"], ["user.reactivated", "test-admin"]]);
  });

  it("lists, creates and reads organizations, each with its Everyone group", async () => {
    const list = await admin("get", "/organizations");
    expect(list.body).toEqual([expect.objectContaining({ name: "default", is_default: true })]);
    const created = await admin("post", "/organizations").send({ name: "acme", display_name: "Acme Inc" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "acme", display_name: "Acme Inc", is_default: false, description: "", icon: "" });
    expect(await b.db.prisma.group.findUnique({ where: { id: created.body.id } })).toMatchObject({ name: "Everyone", organizationId: created.body.id });
    expect((await admin("get", `/organizations/${created.body.id}`)).body.name).toBe("acme");
    expect((await admin("post", "/organizations").send({ name: "acme" })).status).toBe(409);
    const bad = await admin("post", "/organizations").send({ name: "-bad name-" });
    expect(bad.status).toBe(400);
    expect(bad.body.validations).toEqual([{ field: "name", detail: "name may contain only letters, digits and single hyphens between them" }]);
    expect((await admin("get", "/organizations/nope")).status).toBe(404);
  });

  it("lists organization members with their source and roles", async () => {
    const members = (await admin("get", "/organizations/default/members")).body;
    expect(members.map((m: { username: string }) => m.username)).toEqual(["ann-lee", "bob"]);
    expect(members[0]).toMatchObject({ user_id: ann, email: "ann.lee@corp.example", source: "sync", roles: [], global_roles: [] });
    const org = await b.db.prisma.organization.findFirstOrThrow({ where: { isDefault: true } });
    await b.db.prisma.organizationMemberRole.create({ data: { organizationId: org.id, userId: ann, role: "organization-admin", source: "manual" } });
    const one = (await admin("get", "/organizations/default/members/ann-lee")).body;
    expect(one.roles).toEqual([{ name: "organization-admin", display_name: "Organization Admin", organization_id: org.id }]);
    expect((await admin("get", "/organizations/acme/members/ann-lee")).status).toBe(404);
  });
});
