import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe.each(testEngines())("IdP sync at provisioning time on %s", (engine) => {
  let b: TestBridge;
  let defaultOrg: string;
  let acme: string;
  let devs: string;
  const scim = (m: "post" | "patch", p: string, body: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const admin = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const setting = (key: string, value: object) => b.db.prisma.syncSetting.upsert({ where: { key }, create: { key, value }, update: { value } });
  const orgsOf = async (u: string) => (await b.db.prisma.organizationMember.findMany({ where: { userId: u } })).map((m) => [m.organizationId, m.source]).sort();
  const groupsOf = async (u: string) => (await b.db.prisma.groupMember.findMany({ where: { userId: u }, include: { group: true } })).map((m) => [m.group.name, m.source]).sort();
  const rolesOf = async (u: string) => (await b.db.prisma.organizationMemberRole.findMany({ where: { userId: u } })).map((r) => [r.organizationId, r.role, r.source]).sort();

  beforeAll(async () => {
    b = await startTestBridge(engine);
    defaultOrg = (await admin("get", "/organizations/default")).body.id;
    acme = (await admin("post", "/organizations").send({ name: "acme" })).body.id;
    devs = (await admin("post", "/organizations/default/groups").send({ name: "devs" })).body.id;
    await admin("post", "/organizations/default/groups").send({ name: "manual-team" });
    await setting("organization-sync-settings", { field: "department", mapping: { Sales: [acme] }, organization_assign_default: true });
    await setting(`${defaultOrg}:group-sync-settings`, { field: "groups", mapping: { "Okta-Eng": [devs] }, regex_filter: null, auto_create_missing_groups: false });
    await setting(`${acme}:group-sync-settings`, { field: "groups", mapping: null, regex_filter: "^Adm", auto_create_missing_groups: true });
    await setting(`${acme}:role-sync-settings`, { field: "groups", mapping: { Admins: ["organization-admin"], "Okta-Eng": ["owner"] } });
  });
  afterAll(async () => {
    await b.close();
  });

  it("lands a user in the right organizations, groups and roles, and takes it out again, leaving manual grants alone", async () => {
    // Entra creates a user in Sales: default organization (assign default) and acme (mapping).
    const u = (await scim("post", "/Users", { schemas: [USER, ENT], userName: "sync@corp.example", [ENT]: { department: "Sales" } })).body.id as string;
    expect(await orgsOf(u)).toEqual([[acme, "sync"], [defaultOrg, "sync"]].sort());
    const added = await b.db.prisma.auditEvent.findFirstOrThrow({ where: { userId: u, action: "sync.organization.added", resourceId: acme } });
    expect(added.details).toMatchObject({ dimension: "organization", rule: "mapping", field: "department", value: "Sales", organization_id: acme });

    // Okta pushes "Okta-Eng" (mapped to devs in the default org) and "Admins" (auto-created in acme, and a role there).
    const eng = (await scim("post", "/Groups", { schemas: [GROUP], displayName: "Okta-Eng", members: [{ value: u }] })).body.id as string;
    const admins = (await scim("post", "/Groups", { schemas: [GROUP], displayName: "Admins", members: [] })).body.id as string;
    await scim("patch", `/Groups/${admins}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: u }] }] });
    expect(await groupsOf(u)).toEqual([["Admins", "sync"], ["devs", "sync"]]);
    expect(await b.db.prisma.group.findFirstOrThrow({ where: { organizationId: acme, name: "Admins" } })).toMatchObject({ source: "oidc" });
    expect(await rolesOf(u)).toEqual([[acme, "organization-admin", "sync"]]);
    // "owner" is never granted, and the refusal is recorded where an admin sees it.
    const refused = await b.db.prisma.auditEvent.findFirstOrThrow({ where: { userId: u, action: "sync.problem" } });
    expect(refused.details).toMatchObject({ dimension: "role", problem: '"owner" is a site role: sync never grants it' });

    // An admin adds the user to a group by hand.
    const manual = (await admin("get", "/organizations/default/groups/manual-team")).body.id as string;
    await admin("patch", `/groups/${manual}`).send({ add_users: [u] });

    // Okta removes the user from Okta-Eng: out of devs, manual-team stays.
    await scim("patch", `/Groups/${eng}`, { schemas: [PATCH], Operations: [{ op: "remove", path: `members[value eq "${u}"]` }] });
    expect(await groupsOf(u)).toEqual([["Admins", "sync"], ["manual-team", "manual"]]);
    const removed = await b.db.prisma.auditEvent.findFirstOrThrow({ where: { userId: u, action: "sync.group.removed" } });
    expect(removed.details).toMatchObject({ dimension: "group", group_id: devs, rule: "not expected", field: "groups" });

    // Entra moves the user to Research: out of acme with its group and role, still in default.
    await scim("patch", `/Users/${u}`, { schemas: [PATCH], Operations: [{ op: "Replace", path: `${ENT}:department`, value: "Research" }] });
    expect(await orgsOf(u)).toEqual([[defaultOrg, "sync"]]);
    expect(await groupsOf(u)).toEqual([["manual-team", "manual"]]);
    expect(await rolesOf(u)).toEqual([]);
  });

  it("costs nothing and changes nothing when every dimension is off", async () => {
    await b.db.prisma.syncSetting.deleteMany({});
    const u = (await scim("post", "/Users", { schemas: [USER, ENT], userName: "off@corp.example", [ENT]: { department: "Sales" } })).body.id as string;
    expect(await orgsOf(u)).toEqual([[defaultOrg, "sync"]]);
    expect(await b.db.prisma.auditEvent.count({ where: { userId: u, action: { startsWith: "sync." } } })).toBe(0);
  });
});
