import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe.each(testEngines())("SCIM /Users on %s", (engine) => {
  let b: TestBridge;
  const scim = () => ({
    get: (p: string) => request(b.app).get(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`),
    post: (p: string, body: unknown) => request(b.app).post(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body as object),
    put: (p: string, body: unknown) => request(b.app).put(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body as object),
    /** Without a body the request is returned unsent, to add headers first. */
    patch: (p: string, body?: unknown) => {
      const t = request(b.app).patch(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`);
      return body === undefined ? t : t.send(body as object);
    },
    del: (p: string) => request(b.app).delete(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`),
  });
  const create = async (userName: string, extra: Record<string, unknown> = {}) => {
    const res = await scim().post("/Users", { schemas: [USER], userName, ...extra });
    expect(res.status).toBe(201);
    return res.body as { id: string; meta: { version: string } };
  };

  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  it("creates a user with 201, Location, ETag equal to meta.version, and SCIM content type", async () => {
    const res = await scim().post("/Users", { schemas: [USER], userName: "loc@example.com", name: { givenName: "L" }, password: "p4ss" });
    expect(res.status).toBe(201);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.headers.location).toMatch(new RegExp(`/scim/v2/Users/${res.body.id}$`));
    expect(res.headers.etag).toBe(res.body.meta.version);
    expect(res.body.meta).toMatchObject({ resourceType: "User", location: res.headers.location });
    expect(res.body).not.toHaveProperty("password");
    const row = await b.db.prisma.user.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(JSON.stringify(row)).not.toContain("p4ss");
    expect(row).toMatchObject({ username: "loc", status: "active", loginType: "oidc", userNameKey: "loc@example.com" });
  });

  it("answers 404 for unknown and malformed ids", async () => {
    for (const id of ["00000000-0000-4000-8000-00000000dead", "nope", "1%27%20OR%201=1"]) {
      const res = await scim().get(`/Users/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: "404" });
    }
    expect((await scim().patch("/Users/nope", { schemas: [PATCH], Operations: [{ op: "add", path: "nickName", value: "n" }] })).status).toBe(404);
    expect((await scim().del("/Users/nope")).status).toBe(404);
  });

  it("honours If-Match on PUT, PATCH and DELETE with 412 on a stale version", async () => {
    const u = await create("etag@example.com");
    const stale = await scim().patch(`/Users/${u.id}`).set("If-Match", 'W/"999"').send({ schemas: [PATCH], Operations: [{ op: "add", path: "nickName", value: "x" }] });
    expect(stale.status).toBe(412);
    const ok = await scim().patch(`/Users/${u.id}`).set("If-Match", u.meta.version).send({ schemas: [PATCH], Operations: [{ op: "add", path: "nickName", value: "x" }] });
    expect(ok.status).toBe(200);
    expect(ok.body.meta.version).not.toBe(u.meta.version);
    expect((await scim().put(`/Users/${u.id}`, { schemas: [USER], userName: "etag@example.com" }).set("If-Match", u.meta.version)).status).toBe(412);
    expect((await scim().del(`/Users/${u.id}`).set("If-Match", u.meta.version)).status).toBe(412);
    expect((await scim().del(`/Users/${u.id}`).set("If-Match", "*")).status).toBe(204);
  });

  it("keeps the version when a PATCH changes nothing", async () => {
    const u = await create("noop@example.com", { active: true });
    const res = await scim().patch(`/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: "True" }] });
    expect(res.status).toBe(200);
    expect(res.body.meta.version).toBe(u.meta.version);
  });

  it("accepts an email item without a value (none of its sub-attributes is required) on POST, PUT and PATCH", async () => {
    // Found by the fuzzer: the email column took `undefined` for it and the write was a 500.
    const u = await create("valueless@example.com", { emails: [{ value: "v@example.com", type: "work" }, {}] });
    const put = await scim().put(`/Users/${u.id}`, { schemas: [USER], userName: "valueless@example.com", emails: [{ type: "home" }] });
    expect(put.status).toBe(200);
    const patched = await scim().patch(`/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "add", path: "emails", value: [{}] }] });
    expect(patched.status).toBe(200);
    const found = await scim().get(`/Users?filter=${encodeURIComponent('emails.value eq "v@example.com"')}`);
    expect(found.body.totalResults).toBe(0);
  });

  it("PUT replaces the whole resource and ignores read-only attributes in the body", async () => {
    const u = await create("put@example.com", { nickName: "old", title: "T" });
    const res = await scim().put(`/Users/${u.id}`, { schemas: [USER], id: "other", meta: { version: "x" }, groups: [{ value: "g" }], userName: "put@example.com", nickName: "new" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, nickName: "new" });
    expect(res.body).not.toHaveProperty("title");
    expect(res.body).not.toHaveProperty("groups");
  });

  it("refuses a second user with the same userName in any case, on POST and on PUT", async () => {
    await create("dup@example.com");
    const other = await create("other@example.com");
    const post = await scim().post("/Users", { schemas: [USER], userName: "DUP@example.com" });
    expect(post.status).toBe(409);
    expect(post.body).toMatchObject({ status: "409", scimType: "uniqueness" });
    const put = await scim().put(`/Users/${other.id}`, { schemas: [USER], userName: "Dup@Example.com" });
    expect(put.status).toBe(409);
  });

  it("gives one 201 and the rest 409 when the same userName is created concurrently", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => scim().post("/Users", { schemas: [USER], userName: "race@example.com" })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it("deletes the SCIM resource but keeps the user record suspended, and a later POST brings the same user back", async () => {
    const u = await create("gone@example.com");
    expect((await scim().del(`/Users/${u.id}`)).status).toBe(204);
    expect((await scim().get(`/Users/${u.id}`)).status).toBe(404);
    expect(await b.db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).toMatchObject({ status: "suspended", resource: null });
    const again = await scim().post("/Users", { schemas: [USER], userName: "Gone@example.com", active: true });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(u.id);
    expect(await b.db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).toMatchObject({ status: "active", username: "gone" });
  });

  it("derives distinct username handles on collision", async () => {
    const a = await create("sam@one.example");
    const c = await create("sam@two.example");
    const rows = await b.db.prisma.user.findMany({ where: { id: { in: [a.id, c.id] } }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => r.username)).toEqual(["sam", "sam-2"]);
  });

  it("pages with correct totals, stable order, count=0 and a capped count", async () => {
    for (let i = 0; i < 5; i++) await create(`page${i}@paging.example`, { title: "pager" });
    const all = await scim().get('/Users?filter=title eq "pager"&startIndex=1&count=2');
    expect(all.body).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 2 });
    const second = await scim().get('/Users?filter=title eq "pager"&startIndex=3&count=2');
    const third = await scim().get('/Users?filter=title eq "pager"&startIndex=5&count=2');
    const names = [...all.body.Resources, ...second.body.Resources, ...third.body.Resources].map((r: { userName: string }) => r.userName);
    expect(names).toEqual(["page0@paging.example", "page1@paging.example", "page2@paging.example", "page3@paging.example", "page4@paging.example"]);
    const zero = await scim().get('/Users?filter=title eq "pager"&count=0');
    expect(zero.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const beyond = await scim().get('/Users?filter=title eq "pager"&startIndex=99');
    expect(beyond.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const big = await scim().get("/Users?count=100000");
    expect(big.body.itemsPerPage).toBeLessThanOrEqual(200);
    const desc = await scim().get('/Users?filter=title eq "pager"&sortBy=userName&sortOrder=descending&count=2');
    expect(desc.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(["page4@paging.example", "page3@paging.example"]);
  });

  it("projects with attributes and excludedAttributes, on lists and single reads", async () => {
    const u = await create("proj@example.com", { name: { givenName: "P", familyName: "Q" }, [ENT]: { department: "D" }, schemas: [USER, ENT] });
    const one = await scim().get(`/Users/${u.id}?attributes=name.familyName`);
    expect(one.body).toEqual({ schemas: [USER, ENT], id: u.id, name: { familyName: "Q" } });
    const list = await scim().get(`/Users?filter=userName eq "proj@example.com"&excludedAttributes=name,meta,${ENT}`);
    expect(list.body.Resources[0]).not.toHaveProperty("name");
    expect(list.body.Resources[0]).not.toHaveProperty("meta");
    expect(list.body.Resources[0]).toHaveProperty("userName", "proj@example.com");
  });

  it("serves POST /Users/.search and a trailing slash", async () => {
    await create("search@example.com");
    const s = await scim().post("/Users/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: 'userName eq "search@example.com"', attributes: ["userName"] });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ totalResults: 1, Resources: [{ userName: "search@example.com" }] });
    const slash = await scim().get('/Users/?filter=userName eq "search@example.com"');
    expect(slash.body.totalResults).toBe(1);
  });

  it("answers bad filters, parameters and bodies with 400 and the right scimType, writing nothing", async () => {
    const before = await b.db.prisma.user.count();
    expect((await scim().get('/Users?filter=userName eq')).body).toMatchObject({ status: "400", scimType: "invalidFilter" });
    expect((await scim().get("/Users?filter=bogus eq 1")).body).toMatchObject({ scimType: "invalidFilter" });
    expect((await scim().get("/Users?count=ten")).body).toMatchObject({ scimType: "invalidValue" });
    expect((await scim().get("/Users?sortBy=nope")).body).toMatchObject({ scimType: "invalidValue" });
    expect((await scim().post("/Users", { schemas: [USER] })).body).toMatchObject({ scimType: "invalidValue", detail: "userName is required" });
    expect((await scim().post("/Users", { schemas: [USER], userName: "x", active: "perhaps" })).status).toBe(400);
    expect((await scim().post("/Users", [1, 2])).status).toBe(400);
    expect(await b.db.prisma.user.count()).toBe(before);
  });

  it("tells the truth in discovery: User and Group are served", async () => {
    const spc = await scim().get("/ServiceProviderConfig");
    expect(spc.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, sort: { supported: true }, etag: { supported: true }, bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 10 * 1024 * 1024 } });
    const types = await scim().get("/ResourceTypes");
    expect(types.body).toMatchObject({
      totalResults: 2,
      Resources: [
        { id: "User", endpoint: "/Users", schema: USER, schemaExtensions: [{ schema: ENT, required: false }] },
        { id: "Group", endpoint: "/Groups", schema: "urn:ietf:params:scim:schemas:core:2.0:Group", schemaExtensions: [] },
      ],
    });
    const schemas = await scim().get("/Schemas");
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENT, "urn:ietf:params:scim:schemas:core:2.0:Group"]);
    expect((await scim().get(`/Schemas/${ENT}`)).body).toMatchObject({ id: ENT, name: "EnterpriseUser" });
    expect((await scim().get("/ResourceTypes/User")).body).toMatchObject({ id: "User" });
    expect((await scim().get("/Groups")).status).toBe(200);
  });

  it("records an audit row for every write, naming the token", async () => {
    const u = await create("audit@example.com");
    await scim().patch(`/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "add", path: "nickName", value: "a" }] });
    const rows = await b.db.prisma.auditEvent.findMany({ where: { userId: u.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.action, r.actor])).toEqual([
      ["user.created", "test-scim"],
      ["organization_member.added", "test-scim"],
      ["user.patched", "test-scim"],
    ]);
  });
});
