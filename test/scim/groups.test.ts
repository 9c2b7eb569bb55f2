import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe.each(testEngines())("SCIM /Groups on %s", (engine) => {
  let b: TestBridge;
  const auth = () => ["Authorization", `Bearer ${b.scimToken}`] as const;
  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  async function users(n: number, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await request(b.app).post("/scim/v2/Users").set(...auth()).send({ schemas: [USER], userName: `${prefix}${i}@g.example` });
      ids.push(r.body.id as string);
    }
    return ids;
  }

  async function group(name: string): Promise<string> {
    const r = await request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: name });
    expect(r.status).toBe(201);
    return r.body.id as string;
  }

  it("loses no member when 32 PATCHes on one group arrive at once", async () => {
    const ids = await users(32, "conc");
    const g = await group("Concurrent");
    const results = await Promise.all(
      ids.map((id) => request(b.app).patch(`/scim/v2/Groups/${g}`).set(...auth()).send({ schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const members = await b.db.prisma.idpGroupMember.findMany({ where: { groupId: g } });
    expect(members.map((m) => m.userId).sort()).toEqual([...ids].sort());
  });

  it("adds and removes thousands of members in one PATCH, all or nothing", async () => {
    const g = await group("Big");
    // Users made directly: this test is about the group PATCH, not about creating 2,000 users over HTTP.
    const ids = Array.from({ length: 2000 }, (_, i) => `20000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    await b.db.prisma.user.createMany({ data: ids.map((id, i) => ({ id, userName: `big${i}`, userNameKey: `big${i}`, username: `big${i}`, resource: { userName: `big${i}` } })) });
    const add = await request(b.app).patch(`/scim/v2/Groups/${g}?excludedAttributes=members`).set(...auth()).send({ schemas: [PATCH], Operations: [{ op: "add", path: "members", value: ids.map((value) => ({ value })) }] });
    expect(add.status).toBe(200);
    expect(add.body).not.toHaveProperty("members");
    expect(await b.db.prisma.idpGroupMember.count({ where: { groupId: g } })).toBe(2000);
    // One unknown id among them: 400, and nothing of the request is applied.
    const bad = await request(b.app).patch(`/scim/v2/Groups/${g}`).set(...auth()).send({
      schemas: [PATCH],
      Operations: [
        { op: "remove", path: "members", value: ids.slice(0, 1000).map((value) => ({ value })) },
        { op: "add", path: "members", value: [{ value: "30000000-0000-4000-8000-000000000000" }] },
      ],
    });
    expect(bad.status).toBe(400);
    expect(await b.db.prisma.idpGroupMember.count({ where: { groupId: g } })).toBe(2000);
    const remove = await request(b.app).patch(`/scim/v2/Groups/${g}`).set(...auth()).send({ schemas: [PATCH], Operations: [{ op: "Remove", path: "members", value: ids.slice(0, 1500).map((value) => ({ value })) }] });
    expect(remove.status).toBe(200);
    expect(remove.body.members).toHaveLength(500);
  });

  it("keeps the version when a PATCH re-adds present members and re-sends the same name", async () => {
    const [u] = await users(1, "idem");
    const g = await group("Idem");
    const first = await request(b.app).patch(`/scim/v2/Groups/${g}`).set(...auth()).send({ schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: u }] }] });
    const again = await request(b.app).patch(`/scim/v2/Groups/${g}`).set(...auth()).send({ schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: u }] }, { op: "replace", path: "displayName", value: "Idem" }] });
    expect(again.body.meta.version).toBe(first.body.meta.version);
  });

  it("refuses members that are not user ids, on POST and PATCH, writing nothing", async () => {
    const before = await b.db.prisma.idpGroup.count();
    const post = await request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: "Bad", members: [{ value: "not-a-user" }] });
    expect(post.status).toBe(400);
    expect(post.body).toMatchObject({ scimType: "invalidValue" });
    expect(await b.db.prisma.idpGroup.count()).toBe(before);
  });

  it("filters groups by displayName, externalId and membership", async () => {
    const [u] = await users(1, "filt");
    const r = await request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: "Filtered", externalId: "ext-F", members: [{ value: u }] });
    const id = r.body.id as string;
    const q = async (f: string) => (await request(b.app).get(`/scim/v2/Groups?filter=${encodeURIComponent(f)}&excludedAttributes=members`).set(...auth())).body;
    expect((await q('displayName eq "filtered"')).totalResults).toBe(1);
    expect((await q('externalId eq "ext-F"')).Resources[0].id).toBe(id);
    expect((await q(`members[value eq "${u}"]`)).Resources.map((x: { id: string }) => x.id)).toEqual([id]);
    expect((await q(`id eq "${id}" and members[value eq "${u}"]`)).totalResults).toBe(1);
  });
});
