import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe.each(testEngines())("records derived from SCIM on %s", (engine) => {
  let b: TestBridge;
  const post = (p: string, body: object) => request(b.app).post(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const patch = (p: string, ops: object[]) => request(b.app).patch(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [PATCH], Operations: ops });
  const claimsOf = async (id: string) => (await b.db.prisma.user.findUniqueOrThrow({ where: { id } })).claims as Record<string, unknown>;

  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  it("puts a newly provisioned user in the default organization, as sync, with an audit row saying why", async () => {
    const u = (await post("/Users", { schemas: [USER], userName: "joiner@r.example" })).body.id as string;
    const org = await b.db.prisma.organization.findFirstOrThrow({ where: { isDefault: true } });
    expect(await b.db.prisma.organizationMember.findUnique({ where: { organizationId_userId: { organizationId: org.id, userId: u } } })).toMatchObject({ source: "sync" });
    const audit = await b.db.prisma.auditEvent.findFirstOrThrow({ where: { userId: u, action: "organization_member.added" } });
    expect(audit.details).toMatchObject({ dimension: "organization", rule: "default", organization_id: org.id });
  });

  it("leaves new users out of the default organization when the settings say not to assign it", async () => {
    await b.db.prisma.syncSetting.create({ data: { key: "organization-sync-settings", value: { field: "", mapping: {}, organization_assign_default: false } } });
    try {
      const u = (await post("/Users", { schemas: [USER], userName: "loner@r.example" })).body.id as string;
      expect(await b.db.prisma.organizationMember.count({ where: { userId: u } })).toBe(0);
    } finally {
      await b.db.prisma.syncSetting.delete({ where: { key: "organization-sync-settings" } });
    }
  });

  it("keeps each user's claims current through user writes and group membership, rename and deletion", async () => {
    const u = (await post("/Users", { schemas: [USER, ENT], userName: "claims@r.example", roles: [{ value: "dev" }], [ENT]: { department: "Sales" } })).body.id as string;
    expect(await claimsOf(u)).toMatchObject({ groups: [], roles: ["dev"], department: "Sales", [`${ENT}:department`]: "Sales", userName: "claims@r.example" });

    await patch(`/Users/${u}`, [{ op: "replace", path: `${ENT}:department`, value: "Research" }]);
    expect(await claimsOf(u)).toMatchObject({ department: "Research" });

    const g = (await post("/Groups", { schemas: [GROUP], displayName: "Eng", members: [{ value: u }] })).body.id as string;
    const other = (await post("/Groups", { schemas: [GROUP], displayName: "Alpha" })).body.id as string;
    expect((await claimsOf(u)).groups).toEqual(["Eng"]);
    await patch(`/Groups/${other}`, [{ op: "add", path: "members", value: [{ value: u }] }]);
    expect((await claimsOf(u)).groups).toEqual(["Alpha", "Eng"]);
    await patch(`/Groups/${g}`, [{ op: "replace", path: "displayName", value: "Engineering" }]);
    expect((await claimsOf(u)).groups).toEqual(["Alpha", "Engineering"]);
    await patch(`/Groups/${other}`, [{ op: "remove", path: `members[value eq "${u}"]` }]);
    expect((await claimsOf(u)).groups).toEqual(["Engineering"]);
    // A user write keeps the groups claim it already has.
    await patch(`/Users/${u}`, [{ op: "add", path: "nickName", value: "c" }]);
    expect((await claimsOf(u)).groups).toEqual(["Engineering"]);
    await request(b.app).delete(`/scim/v2/Groups/${g}`).set("Authorization", `Bearer ${b.scimToken}`);
    expect((await claimsOf(u)).groups).toEqual([]);
  });
});
