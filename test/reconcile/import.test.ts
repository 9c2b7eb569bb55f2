import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

describe.each(testEngines())("import reconciliations on %s", (engine) => {
  let b: TestBridge;
  const ids: Record<string, string> = {};
  const scim = (m: "get" | "post", p: string, body?: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const api = (m: "get" | "post", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const state = async () => ({
    users: (await b.db.prisma.user.findMany({ orderBy: { userName: "asc" } })).map((u) => `${u.userName}:${u.status}:${u.displayName ?? ""}`),
    groups: (await b.db.prisma.idpGroup.findMany({ include: { members: { include: { user: true } } }, orderBy: { displayName: "asc" } })).map(
      (g) => `${g.displayName}=${g.members.map((m) => m.user.userName).sort().join(",")}`,
    ),
  });
  const report = async (id: string) =>
    (await api("get", `/reconciliations/${id}`)).body.items.map((i: Record<string, unknown>) => [i.kind, i.dimension, i.action, i.username ?? i.group_name ?? i.user_name ?? i.ref ?? null]).sort();

  let exported: { Users: { Resources: Record<string, unknown>[] }; Groups: { Resources: Record<string, unknown>[] } };

  beforeAll(async () => {
    b = await startTestBridge(engine);
    for (const n of ["ann", "bob", "cy"]) ids[n] = (await scim("post", "/Users", { schemas: [USER], userName: `${n}@corp.example`, displayName: n.toUpperCase() })).body.id;
    await scim("post", "/Groups", { schemas: [GROUP], displayName: "Eng", members: [{ value: ids.ann }, { value: ids.bob }] });
    // The export, as an IdP or this bridge lists it, then edited as the IdP's truth moved on.
    exported = { Users: (await scim("get", "/Users")).body, Groups: (await scim("get", "/Groups")).body };
  });
  afterAll(async () => {
    await b.close();
  });

  it("previews an export's differences without writing, guards mass suspension, applies, and is then in step", async () => {
    const users = exported.Users.Resources.filter((u) => u.userName !== "cy@corp.example").map((u) => (u.userName === "bob@corp.example" ? { ...u, displayName: "Robert" } : u));
    users.push({ schemas: [USER], id: "okta-00d", userName: "dee@corp.example", displayName: "DEE", externalId: "00d" });
    const eng = { ...exported.Groups.Resources[0]!, members: [{ value: ids.ann }, { value: "okta-00d" }] };
    const ops = { schemas: [GROUP], displayName: "Ops", members: [{ value: ids.bob }, { value: "nobody" }] };
    const data = { Users: { Resources: users }, Groups: [eng, ops] };
    const before = await state();

    const dry = await api("post", "/reconciliations").send({ kind: "import", data, suspend_missing: true });
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ kind: "import", dry_run: true, status: "completed", summary: { users_total: 3, changes: 6, errors: 1 } });
    expect(dry.body.parameters).not.toHaveProperty("data");
    expect(await report(dry.body.id)).toEqual([
      ["change", "idp_group", "create", "Ops"],
      ["change", "idp_group", "update", "Eng"],
      // The create's own grant: the new user joins the default organization (a sync consequence).
      ["change", "organization", "add", "dee@corp.example"],
      ["change", "user", "create", "dee@corp.example"],
      ["change", "user", "suspend", "cy"],
      ["change", "user", "update", "bob"],
      ["error", "idp_group", "member", "Ops"],
    ]);
    expect(await state()).toEqual(before);

    // Suspending 1 of 3 active users is over the 10% default: refused until confirmed.
    const guarded = await api("post", "/reconciliations").send({ kind: "import", data, dry_run: false, suspend_missing: true });
    expect(guarded.status).toBe(400);
    expect(guarded.body.message).toMatch(/would suspend 1 of 3 active users \(33\.3%\), over the 10% limit.*allow_mass_suspend/);
    expect(await state()).toEqual(before);

    // Applying the reviewed dry run is held to the same limit: it was not confirmed either.
    expect((await api("post", `/reconciliations/${dry.body.id}/apply`)).status).toBe(400);

    const confirmedDry = await api("post", "/reconciliations").send({ kind: "import", data, suspend_missing: true, allow_mass_suspend: true });
    const applied = await api("post", `/reconciliations/${confirmedDry.body.id}/apply`);
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ dry_run: false, status: "completed", source_run_id: confirmedDry.body.id, summary: { changes: 6, errors: 1 } });
    const after = await state();
    expect(after.users).toEqual(["ann@corp.example:active:ANN", "bob@corp.example:active:Robert", "cy@corp.example:suspended:CY", "dee@corp.example:active:DEE"]);
    expect(after.groups).toEqual(["Eng=ann@corp.example,dee@corp.example", "Ops=bob@corp.example"]);

    const again = await api("post", "/reconciliations").send({ kind: "import", data, dry_run: false, suspend_missing: true });
    expect(again.body).toMatchObject({ status: "completed", summary: { changes: 0 } });
  });

  it("imports a CSV with the documented columns, and reports rows it cannot take", async () => {
    await scim("post", "/Groups", { schemas: [GROUP], displayName: "Unmentioned" });
    const csv = [
      "userName,givenName,familyName,email,active,department,groups",
      "eve@corp.example,Eve,Adams,eve@corp.example,true,Sales,Sales;Eng",
      'fay@corp.example,"Fay, Jr.",Baker,fay@corp.example,no,Sales,Sales',
      "gus@corp.example,Gus,Cole,gus@corp.example,maybe,,",
    ].join("\n");
    // A replace: the CSV's groups get exactly the rows that list them (a merge would keep other members).
    const run = await api("post", "/reconciliations").send({ kind: "import", format: "csv", data: csv, dry_run: false, mode: "replace" });
    expect(run.body).toMatchObject({ status: "completed", summary: { users_total: 2, errors: 1 } });
    const eve = await b.db.prisma.user.findFirstOrThrow({ where: { userName: "eve@corp.example" } });
    expect(eve).toMatchObject({ givenName: "Eve", familyName: "Adams", email: "eve@corp.example", status: "active" });
    expect(eve.claims).toMatchObject({ department: "Sales", groups: ["Eng", "Sales"] });
    expect((await b.db.prisma.user.findFirstOrThrow({ where: { userName: "fay@corp.example" } })).status).toBe("suspended");
    const errors = (await api("get", `/reconciliations/${run.body.id}?kind=error`)).body.items;
    expect(errors).toEqual([expect.objectContaining({ dimension: "export", action: "invalid", ref: "line 4", message: 'active must be true or false, not "maybe"' })]);
    // Replacing, the CSV names the complete membership of the groups it mentions.
    expect((await state()).groups).toContain("Eng=eve@corp.example");
    // Groups it does not mention are reported, and kept.
    const problems = (await api("get", `/reconciliations/${run.body.id}?kind=problem`)).body.items;
    const others = (await b.db.prisma.idpGroup.findMany({ where: { displayName: { notIn: ["Eng", "Sales"] } }, orderBy: { displayNameKey: "asc" } })).map((g) => g.displayName);
    expect(others.length).toBeGreaterThan(0);
    expect(problems.filter((i: { dimension: string }) => i.dimension === "idp_group")).toEqual(
      others.map((name) => expect.objectContaining({ action: "absent", group_name: name, message: "not in the export (an import never deletes groups)" })),
    );
  });

  it("takes exports larger than the normal body limit on this path only", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `big${i}@corp.example,${"x".repeat(400)}`);
    const csv = ["userName,displayName", ...rows].join("\n");
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const run = await api("post", "/reconciliations?wait=60").send({ kind: "import", format: "csv", data: csv });
    expect(run.status).toBe(201);
    // Each create and its join of the default organization.
    expect(run.body.summary).toMatchObject({ users_total: 3000, users_changed: 3000, changes: 6000 });
    expect((await api("post", "/organizations").send({ name: "x", description: csv })).status).toBe(413);
  });

  it.each([
    [{ kind: "import", format: "csv", data: "name,mail\nx,y" }, /unknown CSV columns: name, mail/],
    [{ kind: "import", format: "csv", data: { Users: [] } }, /format csv needs `data` to be the CSV text/],
    [{ kind: "import", data: "{not json" }, /data is not valid JSON/],
    [{ kind: "import", data: { Resources: "x" } }, /Resources must be an array/],
    [{ kind: "import", data: { Users: { Resources: [] } } }, /holds no users and no groups/],
    [{ kind: "import" }, /Validation failed/],
  ])("refuses %j with a 400 and starts nothing", async (body, message) => {
    const before = await b.db.prisma.reconciliationRun.count();
    const res = await api("post", "/reconciliations").send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(await b.db.prisma.reconciliationRun.count()).toBe(before);
  });
});
