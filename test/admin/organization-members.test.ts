import request from "supertest";
import { startTestBridge, type TestBridge } from "../support/app";
import { testEngines } from "../support/databases";

/** `POST`/`DELETE /api/v2/organizations/{org}/members/{user}` and `PUT …/members/{user}/roles`. */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

interface Payload {
  type: string;
  data: Record<string, unknown>;
}

describe.each(testEngines())("organization members on %s", (engine) => {
  let b: TestBridge;
  let ann: string;
  let acme: string;
  let defaultOrg: string;
  const admin = (m: "get" | "post" | "put" | "patch" | "delete", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  /** The outbox events written since `after` (a seq), in order. */
  const eventsAfter = async (after: bigint) =>
    (await b.db.prisma.outboxEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" } })).map((e) => e.payload as unknown as Payload);
  const lastSeq = async () => (await b.db.prisma.outboxEvent.findFirst({ orderBy: { seq: "desc" } }))?.seq ?? 0n;
  const auditOf = async (action: string) => (await admin("get", `/audit?user=ann&action=${action}`)).body.audit_logs as { actor: string; action: string; resource_id: string; details: Record<string, unknown> }[];

  beforeEach(async () => {
    b = await startTestBridge(engine);
    defaultOrg = (await admin("get", "/organizations/default")).body.id;
    acme = (await admin("post", "/organizations").send({ name: "acme" })).body.id;
    const made = await request(b.app)
      .post("/scim/v2/Users")
      .set("Authorization", `Bearer ${b.scimToken}`)
      .send({ schemas: [USER, ENT], userName: "ann@corp.example", [ENT]: { department: "Eng" } });
    expect(made.status).toBe(201);
    ann = made.body.id;
  });
  afterEach(async () => {
    await b.close();
  });

  it("adds a manual member: 200 with the member, audited, announced, and shown as manual in the user's grants", async () => {
    const before = await lastSeq();
    const added = await admin("post", "/organizations/acme/members/ann");
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ organization_id: acme, user_id: ann, username: "ann", source: "manual", roles: [] });
    expect((await admin("get", "/organizations/acme/members")).body.map((m: { username: string; source: string }) => [m.username, m.source])).toEqual([["ann", "manual"]]);

    expect(await eventsAfter(before)).toEqual([{ type: "organization_member.added", timestamp: expect.any(String), data: { organization_id: acme, user_id: ann, username: "ann", source: "manual" } }]);
    const [row] = await auditOf("organization_member.added");
    expect(row).toMatchObject({ actor: "test-admin", resource_id: acme, details: { dimension: "organization", source: "manual", organization_id: acme } });

    const grants = (await admin("get", "/users/ann/grants")).body;
    const inAcme = grants.organizations.find((o: { organization_name: string }) => o.organization_name === "acme");
    expect(inAcme).toMatchObject({ source: "manual", reason: null, explained: true, audit: { actor: "test-admin", action: "organization_member.added" } });
    // The default organization's audit row is still provisioning's (a sync grant), not the admin's.
    const inDefault = grants.organizations.find((o: { organization_name: string }) => o.organization_name === "default");
    expect(inDefault).toMatchObject({ source: "sync", audit: { actor: "test-scim", action: "organization_member.added" } });
  });

  it("answers a second addition with 409 whatever the membership's source, writing nothing", async () => {
    expect((await admin("post", `/organizations/${acme}/members/${ann}`)).status).toBe(200);
    const before = await lastSeq();
    const again = await admin("post", "/organizations/acme/members/ANN");
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ message: "ann is already a member of organization acme (source manual)" });
    const synced = await admin("post", "/organizations/default/members/ann");
    expect(synced.status).toBe(409);
    expect(synced.body.message).toBe("ann is already a member of organization default (source sync)");
    expect(await eventsAfter(before)).toEqual([]);
    expect((await admin("get", "/organizations/default/members/ann")).body.source).toBe("sync");
  });

  it("answers 404 for an unknown organization, user or membership and 400 for a bad roles body, in the admin API's error shape", async () => {
    expect((await admin("post", "/organizations/nope/members/ann")).body).toEqual({ message: "organization nope not found" });
    const noUser = await admin("post", "/organizations/acme/members/nobody");
    expect([noUser.status, noUser.body]).toEqual([404, { message: "user nobody not found" }]);
    const notMember = await admin("delete", "/organizations/acme/members/ann");
    expect([notMember.status, notMember.body]).toEqual([404, { message: "member ann of organization acme not found" }]);
    expect((await admin("put", "/organizations/acme/members/ann/roles").send({ roles: [] })).status).toBe(404);
    expect((await admin("delete", "/organizations/acme/members/00000000-0000-4000-8000-000000000000")).status).toBe(404);

    const noRoles = await admin("put", "/organizations/default/members/ann/roles").send({});
    expect(noRoles.status).toBe(400);
    expect(noRoles.body.validations).toEqual([{ field: "roles", detail: expect.stringMatching(/expected array/) }]);
    const extra = await admin("put", "/organizations/default/members/ann/roles").send({ roles: [], owner: true });
    expect(extra.status).toBe(400);
    const bad = await admin("put", "/organizations/default/members/ann/roles").send({ roles: ["owner", "organization-admin", "wizard"] });
    expect(bad.status).toBe(400);
    expect(bad.body.validations).toEqual([
      { field: "roles", detail: "owner is a site role, not an organization role" },
      { field: "roles", detail: expect.stringMatching(/^wizard is not an organization role \(known: organization-admin, /) },
    ]);
    expect(await b.db.prisma.organizationMemberRole.count()).toBe(0);
  });

  it("sets roles by full replacement as manual grants, takes over sync's, and writes nothing when nothing changes", async () => {
    await b.db.prisma.organizationMemberRole.create({ data: { organizationId: defaultOrg, userId: ann, role: "organization-admin", source: "sync" } });
    let before = await lastSeq();
    const set = await admin("put", "/organizations/default/members/ann/roles").send({ roles: ["organization-auditor", "organization-member", "organization-auditor"] });
    expect(set.status).toBe(200);
    expect(set.body.roles).toEqual([{ name: "organization-auditor", display_name: "Organization Auditor", organization_id: defaultOrg }]);
    expect(await eventsAfter(before)).toEqual([{ type: "member_roles.changed", timestamp: expect.any(String), data: { organization_id: defaultOrg, user_id: ann, username: "ann", roles: ["organization-auditor"] } }]);
    expect((await auditOf("organization_member.role_")).map((a) => [a.action, a.details.role, a.details.source])).toEqual(
      expect.arrayContaining([["organization_member.role_granted", "organization-auditor", "manual"], ["organization_member.role_revoked", "organization-admin", "sync"]]),
    );

    // A role sync granted, now listed: it becomes manual. Receivers see roles, and those did not change.
    await b.db.prisma.organizationMemberRole.create({ data: { organizationId: defaultOrg, userId: ann, role: "organization-user-admin", source: "sync" } });
    before = await lastSeq();
    const taken = await admin("put", "/organizations/default/members/ann/roles").send({ roles: ["organization-user-admin", "organization-auditor"] });
    expect(taken.body.roles.map((r: { name: string }) => r.name)).toEqual(["organization-auditor", "organization-user-admin"]);
    expect(await b.db.prisma.organizationMemberRole.findMany({ where: { userId: ann }, select: { role: true, source: true }, orderBy: { role: "asc" } })).toEqual([
      { role: "organization-auditor", source: "manual" },
      { role: "organization-user-admin", source: "manual" },
    ]);
    expect(await eventsAfter(before)).toEqual([]);
    expect((await auditOf("organization_member.role_granted"))[0]!.details).toEqual({ dimension: "role", organization_id: defaultOrg, role: "organization-user-admin", source: "manual", previous_source: "sync" });

    const audits = (await admin("get", "/audit?action=organization_member.role_")).body.count;
    const same = await admin("put", "/organizations/default/members/ann/roles").send({ roles: ["organization-auditor", "organization-user-admin"] });
    expect(same.status).toBe(200);
    expect((await admin("get", "/audit?action=organization_member.role_")).body.count).toBe(audits);
    expect(await eventsAfter(before)).toEqual([]);

    const roles = (await admin("get", "/users/ann/grants")).body.organizations.find((o: { organization_name: string }) => o.organization_name === "default").roles;
    expect(roles.map((r: { role: string; source: string; audit: { action: string } | null }) => [r.role, r.source, r.audit?.action])).toEqual([
      ["organization-auditor", "manual", "organization_member.role_granted"],
      ["organization-user-admin", "manual", "organization_member.role_granted"],
    ]);
  });

  it("removes a member with its groups and roles in that organization, as leaving it through sync does", async () => {
    await admin("post", "/organizations/acme/members/ann");
    const team = (await admin("post", "/organizations/acme/groups").send({ name: "team" })).body.id as string;
    expect((await admin("patch", `/groups/${team}`).send({ add_users: [ann] })).status).toBe(200);
    await admin("put", "/organizations/acme/members/ann/roles").send({ roles: ["organization-admin"] });
    const before = await lastSeq();

    const removed = await admin("delete", "/organizations/acme/members/ann");
    expect(removed.status).toBe(204);
    expect(removed.text).toBe("");
    expect((await admin("get", "/organizations/acme/members")).body).toEqual([]);
    expect((await admin("get", `/groups/${team}`)).body.members).toEqual([]);
    expect(await b.db.prisma.organizationMemberRole.count({ where: { organizationId: acme } })).toBe(0);
    // Other organizations are untouched.
    expect((await admin("get", "/organizations/default/members/ann")).status).toBe(200);

    const who = { user_id: ann, username: "ann" };
    expect((await eventsAfter(before)).map((e) => [e.type, e.data])).toEqual([
      ["organization_member.removed", { organization_id: acme, ...who }],
      ["group_member.removed", { group_id: team, group_name: "team", organization_id: acme, ...who, rule: "organization left" }],
      ["member_roles.changed", { organization_id: acme, ...who, roles: [] }],
    ]);
    const [row] = await auditOf("organization_member.removed");
    expect(row).toMatchObject({
      actor: "test-admin",
      resource_id: acme,
      details: { dimension: "organization", source: "manual", groups: [{ group_id: team, group_name: "team", source: "manual" }], roles: [{ role: "organization-admin", source: "manual" }] },
    });
    expect((await admin("get", "/users/ann/grants")).body.organizations.map((o: { organization_name: string }) => o.organization_name)).toEqual(["default"]);
    // And the user can be added again.
    expect((await admin("post", "/organizations/acme/members/ann")).status).toBe(200);
  });

  it("keeps a manual membership through IdP sync, which removes only the memberships it made", async () => {
    await admin("post", "/organizations/acme/members/ann");
    // Organization sync on, mapping nothing, no default organization: ann is expected in no organization.
    expect((await admin("patch", "/settings/idpsync/organization").send({ field: "department", mapping: {}, organization_assign_default: false })).status).toBe(200);
    const run = await admin("post", "/reconciliations").send({ kind: "resync", dry_run: false });
    expect(run.status).toBe(201);
    expect(run.body.status).toBe("completed");
    expect((await admin("get", "/organizations/default/members/ann")).status).toBe(404);
    expect((await admin("get", "/organizations/acme/members/ann")).body.source).toBe("manual");

    // A sync membership an admin removes comes back at the next sync while the claims map to it.
    await admin("patch", "/settings/idpsync/organization").send({ field: "department", mapping: { Eng: [defaultOrg] }, organization_assign_default: false });
    await admin("post", "/reconciliations").send({ kind: "resync", dry_run: false });
    expect((await admin("get", "/organizations/default/members/ann")).body.source).toBe("sync");
    expect((await admin("delete", "/organizations/default/members/ann")).status).toBe(204);
    await admin("post", "/reconciliations").send({ kind: "resync", dry_run: false });
    expect((await admin("get", "/organizations/default/members/ann")).body.source).toBe("sync");
  });
});
