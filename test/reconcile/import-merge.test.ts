import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

/** Imports merge by default (issue 14): an import never loses what it did not mention. */
describe.each(testEngines())("import merge and replace on %s", (engine) => {
  let b: TestBridge;
  // One Host for every request: answers' URIs (`$ref`) are built from it, and supertest binds a new port per request.
  const scim = (m: "get" | "post", p: string, body?: object) => request(b.app)[m](`/scim/v2${p}`).set("Host", "bridge.test").set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const api = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const full = (n: string, managerId?: string) => ({
    schemas: [USER, ENTERPRISE],
    userName: `${n}@merge.example`,
    externalId: `ext-${n}`,
    displayName: `${n.toUpperCase()} Person`,
    title: "Auditor",
    name: { givenName: n, familyName: "Person", formatted: `${n} Person` },
    emails: [{ value: `${n}@merge.example`, type: "work", primary: true }, { value: `${n}@home.example`, type: "home" }],
    phoneNumbers: [{ value: "+1 555 0100", type: "work" }],
    [ENTERPRISE]: { department: "Finance", employeeNumber: `E-${n}`, costCenter: "CC1", ...(managerId ? { manager: { value: managerId } } : {}) },
  });
  const resource = async (id: string) => {
    const { meta: _m, ...rest } = (await scim("get", `/Users/${id}`)).body as Record<string, unknown>;
    return rest;
  };
  const items = async (id: string, kind?: string) => (await api("get", `/reconciliations/${id}?limit=1000${kind ? `&kind=${kind}` : ""}`)).body.items as Record<string, unknown>[];
  const ids: Record<string, string> = {};
  let acme = "";

  beforeAll(async () => {
    b = await startTestBridge(engine);
    ids.boss = (await scim("post", "/Users", full("boss"))).body.id;
    for (const n of ["ann", "bob"]) ids[n] = (await scim("post", "/Users", full(n, ids.boss))).body.id;
    ids.group = (await scim("post", "/Groups", { schemas: [GROUP], displayName: "Finance Team", externalId: "grp-1", members: [{ value: ids.ann }] })).body.id;
    // Sync: department Finance → organization acme; title Auditor → organization-auditor in acme.
    acme = (await api("post", "/organizations").send({ name: "acme", display_name: "Acme" })).body.id;
    expect((await api("patch", "/settings/idpsync/organization").send({ field: "department", mapping: { Finance: [acme] }, organization_assign_default: true })).status).toBe(200);
    expect((await api("patch", `/organizations/${acme}/settings/idpsync/roles`).send({ field: "title", mapping: { Auditor: ["organization-auditor"] } })).status).toBe(200);
    // The settings apply at the next write; a resync brings everyone in step first.
    const resync = await api("post", "/reconciliations").send({ kind: "resync", dry_run: false });
    expect(resync.body).toMatchObject({ status: "completed" });
    const roles = await b.db.prisma.organizationMemberRole.findMany({ where: { organizationId: acme } });
    expect(roles.map((r) => r.role)).toEqual(["organization-auditor", "organization-auditor", "organization-auditor"]);
  });
  afterAll(async () => {
    await b.close();
  });

  it("changes nothing but the CSV's columns: a two-column CSV over users with every attribute set", async () => {
    const before = { ann: await resource(ids.ann!), bob: await resource(ids.bob!) };
    const groupBefore = (await scim("get", `/Groups/${ids.group}`)).body;
    const csv = ["userName,email", "ann@merge.example,ann.new@merge.example", "bob@merge.example,bob@merge.example"].join("\n");
    const dry = await api("post", "/reconciliations").send({ kind: "import", format: "csv", data: csv });
    expect(dry.body).toMatchObject({ status: "completed", parameters: { mode: "merge" }, summary: { users_changed: 2, changes: 2, errors: 0 } });
    const lines = await items(dry.body.id);
    const ann = lines.find((i) => i.username === "ann")!;
    // The CSV's one email replaces the list (emails is one multi-valued attribute); nothing else moves.
    expect(ann).toMatchObject({ kind: "change", dimension: "user", action: "update", mode: "merge", changed: ["emails"] });
    expect(ann.changes).toEqual([{ attribute: "emails", old: before.ann.emails, new: [{ value: "ann.new@merge.example", type: "work", primary: true }] }]);
    expect(ann).not.toHaveProperty("cleared");
    expect(lines.filter((i) => i.dimension !== "user")).toEqual([]);

    const applied = await api("post", `/reconciliations/${dry.body.id}/apply`);
    expect(applied.body).toMatchObject({ status: "completed", summary: { changes: 2 } });
    expect(await resource(ids.ann!)).toEqual({ ...before.ann, emails: [{ value: "ann.new@merge.example", type: "work", primary: true }] });
    // bob's work email was already the CSV's: only the list (home address gone) changed.
    expect(await resource(ids.bob!)).toEqual({ ...before.bob, emails: [{ value: "bob@merge.example", type: "work", primary: true }] });
    expect((await scim("get", `/Groups/${ids.group}`)).body).toMatchObject({ externalId: "grp-1", members: groupBefore.members });
  });

  it("leaves a value as it is for an empty CSV cell, and merges name parts and extension attributes one by one", async () => {
    const before = await resource(ids.bob!);
    const csv = ["userName,title,givenName,department,groups", "bob@merge.example,,Robert,Finance,"].join("\n");
    const run = await api("post", "/reconciliations").send({ kind: "import", format: "csv", data: csv, dry_run: false });
    expect(run.body).toMatchObject({ status: "completed", summary: { users_changed: 1, changes: 1 } });
    const [line] = await items(run.body.id, "change");
    expect(line).toMatchObject({ changed: ["name"], changes: [{ attribute: "name.givenName", old: "bob", new: "Robert" }] });
    const after = await resource(ids.bob!);
    expect(after).toEqual({ ...before, name: { ...(before.name as object), givenName: "Robert" } });
    // An empty groups cell leaves bob's groups; the group the CSV does not name is untouched.
    expect((await scim("get", `/Groups/${ids.group}`)).body.members.map((m: { value: string }) => m.value)).toEqual([ids.ann]);
  });

  it("keeps a JSON resource's absent attributes, and a JSON group's members when it has no members attribute", async () => {
    const before = await resource(ids.ann!);
    const data = { Users: [{ schemas: [USER], userName: "ann@merge.example", title: "Auditor", nickName: "Annie" }], Groups: [{ schemas: [GROUP], displayName: "Finance Team" }] };
    const run = await api("post", "/reconciliations").send({ kind: "import", data, dry_run: false });
    expect(run.body).toMatchObject({ status: "completed", summary: { users_changed: 1, changes: 1 } });
    expect(await resource(ids.ann!)).toEqual({ ...before, nickName: "Annie" });
    expect((await scim("get", `/Groups/${ids.group}`)).body).toMatchObject({ externalId: "grp-1", members: [{ value: ids.ann }] });
  });

  it("merges an extension the bridge does not define attribute by attribute, keeping it in schemas", async () => {
    const ACME = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    const id = (await scim("post", "/Users", { schemas: [USER, ACME], userName: "ext@merge.example", title: "Auditor", [ACME]: { badge: "B1", floor: "3" } })).body.id;
    const before = await resource(id);
    expect(before).toMatchObject({ schemas: [USER, ACME], [ACME]: { badge: "B1", floor: "3" } });
    const csv = ["userName,title", "ext@merge.example,Lead"].join("\n");
    const a = await api("post", "/reconciliations").send({ kind: "import", format: "csv", data: csv, dry_run: false });
    expect(a.body).toMatchObject({ status: "completed", summary: { errors: 0 } });
    expect(await resource(id)).toEqual({ ...before, title: "Lead" });
    const data = { Users: [{ schemas: [USER, ACME], userName: "ext@merge.example", [ACME]: { floor: "4" } }] };
    const b2 = await api("post", "/reconciliations").send({ kind: "import", data, dry_run: false });
    expect(b2.body).toMatchObject({ status: "completed", summary: { errors: 0, users_changed: 1 } });
    const [line] = (await items(b2.body.id, "change")).filter((i) => i.dimension === "user");
    expect(line!.changes).toEqual([{ attribute: `${ACME}:floor`, old: "3", new: "4" }]);
    expect(await resource(id)).toEqual({ ...before, title: "Lead", [ACME]: { badge: "B1", floor: "4" } });
  });

  it("keeps a group's members when a member's own write fails or its record can't be named, merging", async () => {
    const g = (await scim("post", "/Groups", { schemas: [GROUP], displayName: "Kept Team", members: [{ value: ids.ann }, { value: ids.bob }] })).body.id;
    const data = {
      Users: [
        // ann's record takes boss's userName: her write fails (a conflict), she is still ann.
        { schemas: [USER], id: "src-ann", externalId: "ext-ann", userName: "boss@merge.example" },
        // bob's record doesn't validate at all.
        { schemas: [USER], id: "src-bob", userName: "" },
      ],
      Groups: [{ schemas: [GROUP], displayName: "Kept Team", members: [{ value: "src-ann" }, { value: "src-bob" }] }],
    };
    const run = await api("post", "/reconciliations").send({ kind: "import", data, dry_run: false });
    expect(run.body).toMatchObject({ status: "completed" });
    const errors = await items(run.body.id, "error");
    expect(errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/already taken/), expect.stringMatching(/member "src-bob" is not a user of the export or of the bridge; left out; the group's current members are all kept \(merge\)/)]),
    );
    expect((await scim("get", `/Groups/${g}`)).body.members.map((m: { value: string }) => m.value).sort()).toEqual([ids.ann, ids.bob].sort());
  });

  it("previews a replace with every attribute it would clear, and the apply clears exactly those", async () => {
    const before = await resource(ids.boss!);
    const csv = ["userName,email,title", "boss@merge.example,boss@merge.example,Auditor"].join("\n");
    const dry = await api("post", "/reconciliations").send({ kind: "import", format: "csv", data: csv, mode: "replace" });
    expect(dry.body).toMatchObject({ status: "completed", parameters: { mode: "replace" } });
    const [line] = (await items(dry.body.id)).filter((i) => i.dimension === "user");
    expect(line).toMatchObject({ action: "update", mode: "replace" });
    expect(line!.cleared).toEqual([
      "displayName",
      "externalId",
      "name.familyName",
      "name.formatted",
      "name.givenName",
      "phoneNumbers",
      `${ENTERPRISE}:costCenter`,
      `${ENTERPRISE}:department`,
      `${ENTERPRISE}:employeeNumber`,
    ]);
    // Clearing the department takes boss out of acme (organization sync) and its role with it.
    const sync = (await items(dry.body.id)).filter((i) => i.dimension !== "user");
    expect(sync).toEqual([
      expect.objectContaining({ dimension: "organization", action: "remove", organization_id: acme, rule: "not expected", field: "department", cause: "import" }),
      expect.objectContaining({ dimension: "role", action: "remove", organization_id: acme, role: "organization-auditor", rule: "organization left" }),
    ]);
    expect(await resource(ids.boss!)).toEqual(before);
    const applied = await api("post", `/reconciliations/${dry.body.id}/apply`);
    expect(applied.body).toMatchObject({ status: "completed" });
    const after = await resource(ids.boss!);
    for (const a of ["displayName", "externalId", "phoneNumbers", ENTERPRISE]) expect(after).not.toHaveProperty([a]);
    expect(after).toMatchObject({ userName: "boss@merge.example", title: "Auditor", emails: [{ value: "boss@merge.example", type: "work", primary: true }] });
    expect(await b.db.prisma.organizationMember.count({ where: { organizationId: acme, userId: ids.boss! } })).toBe(0);
  });

  it("shows the sync consequences and their sum before applying, equal to what the apply does (the audit)", async () => {
    const csv = ["userName,title", "ann@merge.example,Engineer", "bob@merge.example,Engineer"].join("\n");
    const dry = await api("post", "/reconciliations").send({ kind: "import", format: "csv", data: csv });
    expect(dry.body).toMatchObject({ status: "completed", summary: { users_changed: 2, changes: 4 } });
    const report = await api("get", `/reconciliations/${dry.body.id}`);
    expect(report.body.consequences).toEqual([
      { dimension: "role", action: "remove", organization_id: acme, organization: "acme", role: "organization-auditor", users: 2, text: "2 users lose organization-auditor in acme" },
    ]);
    const planned = (await items(dry.body.id, "change")).filter((i) => i.dimension === "role").map((i) => `${i.user_id}:${i.action}:${i.role}:${i.rule}:${i.field}`).sort();
    expect(planned).toEqual([`${ids.ann}:remove:organization-auditor:not expected:title`, `${ids.bob}:remove:organization-auditor:not expected:title`].sort());

    const applied = await api("post", `/reconciliations/${dry.body.id}/apply`);
    expect(applied.body).toMatchObject({ status: "completed", summary: { changes: 4 } });
    const audit = await b.db.prisma.auditEvent.findMany({ where: { actor: `reconciliation:${applied.body.id}`, action: { startsWith: "sync." } } });
    // The problems the apply's sync recorded were in the preview too.
    const problems = (await items(dry.body.id, "problem")).filter((i) => i.cause === "import").map((i) => `${i.user_id}:${i.message}`).sort();
    expect(audit.filter((a) => a.action === "sync.problem").map((a) => `${a.userId}:${(a.details as Record<string, string>).problem}`).sort()).toEqual(problems);
    const done = audit.filter((a) => a.action !== "sync.problem").map((a) => {
      const d = a.details as Record<string, string>;
      return `${a.userId}:${a.action === "sync.role.revoked" ? "remove" : a.action}:${d.role}:${d.rule}:${d.field}`;
    });
    expect(done.sort()).toEqual(planned);
  });

  it("keeps a completed run's consequences as they were summed when it completed, without moving updated_at on reads", async () => {
    const csv = ["userName,title", "ann@merge.example,Auditor"].join("\n");
    const dry = await api("post", "/reconciliations").send({ kind: "import", format: "csv", data: csv });
    expect(dry.body.status).toBe("completed");
    const first = (await api("get", `/reconciliations/${dry.body.id}`)).body;
    expect(first.consequences.length).toBeGreaterThan(0);
    // The report is what was summed: stored with the run, not summed again on each read.
    await b.db.sql.query("DELETE FROM reconciliation_items WHERE run_id = $1::uuid AND kind = 'change'", [dry.body.id]);
    const again = (await api("get", `/reconciliations/${dry.body.id}`)).body;
    expect(again.consequences).toEqual(first.consequences);
    expect(again.updated_at).toBe(first.updated_at);
    // A run completed before they were stored gets them summed on its first read, and kept.
    await b.db.sql.query("UPDATE reconciliation_runs SET consequences = NULL WHERE id = $1::uuid", [dry.body.id]);
    expect((await api("get", `/reconciliations/${dry.body.id}`)).body.consequences).toEqual([]);
    const [row] = await b.db.sql.query<{ consequences: unknown; updated_at: Date }>("SELECT consequences, updated_at FROM reconciliation_runs WHERE id = $1::uuid", [dry.body.id]);
    expect(row?.consequences).toEqual([]);
    expect(row?.updated_at.toISOString()).toBe(first.updated_at);
  });

  it("shows a new user's default organization and mapped grants, and a group change's consequences for its members", async () => {
    const data = {
      Users: [{ schemas: [USER, ENTERPRISE], id: "src-cy", userName: "cy@merge.example", title: "Auditor", [ENTERPRISE]: { department: "Finance" } }],
      Groups: [{ schemas: [GROUP], displayName: "Finance Team", members: [{ value: ids.ann }, { value: "src-cy" }] }],
    };
    const dry = await api("post", "/reconciliations").send({ kind: "import", data });
    const lines = (await items(dry.body.id, "change")).map((i) => [i.dimension, i.action, i.username ?? i.user_name ?? i.group_name, i.organization_id ?? null, i.role ?? null, i.rule ?? null]);
    const defaultOrg = (await b.db.prisma.organization.findFirstOrThrow({ where: { isDefault: true } })).id;
    expect(lines).toEqual([
      ["user", "create", "cy@merge.example", null, null, null],
      ["organization", "add", "cy@merge.example", defaultOrg, null, "default"],
      ["organization", "add", "cy@merge.example", acme, null, "mapping"],
      ["role", "add", "cy@merge.example", acme, "organization-auditor", "mapping"],
      ["idp_group", "update", "Finance Team", null, null, null],
    ]);
    const applied = await api("post", `/reconciliations/${dry.body.id}/apply`);
    expect(applied.body).toMatchObject({ status: "completed", summary: { changes: 5 } });
    const cy = await b.db.prisma.user.findFirstOrThrow({ where: { userName: "cy@merge.example" }, include: { memberships: true, roles: true } });
    expect(cy.memberships.map((m) => m.organizationId).sort()).toEqual([acme, defaultOrg].sort());
    expect(cy.roles.map((r) => r.role)).toEqual(["organization-auditor"]);
  });
});
