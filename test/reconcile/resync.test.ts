import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

describe.each(testEngines())("resync reconciliations on %s", (engine) => {
  let b: TestBridge;
  let defaultOrg: string;
  let devs: string;
  const users: Record<string, string> = {};
  const scim = (p: string, body: object) => request(b.app).post(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const api = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const setting = (key: string, value: object) => b.db.prisma.syncSetting.upsert({ where: { key }, create: { key, value }, update: { value } });
  const memberships = async () =>
    (await b.db.prisma.groupMember.findMany({ include: { group: true, user: true } })).map((m) => `${m.user.userName}:${m.group.name}:${m.source}`).sort();

  beforeAll(async () => {
    b = await startTestBridge(engine);
    defaultOrg = (await api("get", "/organizations/default")).body.id;
    devs = (await api("post", "/organizations/default/groups").send({ name: "devs" })).body.id;
    for (const n of ["ann", "bob", "cy"]) users[n] = (await scim("/Users", { schemas: [USER], userName: `${n}@corp.example` })).body.id;
    await scim("/Groups", { schemas: [GROUP], displayName: "Okta-Eng", members: [{ value: users.ann }, { value: users.bob }] });
    await scim("/Groups", { schemas: [GROUP], displayName: "Admins", members: [{ value: users.cy }] });
  });
  afterAll(async () => {
    await b.close();
  });

  it("previews exactly the memberships group sync will create, applies them, and then has nothing left to do", async () => {
    // Group sync is enabled after the users and their IdP groups exist: nothing happened yet.
    await setting(`${defaultOrg}:group-sync-settings`, { field: "groups", mapping: { "Okta-Eng": [devs] }, regex_filter: null, auto_create_missing_groups: true });
    expect(await memberships()).toEqual([]);

    const dry = await api("post", "/reconciliations").send({ kind: "resync" });
    expect(dry.status).toBe(201);
    expect(dry.headers.location).toBe(`/api/v2/reconciliations/${dry.body.id}`);
    expect(dry.body).toMatchObject({ kind: "resync", status: "completed", dry_run: true, summary: { users_total: 3, users_scanned: 3, users_changed: 3, changes: 3, errors: 0 } });
    const report = await api("get", `/reconciliations/${dry.body.id}`);
    const lines = report.body.items.map((i: Record<string, unknown>) => [i.username, i.dimension, i.action, i.group_name, i.group_id === null ? "new" : i.group_id, i.rule, i.value]);
    expect(lines.sort()).toEqual([
      ["ann", "group", "add", "devs", devs, "mapping", "Okta-Eng"],
      ["bob", "group", "add", "devs", devs, "mapping", "Okta-Eng"],
      ["cy", "group", "add", "Admins", "new", "autoCreate", "Admins"],
    ]);
    // A dry run changes nothing.
    expect(await memberships()).toEqual([]);
    expect(await b.db.prisma.group.count({ where: { name: "Admins" } })).toBe(0);

    const applied = await api("post", "/reconciliations").send({ kind: "resync", dry_run: false });
    expect(applied.body).toMatchObject({ status: "completed", dry_run: false, summary: { users_changed: 3, changes: 3 } });
    expect(await memberships()).toEqual(["ann@corp.example:devs:sync", "bob@corp.example:devs:sync", "cy@corp.example:Admins:sync"]);
    // Every change is in the audit log, attributed to the run.
    const audit = await api("get", `/audit?action=sync.group.added`);
    expect(audit.body.audit_logs.filter((e: { actor: string }) => e.actor === `reconciliation:${applied.body.id}`)).toHaveLength(3);

    const again = await api("post", "/reconciliations").send({ kind: "resync" });
    expect(again.body.summary).toMatchObject({ users_scanned: 3, users_changed: 0, changes: 0 });
  });

  it("applies a reviewed dry run only while the plan is unchanged", async () => {
    const ops = (await api("post", "/organizations/default/groups").send({ name: "ops" })).body.id as string;
    await setting(`${defaultOrg}:group-sync-settings`, { field: "groups", mapping: { "Okta-Eng": [ops] }, regex_filter: null, auto_create_missing_groups: true });
    const dry = (await api("post", "/reconciliations").send({ kind: "resync" })).body;
    expect(dry.summary.changes).toBe(4); // ann and bob: out of devs, into ops

    // The settings change again: the reviewed plan is no longer the plan.
    await setting(`${defaultOrg}:group-sync-settings`, { field: "groups", mapping: { "Okta-Eng": [ops, devs] }, regex_filter: null, auto_create_missing_groups: true });
    const refused = await api("post", `/reconciliations/${dry.id}/apply`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/plan changed since dry run/);
    expect(await memberships()).toContain("ann@corp.example:devs:sync");

    const fresh = (await api("post", "/reconciliations").send({ kind: "resync" })).body;
    const applied = await api("post", `/reconciliations/${fresh.id}/apply`);
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ dry_run: false, status: "completed", source_run_id: fresh.id, summary: { changes: 2 } });
    expect(await memberships()).toEqual(["ann@corp.example:devs:sync", "ann@corp.example:ops:sync", "bob@corp.example:devs:sync", "bob@corp.example:ops:sync", "cy@corp.example:Admins:sync"]);

    expect((await api("post", `/reconciliations/${applied.body.id}/apply`)).status).toBe(409);
  });

  it("narrows to one organization or to the users a SCIM filter selects", async () => {
    await setting(`${defaultOrg}:group-sync-settings`, { field: "groups", mapping: null, regex_filter: null, auto_create_missing_groups: true });
    const one = (await api("post", "/reconciliations").send({ kind: "resync", filter: 'userName eq "ANN@corp.example"' })).body;
    expect(one.summary).toMatchObject({ users_total: 1, users_scanned: 1 });
    const report = (await api("get", `/reconciliations/${one.id}`)).body;
    expect(new Set(report.items.map((i: { username: string }) => i.username))).toEqual(new Set(["ann"]));

    const acme = (await api("post", "/organizations").send({ name: "acme" })).body.id as string;
    const scoped = (await api("post", "/reconciliations").send({ kind: "resync", organization: "acme" })).body;
    expect(scoped.summary.changes).toBe(0);
    expect(scoped.parameters).toMatchObject({ organization: "acme" });
    expect(acme).toBeTruthy();
  });

  it("lists runs newest first and pages a run's report", async () => {
    const list = (await api("get", "/reconciliations?limit=2")).body;
    expect(list.count).toBeGreaterThanOrEqual(6);
    expect(list.runs).toHaveLength(2);
    expect(Date.parse(list.runs[0].created_at)).toBeGreaterThanOrEqual(Date.parse(list.runs[1].created_at));
    const first = (await api("get", "/reconciliations?limit=100")).body.runs.find((r: { summary: { changes: number } }) => r.summary.changes === 3);
    const page = (await api("get", `/reconciliations/${first.id}?limit=1&offset=1`)).body;
    expect(page).toMatchObject({ items_count: 3, offset: 1, limit: 1 });
    expect(page.items).toHaveLength(1);
    expect((await api("get", `/reconciliations/${first.id}?kind=problem`)).body.items_count).toBe(0);
  });

  it.each([
    [{ kind: "resync", filter: "userName eq" }, /filter/],
    [{ kind: "resync", organization: "nope" }, /organization "nope" does not exist/],
    [{ kind: "merge" }, /Validation failed/],
    [{ kind: "resync", dry_run: "no" }, /Validation failed/],
    [{ kind: "resync", batch_size: 0 }, /Validation failed/],
  ])("refuses %j with a 400 and starts nothing", async (body, message) => {
    const before = await b.db.prisma.reconciliationRun.count();
    const res = await api("post", "/reconciliations").send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(await b.db.prisma.reconciliationRun.count()).toBe(before);
  });

  it("answers 404 for an unknown run", async () => {
    expect((await api("get", "/reconciliations/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await api("get", "/reconciliations/nope")).status).toBe(404);
    expect((await api("post", "/reconciliations/00000000-0000-4000-8000-000000000000/apply")).status).toBe(404);
  });

  if (engine === "postgres") {
    it("refuses a second apply while one holds the lock, naming it", async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = b.db.withSession(async (s) => {
        await s.query("SELECT pg_advisory_lock($1)", [0x5245434f]);
        locked();
        await held;
        await s.query("SELECT pg_advisory_unlock($1)", [0x5245434f]);
      });
      await isLocked;
      const res = await api("post", "/reconciliations").send({ kind: "resync", dry_run: false });
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/an apply is already running/);
      // Dry runs take no lock.
      expect((await api("post", "/reconciliations").send({ kind: "resync" })).status).toBe(201);
      release();
      await holder;
      expect((await api("post", "/reconciliations").send({ kind: "resync", dry_run: false })).status).toBe(201);
    });
  }
});
