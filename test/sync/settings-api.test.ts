import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

describe.each(testEngines())("IdP sync settings API on %s", (engine) => {
  let b: TestBridge;
  let acme: string;
  let other: string;
  let eng: string;
  let foreign: string;
  const api = (m: "get" | "patch" | "post", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine);
    acme = (await api("post", "/organizations").send({ name: "acme" })).body.id;
    other = (await api("post", "/organizations").send({ name: "other" })).body.id;
    eng = (await api("post", "/organizations/acme/groups").send({ name: "eng" })).body.id;
    foreign = (await api("post", "/organizations/other/groups").send({ name: "x" })).body.id;
    await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER, ENT], userName: "f@x.example", [ENT]: { department: "Sales" } });
  });
  afterAll(async () => {
    await b.close();
  });

  it("serves organization sync settings with Coder's defaults, full PATCH, config PATCH and mapping PATCH", async () => {
    expect((await api("get", "/settings/idpsync/organization")).body).toEqual({ field: "", mapping: {}, organization_assign_default: true });
    const full = await api("patch", "/settings/idpsync/organization").send({ field: "department", mapping: { Sales: [acme] }, organization_assign_default: false });
    expect(full.status).toBe(200);
    expect(full.body).toEqual({ field: "department", mapping: { Sales: [acme] }, organization_assign_default: false });
    const config = await api("patch", "/settings/idpsync/organization/config").send({ field: "dept", assign_default: true });
    expect(config.body).toEqual({ field: "dept", mapping: { Sales: [acme] }, organization_assign_default: true });
    const mapping = await api("patch", "/settings/idpsync/organization/mapping").send({ add: [{ given: "Ops", gets: other }, { given: "Sales", gets: other }], remove: [{ given: "Ops", gets: other }] });
    expect(mapping.body.mapping).toEqual({ Sales: [acme, other] });
    expect((await api("get", "/settings/idpsync/organization")).body.mapping).toEqual({ Sales: [acme, other] });
    const audit = await b.db.prisma.auditEvent.findMany({ where: { action: "settings.organization_sync.updated" }, orderBy: { createdAt: "asc" } });
    expect(audit).toHaveLength(3);
    expect(audit[0]!.details).toMatchObject({ before: { field: "" }, after: { field: "department" } });
  });

  it("refuses unknown organizations in the mapping, naming each", async () => {
    const res = await api("patch", "/settings/idpsync/organization/mapping").send({ add: [{ given: "A", gets: "nope" }, { given: "B", gets: "00000000-0000-4000-8000-000000000000" }] });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('mapping: "A" → nope is not an organization; "B" → 00000000-0000-4000-8000-000000000000 is not an organization');
  });

  it("serves group sync settings per organization, validating groups and patterns", async () => {
    expect((await api("get", "/organizations/acme/settings/idpsync/groups")).body).toEqual({ field: "", mapping: null, regex_filter: null, auto_create_missing_groups: false });
    const ok = await api("patch", `/organizations/${acme}/settings/idpsync/groups`).send({ field: "groups", mapping: { Eng: [eng] }, regex_filter: "^E", auto_create_missing_groups: true });
    expect(ok.status).toBe(200);
    const cfg = await api("patch", "/organizations/acme/settings/idpsync/groups/config").send({ field: "teams", regex_filter: null, auto_create_missing_groups: false });
    expect(cfg.body).toEqual({ field: "teams", mapping: { Eng: [eng] }, regex_filter: null, auto_create_missing_groups: false });
    const wrongOrg = await api("patch", "/organizations/acme/settings/idpsync/groups/mapping").send({ add: [{ given: "X", gets: foreign }] });
    expect(wrongOrg.status).toBe(400);
    expect(wrongOrg.body.message).toContain(`"X" → ${foreign} is not a group of this organization`);
    const badRegex = await api("patch", "/organizations/acme/settings/idpsync/groups/config").send({ field: "g", regex_filter: "(?=x)", auto_create_missing_groups: false });
    expect(badRegex.body.message).toBe("group sync settings: regex_filter is not a valid RE2 pattern: error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    expect((await api("get", "/organizations/nope/settings/idpsync/groups")).status).toBe(404);
  });

  it("serves role sync settings, refusing site roles and unknown roles", async () => {
    const ok = await api("patch", "/organizations/acme/settings/idpsync/roles").send({ field: "groups", mapping: { Admins: ["organization-admin"] } });
    expect(ok.body).toEqual({ field: "groups", mapping: { Admins: ["organization-admin"] } });
    expect((await api("patch", "/organizations/acme/settings/idpsync/roles/config").send({ field: "roles" })).body).toEqual({ field: "roles", mapping: { Admins: ["organization-admin"] } });
    const bad = await api("patch", "/organizations/acme/settings/idpsync/roles/mapping").send({ add: [{ given: "Root", gets: "owner" }, { given: "W", gets: "wizard" }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('role sync settings: "Root" → owner is a site role; sync never grants site roles; "W" → wizard is not an organization role');
  });

  it("answers available fields and field values from stored claims, per organization too", async () => {
    const fields = (await api("get", "/settings/idpsync/available-fields")).body as string[];
    expect(fields).toEqual(expect.arrayContaining(["department", "groups", "roles", "userName", `${ENT}:department`]));
    expect((await api("get", "/settings/idpsync/field-values?claimField=department")).body).toEqual(["Sales"]);
    expect((await api("get", "/settings/idpsync/field-values")).status).toBe(400);
    expect((await api("get", "/organizations/other/settings/idpsync/available-fields")).body).toEqual([]);
    expect((await api("get", "/organizations/default/settings/idpsync/field-values?claimField=department")).body).toEqual(["Sales"]);
  });

  it("validates bodies", async () => {
    const res = await api("patch", "/settings/idpsync/organization/config").send({ field: 3 });
    expect(res.status).toBe(400);
    expect(res.body.validations.map((v: { field: string }) => v.field).sort()).toEqual(["assign_default", "field"]);
  });
});
