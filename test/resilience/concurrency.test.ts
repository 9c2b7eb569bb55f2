import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe.each(testEngines())("concurrent writes on %s", (engine) => {
  let b: TestBridge;
  const scim = () => ({
    post: (p: string, body: object) => request(b.app).post(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body),
    patch: (p: string, body: object, ifMatch?: string) => {
      const r = request(b.app).patch(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`);
      return (ifMatch ? r.set("If-Match", ifMatch) : r).send(body);
    },
    put: (p: string, body: object, ifMatch?: string) => {
      const r = request(b.app).put(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`);
      return (ifMatch ? r.set("If-Match", ifMatch) : r).send(body);
    },
  });
  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  it("32 simultaneous member PATCHes on one group lose no member", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 32; i++) ids.push((await scim().post("/Users", { schemas: [USER], userName: `m${i}@corp.example` })).body.id);
    const g = (await scim().post("/Groups", { schemas: [GROUP], displayName: "Crowd" })).body.id as string;
    const results = await Promise.all(ids.map((id) => scim().patch(`/Groups/${g}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] })));
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 200));
    const members = await b.db.prisma.idpGroupMember.findMany({ where: { groupId: g } });
    expect(members.map((m) => m.userId).sort()).toEqual([...ids].sort());
    // Every member's claims name the group: the claim refreshes did not overwrite each other.
    const claims = await b.db.prisma.user.findMany({ where: { id: { in: ids } }, select: { claims: true } });
    expect(claims.every((c) => (c.claims as { groups?: string[] }).groups?.includes("Crowd"))).toBe(true);
  });

  it("16 simultaneous POSTs of one userName: one 201 and fifteen 409s", async () => {
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => scim().post("/Users", { schemas: [USER], userName: i % 2 ? "Same@corp.example" : "same@corp.example" })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(15).fill(409)]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.scimType === "uniqueness")).toBe(true);
    expect(await b.db.prisma.user.count({ where: { userNameKey: "same@corp.example" } })).toBe(1);
  });

  it("16 simultaneous POSTs of one group name: one 201 and fifteen 409s", async () => {
    const results = await Promise.all(Array.from({ length: 16 }, () => scim().post("/Groups", { schemas: [GROUP], displayName: "Twins" })));
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(15).fill(409)]);
  });

  it("a PUT or PATCH with a stale If-Match gets 412 and changes nothing", async () => {
    const u = await scim().post("/Users", { schemas: [USER], userName: "etag@corp.example" });
    const first = u.headers.etag as string;
    const changed = await scim().put(`/Users/${u.body.id}`, { schemas: [USER], userName: "etag@corp.example", title: "One" }, first);
    expect(changed.status).toBe(200);
    const stale = await scim().put(`/Users/${u.body.id}`, { schemas: [USER], userName: "etag@corp.example", title: "Two" }, first);
    expect(stale.status).toBe(412);
    expect((await scim().patch(`/Users/${u.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "title", value: "Three" }] }, first)).status).toBe(412);
    expect((await b.db.prisma.user.findUniqueOrThrow({ where: { id: u.body.id } })).resource).toMatchObject({ title: "One" });
    // Two writers racing with the same fresh ETag: exactly one wins.
    const race = await Promise.all(["A", "B"].map((t) => scim().put(`/Users/${u.body.id}`, { schemas: [USER], userName: "etag@corp.example", title: t }, changed.headers.etag as string)));
    expect(race.map((r) => r.status).sort()).toEqual([200, 412]);
  });
});
