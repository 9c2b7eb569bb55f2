import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ADDED: Record<string, string> = { "group:add": "sync.group.added", "group:remove": "sync.group.removed", "role:add": "sync.role.granted", "role:remove": "sync.role.revoked", "organization:add": "sync.organization.added", "organization:remove": "sync.organization.removed" };

type Item = Record<string, unknown>;

describe.each(testEngines())("previews of unsaved settings on %s", (engine) => {
  let b: TestBridge;
  let org: { id: string; name: string };
  let devs: string;
  const users: Record<string, string> = {};
  const scim = (m: "post", p: string, body: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const api = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const memberships = async () => (await b.db.prisma.groupMember.findMany({ include: { group: true, user: true } })).map((m) => `${m.user.userName}:${m.group.name}`).sort();
  const roles = async () => (await b.db.prisma.organizationMemberRole.findMany({ include: { user: true } })).map((r) => `${r.user.userName}:${r.role}`).sort();
  const items = async (id: string): Promise<string[]> =>
    ((await api("get", `/reconciliations/${id}?limit=1000`)).body.items as Item[]).map((i) => JSON.stringify([i.kind, i.username, i.dimension, i.action, i.organization_id, i.group_name, i.role, i.rule, i.field, i.value])).sort();
  const runs = () => b.db.prisma.reconciliationRun.count();

  beforeAll(async () => {
    b = await startTestBridge(engine);
    org = (await api("get", "/organizations/default")).body;
    devs = (await api("post", "/organizations/default/groups").send({ name: "devs" })).body.id;
    for (const n of ["ann", "bob", "cy"]) users[n] = (await scim("post", "/Users", { schemas: [USER], userName: `${n}@corp.example` })).body.id;
    await scim("post", "/Groups", { schemas: [GROUP], displayName: "Okta-Eng", members: [{ value: users.ann }, { value: users.bob }] });
    await scim("post", "/Groups", { schemas: [GROUP], displayName: "Okta-Leads", members: [{ value: users.cy }] });
  });
  afterAll(async () => {
    await b.close();
  });

  it("previews unsaved settings as a dry run with them saved shows, and applies the preview once they are saved, exactly", async () => {
    const groups = { field: "groups", mapping: { "Okta-Eng": [devs] }, regex_filter: "^Okta-", auto_create_missing_groups: true };
    const rolesBody = { field: "groups", mapping: { "Okta-Leads": ["organization-auditor"] } };
    const settings = { organizations: { [org.name]: { groups, roles: rolesBody } } };

    const preview = await api("post", "/reconciliations").send({ kind: "resync", settings });
    expect(preview.status).toBe(201);
    expect(preview.body).toMatchObject({ kind: "resync", dry_run: true, status: "completed", summary: { users_scanned: 3, users_changed: 3, changes: 4 } });
    expect(preview.body.parameters.settings).toEqual({ organizations: { [org.name]: { groups, roles: rolesBody } } });
    const previewed = await items(preview.body.id);
    // Nothing was saved or changed.
    expect((await api("get", "/organizations/default/settings/idpsync/groups")).body.field).toBe("");
    expect(await memberships()).toEqual([]);

    // Applying before saving: 409 naming the settings that are not saved.
    const early = await api("post", `/reconciliations/${preview.body.id}/apply`);
    expect(early.status).toBe(409);
    expect(early.body.message).toContain(`differs: org ${org.name} groups, org ${org.name} roles`);
    expect(await memberships()).toEqual([]);

    // Saving keeps Coder's response shape and runs nothing.
    const before = await runs();
    const saved = await api("patch", "/organizations/default/settings/idpsync/groups").send(groups);
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ ...groups, mapping: { "Okta-Eng": [devs] } });
    const half = await api("post", `/reconciliations/${preview.body.id}/apply`);
    expect(half.status).toBe(409);
    expect(half.body.message).toContain(`differs: org ${org.name} roles`);
    expect(half.body.message).not.toContain("groups");
    expect((await api("patch", "/organizations/default/settings/idpsync/roles").send(rolesBody)).status).toBe(200);
    expect(await runs()).toBe(before);

    // A plain dry run with the saved settings shows exactly the preview.
    const dry = (await api("post", "/reconciliations").send({ kind: "resync" })).body;
    expect(await items(dry.id)).toEqual(previewed);
    expect(dry.plan_digest).toBe(preview.body.plan_digest);

    const applied = await api("post", `/reconciliations/${preview.body.id}/apply`);
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ dry_run: false, status: "completed", source_run_id: preview.body.id, summary: { changes: 4 } });
    expect(await memberships()).toEqual(["ann@corp.example:devs", "bob@corp.example:devs", "cy@corp.example:Okta-Leads"]);
    expect(await roles()).toEqual(["cy@corp.example:organization-auditor"]);
    // The audit of the apply is the preview, line for line.
    const audit = await b.db.prisma.auditEvent.findMany({ where: { actor: `reconciliation:${applied.body.id}` } });
    const previewItems = (await api("get", `/reconciliations/${preview.body.id}`)).body.items as Item[];
    expect(audit.map((a) => `${a.action}:${a.userId}`).sort()).toEqual(previewItems.map((i) => `${i.kind === "problem" ? "sync.problem" : ADDED[`${i.dimension}:${i.action}`]}:${i.user_id}`).sort());

    // Again: it was applied.
    const again = await api("post", `/reconciliations/${preview.body.id}/apply`);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(`run ${preview.body.id} was applied at ${applied.body.finished_at} (apply run ${applied.body.id}); start a new dry run to see what is left to do`);
    expect(again.body.message).not.toMatch(/plan changed/);
  });

  it("says the plan changed when the settings are saved but the users changed", async () => {
    const organization = { field: "department", mapping: {}, organization_assign_default: true };
    const preview = (await api("post", "/reconciliations").send({ kind: "resync", settings: { organization } })).body;
    expect(preview.status).toBe("completed");
    expect(preview.parameters.settings).toEqual({ organization });
    expect((await api("post", `/reconciliations/${preview.id}/apply`)).body.message).toContain("differs: organization");
    expect((await api("patch", "/settings/idpsync/organization").send(organization)).body).toEqual(organization);
    // ann's devs membership is lost outside the bridge: the plan differs although the settings are the previewed ones.
    await b.db.prisma.groupMember.deleteMany({ where: { userId: users.ann, groupId: devs } });
    const refused = await api("post", `/reconciliations/${preview.id}/apply`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/plan changed since dry run/);
    expect(refused.body.message).not.toMatch(/differs/);
  });

  it("refuses invalid candidate settings with a 400 naming each field, as saving words them, and starts nothing", async () => {
    const before = await runs();
    const badGroups = { field: "groups", mapping: { x: ["00000000-0000-4000-8000-000000000000"] }, regex_filter: "(", auto_create_missing_groups: false };
    const onSave = (await api("patch", "/organizations/default/settings/idpsync/groups").send(badGroups)).body.message as string;
    const res = await api("post", "/reconciliations").send({
      kind: "resync",
      settings: {
        organization: { field: "x", mapping: { a: ["not-an-org"] } },
        organizations: { [org.name]: { groups: badGroups, roles: { field: "g", mapping: { a: ["owner"] } } }, nope: { roles: { field: "g" } } },
      },
    });
    expect(res.status).toBe(400);
    const fields = (res.body.validations as { field: string; detail: string }[]).map((v) => v.field);
    expect(fields.sort()).toEqual(
      ["settings.organization.mapping", `settings.organizations.${org.name}.groups.mapping`, `settings.organizations.${org.name}.groups.regex_filter`, `settings.organizations.${org.name}.roles.mapping`, "settings.organizations.nope"].sort(),
    );
    for (const v of res.body.validations as { field: string; detail: string }[]) if (v.field.includes(".groups.")) expect(onSave).toContain(v.detail);
    expect(res.body.validations).toContainEqual({ field: "settings.organizations.nope", detail: 'organization "nope" does not exist' });
    expect(res.body.validations).toContainEqual({ field: `settings.organizations.${org.name}.roles.mapping`, detail: '"a" → owner is a site role; sync never grants site roles' });

    const shape = await api("post", "/reconciliations").send({ kind: "resync", settings: { organizations: { [org.name]: { groups: { field: 1 } } }, extra: true } });
    expect(shape.status).toBe(400);
    expect(shape.body.validations.map((v: { field: string }) => v.field).sort()).toEqual([`settings`, `settings.organizations.${org.name}.groups.field`]);

    const apply = await api("post", "/reconciliations").send({ kind: "resync", dry_run: false, settings: { organization: { field: "" } } });
    expect(apply.status).toBe(400);
    expect(apply.body.message).toMatch(/can only be previewed.*save them, then apply the preview run/);
    expect(await runs()).toBe(before);
  });

  it("says an import dry run was applied, or is being applied, rather than that the plan changed", async () => {
    const exported = { Users: (await request(b.app).get("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`)).body };
    const dry = (await api("post", "/reconciliations").send({ kind: "import", data: exported })).body;
    expect(dry.status).toBe("completed");
    const applied = (await api("post", `/reconciliations/${dry.id}/apply`)).body;
    expect(applied).toMatchObject({ status: "completed", source_run_id: dry.id });
    const again = await api("post", `/reconciliations/${dry.id}/apply`);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(`run ${dry.id} was applied at ${applied.finished_at} (apply run ${applied.id}); start a new dry run to see what is left to do`);

    // An apply of it still running (another instance): named, with who started it.
    const other = (await api("post", "/reconciliations").send({ kind: "import", data: exported })).body;
    const running = await b.db.prisma.reconciliationRun.create({ data: { kind: "import", dryRun: false, actor: "okta-admin", parameters: {}, sourceRunId: other.id } });
    const busy = await api("post", `/reconciliations/${other.id}/apply`);
    expect(busy.status).toBe(409);
    expect(busy.body.message).toBe(`run ${other.id} is being applied by okta-admin (apply run ${running.id}, started at ${running.createdAt.toISOString()})`);
    // A failed apply may be applied again.
    await b.db.prisma.reconciliationRun.update({ where: { id: running.id }, data: { status: "failed", finishedAt: new Date() } });
    expect((await api("post", `/reconciliations/${other.id}/apply`)).status).toBe(201);
  });
});
