import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

interface Result {
  method?: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: { schemas: string[]; status: string; scimType?: string; detail: string };
}

describe.each(testEngines())("SCIM /Bulk on %s", (engine) => {
  let b: TestBridge;
  const auth = () => ["Authorization", `Bearer ${b.scimToken}`] as const;
  const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) =>
    request(b.app).post("/scim/v2/Bulk").set(...auth()).send({ schemas: [BULK], Operations, ...extra });
  const ops = async (Operations: unknown[], extra: Record<string, unknown> = {}): Promise<Result[]> => {
    const res = await bulk(Operations, extra);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body.schemas).toEqual([BULK_RESPONSE]);
    return res.body.Operations as Result[];
  };
  /** Supertest serves each request on a new port, so locations are compared by their path. */
  const pathOf = (location: string | undefined) => new URL(location!).pathname;
  const get = (location: string) => request(b.app).get(pathOf(location)).set(...auth());
  const createUser = async (userName: string) => {
    const res = await request(b.app).post("/scim/v2/Users").set(...auth()).send({ schemas: [USER], userName });
    expect(res.status).toBe(201);
    return res.body as { id: string; meta: { version: string; location: string } };
  };
  /** What the database holds that a write could have added. */
  const counts = async () => ({ users: await b.db.prisma.user.count(), groups: await b.db.prisma.idpGroup.count(), audit: await b.db.prisma.auditEvent.count(), outbox: await b.db.prisma.outboxEvent.count() });

  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  it("creates a user and a group with the user as member through a bulkId (RFC 7644 §3.7.2)", async () => {
    const [alice, guides] = await ops([
      { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER], userName: "Alice" } },
      { method: "POST", path: "/Groups", bulkId: "ytrewq", data: { schemas: [GROUP], displayName: "Tour Guides", members: [{ type: "User", value: "bulkId:qwerty" }] } },
    ]);
    expect(alice).toEqual({ method: "POST", bulkId: "qwerty", location: expect.stringMatching(/\/scim\/v2\/Users\/[0-9a-f-]{36}$/), version: expect.stringMatching(/^W\/"\d+"$/), status: "201" });
    expect(guides).toMatchObject({ method: "POST", bulkId: "ytrewq", location: expect.stringMatching(/\/scim\/v2\/Groups\/[0-9a-f-]{36}$/), status: "201" });
    const user = await get(alice!.location!);
    expect(user.body).toMatchObject({ userName: "Alice", meta: { version: alice!.version } });
    expect(pathOf(user.body.meta.location)).toBe(pathOf(alice!.location));
    const group = await get(guides!.location!);
    expect(group.body.meta.version).toBe(guides!.version);
    expect(group.body.members).toEqual([expect.objectContaining({ value: user.body.id })]);
  });

  it("creates a group named before its members in the request: each POST runs before what refers to it; results in request order", async () => {
    const results = await ops([
      { method: "POST", path: "/Groups", bulkId: "g", data: { schemas: [GROUP], displayName: "Early group", members: [{ value: "bulkId:m1" }, { value: "bulkId:m2" }] } },
      { method: "POST", path: "/Users", bulkId: "m1", data: { schemas: [USER], userName: "member1@example.com" } },
      { method: "POST", path: "/Users", bulkId: "m2", data: { schemas: [USER], userName: "member2@example.com" } },
      { method: "PATCH", path: "/Groups/bulkId:g", data: { schemas: [PATCH], Operations: [{ op: "remove", path: 'members[value eq "bulkId:m2"]' }] } },
    ]);
    expect(results.map((r) => [r.method, r.bulkId, r.status])).toEqual([["POST", "g", "201"], ["POST", "m1", "201"], ["POST", "m2", "201"], ["PATCH", undefined, "200"]]);
    expect(results[3]!.location).toBe(results[0]!.location);
    const m1 = (await get(results[1]!.location!)).body.id as string;
    const group = await get(results[0]!.location!);
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([m1]);
    expect(group.body.meta.version).toBe(results[3]!.version);
  });

  it("adds, replaces, patches and deletes users with their versions as If-Match (RFC 7644 §3.7.3)", async () => {
    const bob = await createUser("bob@example.com");
    const dave = await createUser("dave@example.com");
    const eve = await createUser("eve@example.com");
    const results = await ops([
      { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER], userName: "alice@example.com" } },
      { method: "PUT", path: `/Users/${bob.id}`, version: bob.meta.version, data: { schemas: [USER], id: bob.id, userName: "bob@example.com", displayName: "Bob" } },
      { method: "PATCH", path: `/Users/${dave.id}`, version: dave.meta.version, data: { schemas: [PATCH], Operations: [{ op: "remove", path: "nickName" }, { op: "replace", path: "displayName", value: "Dave" }] } },
      { method: "DELETE", path: `/Users/${eve.id}`, version: eve.meta.version },
    ]);
    expect(results.map((r) => [r.method, r.status])).toEqual([["POST", "201"], ["PUT", "200"], ["PATCH", "200"], ["DELETE", "204"]]);
    expect(pathOf(results[1]!.location)).toBe(pathOf(bob.meta.location));
    expect(results[1]!.version).not.toBe(bob.meta.version);
    expect(results[3]).toEqual({ method: "DELETE", location: expect.stringMatching(new RegExp(`${pathOf(eve.meta.location)}$`)), status: "204" });
    expect((await get(bob.meta.location)).body).toMatchObject({ displayName: "Bob", meta: { version: results[1]!.version } });
    expect((await get(dave.meta.location)).body.displayName).toBe("Dave");
    expect((await get(eve.meta.location)).status).toBe(404);

    // A stale version is the operation's 412; a missing resource its 404: the error in `response`, the location kept.
    const stale = await ops([
      { method: "PATCH", path: `/Users/${bob.id}`, version: bob.meta.version, data: { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "Robert" }] } },
      { method: "DELETE", path: `/Users/${eve.id}` },
    ]);
    expect(stale[0]).toMatchObject({ method: "PATCH", status: "412", response: { schemas: [ERROR], status: "412" } });
    expect(stale[1]).toMatchObject({ method: "DELETE", status: "404", response: { schemas: [ERROR], status: "404" } });
    expect(stale.map((r) => pathOf(r.location))).toEqual([pathOf(bob.meta.location), pathOf(eve.meta.location)]);
    expect((await get(bob.meta.location)).body.displayName).toBe("Bob");
  });

  it("stops after failOnErrors errors and runs nothing after (RFC 7644 §3.7.3)", async () => {
    await createUser("taken@example.com");
    const before = await counts();
    const one = await ops(
      [
        { method: "POST", path: "/Users", bulkId: "q", data: { schemas: [USER], userName: "TAKEN@example.com" } },
        { method: "POST", path: "/Users", bulkId: "r", data: { schemas: [USER], userName: "never1@example.com" } },
      ],
      { failOnErrors: 1 },
    );
    expect(one).toEqual([{ method: "POST", bulkId: "q", status: "409", response: { schemas: [ERROR], status: "409", scimType: "uniqueness", detail: expect.stringMatching(/already taken/) } }]);
    expect(await counts()).toEqual(before);

    const two = await ops(
      [
        { method: "POST", path: "/Users", bulkId: "a", data: { schemas: [USER], userName: "taken@example.com" } },
        { method: "POST", path: "/Users", bulkId: "b", data: { schemas: [USER], userName: "kept1@example.com" } },
        { method: "DELETE", path: "/Users/00000000-0000-4000-8000-000000000000" },
        { method: "POST", path: "/Users", bulkId: "c", data: { schemas: [USER], userName: "never2@example.com" } },
      ],
      { failOnErrors: 2 },
    );
    expect(two.map((r) => r.status)).toEqual(["409", "201", "404"]);
    expect(await b.db.prisma.user.count({ where: { userName: { in: ["kept1@example.com", "never2@example.com"] } } })).toBe(1);

    // Without failOnErrors every operation runs, whatever fails.
    const all = await ops([
      { method: "POST", path: "/Users", bulkId: "a", data: { schemas: [USER], userName: "taken@example.com" } },
      { method: "DELETE", path: "/Users/00000000-0000-4000-8000-000000000000" },
      { method: "POST", path: "/Users", bulkId: "c", data: { schemas: [USER], userName: "kept2@example.com" } },
    ]);
    expect(all.map((r) => r.status)).toEqual(["409", "404", "201"]);
  });

  it("resolves two users naming each other as manager: both created, then the reference patched (RFC 7644 §3.7.1)", async () => {
    const results = await ops([
      { method: "POST", path: "/Users", bulkId: "ann", data: { schemas: [USER, ENT], userName: "ann@example.com", [ENT]: { department: "R&D", manager: { value: "bulkId:ben" } } } },
      { method: "POST", path: "/Users", bulkId: "ben", data: { schemas: [USER, ENT], userName: "ben@example.com", [ENT]: { manager: { value: "bulkId:ann" } } } },
    ]);
    expect(results.map((r) => [r.bulkId, r.status])).toEqual([["ann", "201"], ["ben", "201"]]);
    const ann = (await get(results[0]!.location!)).body;
    const ben = (await get(results[1]!.location!)).body;
    expect(ann[ENT]).toEqual({ department: "R&D", manager: { value: ben.id } });
    expect(ben[ENT]).toEqual({ manager: { value: ann.id } });
    expect(ben.meta.version).toBe(results[1]!.version);
    // Through the same service as a PATCH request: audited as one.
    const audit = await b.db.prisma.auditEvent.findMany({ where: { userId: ben.id, action: { startsWith: "user." } }, orderBy: { createdAt: "asc" } });
    expect(audit.map((r) => [r.action, r.actor])).toEqual([["user.created", "test-scim"], ["user.patched", "test-scim"]]);
    // A user naming itself.
    const [self] = await ops([{ method: "POST", path: "/Users", bulkId: "me", data: { schemas: [USER, ENT], userName: "self@example.com", [ENT]: { manager: { value: "bulkId:me" } } } }]);
    const me = (await get(self!.location!)).body;
    expect(me[ENT]).toEqual({ manager: { value: me.id } });
  });

  it("says which resource lacks its reference when failOnErrors stops the request before a circle is closed", async () => {
    const results = await ops(
      [
        { method: "POST", path: "/Users", bulkId: "cy", data: { schemas: [USER, ENT], userName: "cy@example.com", active: "perhaps", [ENT]: { manager: { value: "bulkId:dee" } } } },
        { method: "POST", path: "/Users", bulkId: "dee", data: { schemas: [USER, ENT], userName: "dee@example.com", [ENT]: { manager: { value: "bulkId:cy" } } } },
      ],
      { failOnErrors: 1 },
    );
    // dee ran first (without its manager), then cy failed: the request stopped before dee's manager could be set.
    expect(results[0]).toMatchObject({ bulkId: "cy", status: "400" });
    expect(results[1]).toMatchObject({ bulkId: "dee", status: "409", location: expect.stringMatching(/\/Users\//), response: { detail: "created, but without its references to bulkId:cy: the request stopped before they could be set" } });
    expect((await get(results[1]!.location!)).body).not.toHaveProperty(ENT);
  });

  it("answers 409 for references that can't be resolved, and never hangs", async () => {
    const before = await counts();
    const results = await ops([
      { method: "POST", path: "/Groups", bulkId: "g", data: { schemas: [GROUP], displayName: "Nobody's", members: [{ value: "bulkId:nobody" }] } },
      { method: "PATCH", path: "/Users/bulkId:missing", data: { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "x" }] } },
      { method: "POST", path: "/Users", bulkId: "bad", data: { schemas: [USER], userName: "bad@example.com", active: "perhaps" } },
      { method: "POST", path: "/Groups", bulkId: "h", data: { schemas: [GROUP], displayName: "Of a failed user", members: [{ value: "bulkId:bad" }] } },
      { method: "DELETE", path: "/Groups/bulkId:bad" },
      { method: "POST", path: "/Groups", bulkId: "k", data: { schemas: [GROUP], displayName: "Of a refused user", members: [{ value: "bulkId:nopath" }] } },
      { method: "POST", bulkId: "nopath", data: { schemas: [USER], userName: "nopath@example.com" } },
    ]);
    expect(results.map((r) => [r.status, r.response?.detail])).toEqual([
      ["409", "bulkId:nobody can't be resolved: no POST of this request defines it"],
      ["409", "bulkId:missing can't be resolved: no POST of this request defines it"],
      ["400", "active must be a boolean"],
      ["409", "bulkId:bad can't be resolved: the POST that defines it (Operations[2]) failed"],
      ["409", "bulkId:bad can't be resolved: the POST that defines it (Operations[2]) failed"],
      ["409", "bulkId:nopath can't be resolved: the POST that defines it (Operations[6]) failed"],
      ["400", "Operations[6]: path is required: /Users or /Groups"],
    ]);
    expect(await counts()).toEqual(before);
  });

  it("runs the RFC's circular groups (§3.7.1) to an answer: a group can't be a member here, so each operation says why", async () => {
    const results = await ops([
      { method: "POST", path: "/Groups", bulkId: "qwerty", data: { schemas: [GROUP], displayName: "Group A", members: [{ type: "Group", value: "bulkId:ytrewq" }] } },
      { method: "POST", path: "/Groups", bulkId: "ytrewq", data: { schemas: [GROUP], displayName: "Group B", members: [{ type: "Group", value: "bulkId:qwerty" }] } },
    ]);
    // B is created first without its member; A then names B, not a user (400); B can't be completed (409).
    expect(results[0]).toMatchObject({ bulkId: "qwerty", status: "400", response: { scimType: "invalidValue", detail: expect.stringMatching(/members must be existing users/) } });
    expect(results[0]).not.toHaveProperty("location");
    expect(results[1]).toMatchObject({ bulkId: "ytrewq", status: "409", location: expect.stringMatching(/\/Groups\//), response: { detail: "bulkId:qwerty can't be resolved: the POST that defines it (Operations[0]) failed" } });
    expect((await get(results[1]!.location!)).body).toMatchObject({ displayName: "Group B" });
  });

  it("refuses bad operations one by one with nothing written for them, and a malformed request as a whole", async () => {
    const before = await counts();
    const results = await ops([
      { method: "GET", path: "/Users" },
      { method: "POST", bulkId: "a", data: { schemas: [USER], userName: "nopath@example.com" } },
      { method: "POST", path: "/Users", bulkId: "b", data: { schemas: [GROUP], userName: "wrongschema@example.com" } },
      { method: "POST", path: "/Widgets", bulkId: "c", data: { schemas: [USER], userName: "widget@example.com" } },
      { method: "PATCH", path: "/Users/x", data: { Operations: [{ op: "add", path: "nickName", value: "n" }] } },
    ]);
    expect(results.map((r) => [r.method, r.status, r.response?.scimType])).toEqual([
      ["GET", "400", "invalidValue"],
      ["POST", "400", "invalidSyntax"],
      ["POST", "400", "invalidSyntax"],
      ["POST", "400", "invalidPath"],
      ["PATCH", "400", "invalidSyntax"],
    ]);
    expect(results[2]!.response!.detail).toBe(`schemas must include ${USER}`);
    expect(results.every((r) => r.response?.schemas[0] === ERROR && r.response.status === "400")).toBe(true);
    expect(await counts()).toEqual(before);

    for (const body of [{ Operations: [] }, { schemas: [BULK] }, { schemas: [BULK], Operations: "no" }, { schemas: [BULK], Operations: [{ method: "POST" }], failOnErrors: -1 }]) {
      const res = await request(b.app).post("/scim/v2/Bulk").set(...auth()).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: "400", scimType: "invalidSyntax" });
    }
    const notJson = await request(b.app).post("/scim/v2/Bulk").set(...auth()).set("Content-Type", "application/scim+json").send("{");
    expect(notJson.body).toMatchObject({ status: "400", scimType: "invalidSyntax" });
    const get405 = await request(b.app).get("/scim/v2/Bulk").set(...auth());
    expect([get405.status, get405.headers.allow]).toEqual([405, "POST"]);
    expect(await counts()).toEqual(before);
  });

  it("creates 1,000 users in one request, each written as a single POST writes it (audit rows, outbox events)", async () => {
    const one = await counts();
    await createUser("single-reference@example.com");
    const perUser = await counts();
    const n = 1000;
    const results = await ops(Array.from({ length: n }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: [USER, ENT], userName: `bulk${i}@example.com`, name: { givenName: `G${i}`, familyName: "Bulk" }, emails: [{ value: `bulk${i}@example.com`, type: "work", primary: true }], [ENT]: { department: "Bulk" } } })));
    expect(results).toHaveLength(n);
    expect(results.every((r, i) => r.status === "201" && r.bulkId === `u${i}`)).toBe(true);
    expect(new Set(results.map((r) => r.location)).size).toBe(n);
    const after = await counts();
    expect(after.users - perUser.users).toBe(n);
    expect(after.audit - perUser.audit).toBe(n * (perUser.audit - one.audit));
    expect(after.outbox - perUser.outbox).toBe(n * (perUser.outbox - one.outbox));
    const sample = (await get(results[999]!.location!)).body;
    expect(sample).toMatchObject({ userName: "bulk999@example.com", [ENT]: { department: "Bulk" } });
  }, 180_000);

  it("serves Bulk at the seed documents' path too, with locations under it", async () => {
    const res = await request(b.app).post("/api/v2/scim/v2/Bulk").set(...auth()).send({ schemas: [BULK], Operations: [{ method: "POST", path: "/Users", bulkId: "x", data: { schemas: [USER], userName: "seedpath@example.com" } }] });
    expect(res.status).toBe(200);
    expect(res.body.Operations[0].location).toMatch(/\/api\/v2\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
  });
});
