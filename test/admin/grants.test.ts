import request from "supertest";
import { openForProcess } from "../../src/app";
import { main } from "../../src/cli/main";
import { ensureDefaultOrganization } from "../../src/directory/bootstrap";
import { createLogger } from "../../src/log/logger";
import { startTestBridge, type TestBridge } from "../support/app";
import { cliConfigPerTest } from "../support/cli";
import { testEngines } from "../support/databases";
import { seedSyncDirectory, seededId } from "../support/seed-sync";

/** `GET /api/v2/users/{user}/grants` and `scim-bridge users grants`: why a user holds each grant. */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

interface Grant {
  source: string;
  reason: { rule: string; field?: string; value?: string } | null;
  explained: boolean;
  resync_removes: { rule: string; field?: string } | null;
  note: string | null;
  audit: { id: string; time: string; actor: string; action: string } | null;
}
interface OrgGrant extends Grant {
  organization_id: string;
  organization_name: string;
  groups: (Grant & { group_id: string; group_name: string })[];
  roles: (Grant & { role: string })[];
}

describe.each(testEngines())("user grants API on %s", (engine) => {
  let b: TestBridge;
  let defaultOrg: string;
  let acme: string;
  let labs: string;
  let devs: string;
  let ops: string;
  let ann: string;
  const admin = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const scim = (m: "post", p: string, body: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const auditRef = async (where: { action: string; resourceId: string; userId?: string }) => {
    const rows = await b.db.prisma.auditEvent.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    expect(rows.length).toBeGreaterThan(0);
    return { id: rows[0]!.id, time: rows[0]!.createdAt.toISOString(), actor: rows[0]!.actor, action: rows[0]!.action };
  };
  const grants = async (user: string) => {
    const res = await admin("get", `/users/${user}/grants`);
    expect(res.status).toBe(200);
    return res.body as { user_id: string; username: string; sync_enabled: boolean; organizations: OrgGrant[]; pending: object[]; problems: object[] };
  };
  const org = (g: { organizations: OrgGrant[] }, name: string) => g.organizations.find((o) => o.organization_name === name)!;

  beforeAll(async () => {
    b = await startTestBridge(engine);
    defaultOrg = (await admin("get", "/organizations/default")).body.id;
    acme = (await admin("post", "/organizations").send({ name: "acme" })).body.id;
    labs = (await admin("post", "/organizations").send({ name: "labs" })).body.id;
    devs = (await admin("post", "/organizations/acme/groups").send({ name: "devs" })).body.id;
    ops = (await admin("post", "/organizations/acme/groups").send({ name: "ops" })).body.id;
    expect((await admin("patch", "/settings/idpsync/organization").send({ field: "department", mapping: { Eng: [acme] }, organization_assign_default: true })).status).toBe(200);
    expect((await admin("patch", "/organizations/acme/settings/idpsync/groups").send({ field: "groups", mapping: { "Okta-Eng": [devs] }, regex_filter: null, auto_create_missing_groups: false })).status).toBe(200);
    expect((await admin("patch", "/organizations/acme/settings/idpsync/roles").send({ field: "title", mapping: { Lead: ["organization-admin"] } })).status).toBe(200);

    // Provisioned in Eng as a lead, then pushed in Okta-Eng: default org, acme, devs, organization-admin by sync.
    ann = (await scim("post", "/Users", { schemas: [USER, ENT], userName: "ann@corp.example", title: "Lead", [ENT]: { department: "Eng" } })).body.id;
    expect((await scim("post", "/Groups", { schemas: [GROUP], displayName: "Okta-Eng", members: [{ value: ann }] })).status).toBe(201);
    // By hand: ops through the API; a labs membership and an acme role written outside the bridge's API.
    expect((await admin("patch", `/groups/${ops}`).send({ add_users: [ann] })).status).toBe(200);
    await b.db.prisma.organizationMember.create({ data: { organizationId: labs, userId: ann, source: "manual" } });
    await b.db.prisma.organizationMemberRole.create({ data: { organizationId: acme, userId: ann, role: "organization-auditor", source: "manual" } });
  }, 120_000);
  afterAll(async () => {
    await b.close();
  });

  it("lists each grant with its source, the planner's rule and the audit row that made it", async () => {
    const g = await grants("ann");
    expect(g).toMatchObject({ user_id: ann, username: "ann", sync_enabled: true, pending: [], problems: [] });
    expect(g.organizations.map((o) => [o.organization_name, o.source])).toEqual([["acme", "sync"], ["default", "sync"], ["labs", "manual"]]);

    const a = org(g, "acme");
    expect(a).toMatchObject({
      organization_id: acme,
      reason: { rule: "mapping", field: "department", value: "Eng" },
      explained: true,
      resync_removes: null,
      audit: await auditRef({ action: "sync.organization.added", resourceId: acme, userId: ann }),
    });
    expect(a.groups).toEqual([
      { group_id: acme, group_name: "Everyone", source: "implicit", reason: null, explained: true, resync_removes: null, note: "every member of the organization is in its Everyone group", audit: null },
      {
        group_id: devs, group_name: "devs", source: "sync", reason: { rule: "mapping", field: "groups", value: "Okta-Eng" }, explained: true, resync_removes: null, note: null,
        audit: await auditRef({ action: "sync.group.added", resourceId: acme, userId: ann }),
      },
      { group_id: ops, group_name: "ops", source: "manual", reason: null, explained: true, resync_removes: null, note: null, audit: await auditRef({ action: "group.updated", resourceId: ops }) },
    ]);
    expect(a.groups[2]!.audit).toMatchObject({ actor: "test-admin", action: "group.updated" });
    expect(a.roles).toEqual([
      {
        role: "organization-admin", source: "sync", reason: { rule: "mapping", field: "title", value: "Lead" }, explained: true, resync_removes: null, note: null,
        audit: await auditRef({ action: "sync.role.granted", resourceId: acme, userId: ann }),
      },
      // Written outside the bridge's API: no audit row made it.
      { role: "organization-auditor", source: "manual", reason: null, explained: true, resync_removes: null, note: null, audit: null },
    ]);

    // Joined at provisioning by organization_assign_default, audited with rule default.
    expect(org(g, "default")).toMatchObject({
      source: "sync", reason: { rule: "default" }, explained: true,
      audit: await auditRef({ action: "organization_member.added", resourceId: defaultOrg, userId: ann }),
      groups: [{ group_id: defaultOrg, group_name: "Everyone", source: "implicit" }], roles: [],
    });
    expect(org(g, "labs")).toMatchObject({ source: "manual", reason: null, explained: true, audit: null, groups: [{ group_name: "Everyone", source: "implicit" }] });

    // By id as by username, as GET /users/{user}.
    expect(await grants(ann)).toEqual(g);
  });

  it("answers 404 for a user that doesn't exist, as GET /users/{user}", async () => {
    const res = await admin("get", "/users/nobody/grants");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "user nobody not found" });
    expect((await admin("get", "/users/00000000-0000-4000-8000-000000000000/grants")).status).toBe(404);
  });

  it("flags the sync grant a settings change no longer explains, and a resync removes exactly it", async () => {
    // Leads now get template-admin, managers admin; "owner" can't be granted (stored as-is: the API refuses site roles).
    await b.db.prisma.syncSetting.update({ where: { key: `${acme}:role-sync-settings` }, data: { value: { field: "title", mapping: { Lead: ["organization-template-admin", "owner"], Manager: ["organization-admin"] } } } });
    const g = await grants("ann");
    const roles = org(g, "acme").roles;
    expect(roles[0]).toMatchObject({
      role: "organization-admin", source: "sync", reason: null, explained: false, resync_removes: { rule: "not expected", field: "title" },
      note: 'a resync would remove it: the current settings don\'t grant it from claim "title"',
    });
    expect(roles[1]).toMatchObject({ role: "organization-auditor", source: "manual", explained: true, resync_removes: null });
    const flagged = g.organizations.flatMap((o) => [o, ...o.groups, ...o.roles].filter((x) => x.resync_removes !== null));
    expect(flagged).toHaveLength(1);
    expect(g.pending).toEqual([{ dimension: "role", organization_id: acme, organization_name: "acme", role: "organization-template-admin", reason: { rule: "mapping", field: "title", value: "Lead" } }]);
    expect(g.problems).toEqual([{ dimension: "role", organization_id: acme, message: '"owner" is a site role: sync never grants it' }]);

    const run = await admin("post", "/reconciliations").send({ kind: "resync", dry_run: false });
    expect(run.status).toBe(201);
    const removed = await b.db.prisma.auditEvent.findMany({ where: { userId: ann, action: { in: ["sync.organization.removed", "sync.group.removed", "sync.role.revoked"] } } });
    expect(removed.map((r) => [r.action, (r.details as { role?: string }).role])).toEqual([["sync.role.revoked", "organization-admin"]]);

    const after = await grants("ann");
    expect(org(after, "acme").roles.map((r) => [r.role, r.source, r.explained, r.audit?.actor])).toEqual([
      ["organization-auditor", "manual", true, undefined],
      ["organization-template-admin", "sync", true, `reconciliation:${run.body.id}`],
    ]);
    expect(after.pending).toEqual([]);
    // Everything else as before.
    expect(after.organizations.map((o) => [o.organization_name, o.groups.map((x) => x.group_name)])).toEqual([["acme", ["Everyone", "devs", "ops"]], ["default", ["Everyone"]], ["labs", ["Everyone"]]]);
  });
});

const silent = createLogger({ level: "error", format: "json", silent: true });

describe.each(testEngines())("scim-bridge users grants on %s", (engine) => {
  const config = cliConfigPerTest(engine, "bridge-cli-grants-");
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["node", "scim-bridge", ...args], { out: (l) => out.push(l), err: (l) => err.push(l) }, config);
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("prints a table by default and the API's JSON with --format json", async () => {
    const setup = await openForProcess(config(), "test setup", silent);
    try {
      await ensureDefaultOrganization(setup.db);
      // user0 is a lead in team-0 and dept-0; group and role sync were just switched on.
      await seedSyncDirectory(setup.db, 2);
    } finally {
      await setup.close();
    }

    const before = await run(["users", "grants", "user0"]);
    expect(before.code).toBe(0);
    expect(before.out.split("\n")).toEqual([
      "ORGANIZATION  KIND          GRANT     SOURCE    WHY                                                        AUDIT",
      "default       organization  default   sync      default                                                    -",
      "default       group         Everyone  implicit  every member of the organization is in its Everyone group  -",
      "",
      "a resync would add:",
      "  default: group team-0 (auto-created) (autoCreate: groups=team-0)",
      "  default: group dept-0 (auto-created) (autoCreate: groups=dept-0)",
      "  default: role organization-admin (mapping: title=lead)",
    ]);

    expect((await run(["reconcile", "--apply"])).code).toBe(0);
    const json = await run(["users", "grants", seededId(0), "--format", "json"]);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.out) as { organizations: OrgGrant[]; pending: unknown[] };
    expect(body.pending).toEqual([]);
    const groups = body.organizations[0]!.groups;
    // Recomputed now that the groups exist, the claim names them (rule name); the audit row made them.
    expect(groups.map((x) => [x.group_name, x.source, x.reason])).toEqual([
      ["Everyone", "implicit", null],
      ["dept-0", "sync", { rule: "name", field: "groups", value: "dept-0" }],
      ["team-0", "sync", { rule: "name", field: "groups", value: "team-0" }],
    ]);
    expect(groups[1]!.audit).toMatchObject({ action: "sync.group.added", actor: expect.stringMatching(/^reconciliation:/) });

    const table = await run(["users", "grants", "user0"]);
    expect(table.out).toMatch(/^default +role +organization-admin +sync +mapping: title=lead +\S+ sync\.role\.granted by reconciliation:/m);
    expect(table.out).not.toMatch(/a resync would add/);

    expect(await run(["users", "grants", "nobody"])).toMatchObject({ code: 1, err: "error: user nobody not found" });
  }, 120_000);
});
