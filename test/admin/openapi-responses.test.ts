import request from "supertest";
import { openApiPath, type OpenApiDocument } from "../../src/admin/openapi/document";
import { adminErrorSchema } from "../../src/admin/openapi/responses";
import type { RouteDoc, SuccessStatus } from "../../src/admin/route-doc";
import { ADMIN_ROUTES } from "../../src/admin/router";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * Real answers of every admin route, each checked against what the OpenAPI document says of it: its
 * status is documented, and its body parses with the route's response schema (strict: a field the
 * document lacks fails) or, for an error, with the error schema. So the document can't drift from
 * what the bridge answers.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ROUTES: RouteDoc[] = Object.values(ADMIN_ROUTES).flatMap((table) => Object.values(table));
const key = (r: RouteDoc) => `${r.method.toUpperCase()} ${r.path}`;

function routeOf(method: RouteDoc["method"], path: string): RouteDoc {
  const found = ROUTES.filter((r) => r.method === method && new RegExp(`^${r.path.replace(/:[A-Za-z]+/g, "[^/]+")}$`).test(path));
  if (found.length !== 1) throw new Error(`${method} ${path} matches ${found.length} documented routes`);
  return found[0]!;
}

describe.each(testEngines())("admin API: answers as the OpenAPI document describes them, on %s", (engine) => {
  let b: TestBridge;
  let doc: OpenApiDocument;
  const checked = new Set<string>();

  /** Sends a request with the admin token and checks its answer against the document. */
  async function call(method: RouteDoc["method"], url: string, body?: unknown): Promise<request.Response> {
    let req = request(b.app)[method](`/api/v2${url}`).set("Authorization", `Bearer ${b.adminToken}`);
    if (body !== undefined) req = req.send(body as object);
    const res = await req;
    const route = routeOf(method, url.split("?")[0]!);
    const op = doc.paths[openApiPath(route.path).path]?.[method];
    expect({ route: key(route), status: res.status, documented: op?.responses[String(res.status)] !== undefined }).toEqual({ route: key(route), status: res.status, documented: true });
    const success = route.responses[res.status as SuccessStatus];
    const schema = success ? success.schema : adminErrorSchema;
    if (schema) {
      const parsed = schema.safeParse(res.body);
      expect({ route: key(route), status: res.status, issues: parsed.error?.issues ?? [] }).toEqual({ route: key(route), status: res.status, issues: [] });
    } else {
      expect(res.text).toBe("");
    }
    checked.add(key(route));
    return res;
  }

  beforeAll(async () => {
    b = await startTestBridge(engine);
    doc = (await request(b.app).get("/api/v2/openapi.json")).body as OpenApiDocument;
    for (const userName of ["ann@r.example", "bob@r.example"]) {
      const made = await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName, name: { givenName: "A", familyName: "B" } });
      expect(made.status).toBe(201);
    }
  });
  afterAll(async () => {
    await b.close();
  });

  it("users: list, search, get, grants, suspend, activate; unknown users and bad searches", async () => {
    const list = await call("get", "/users?q=ann&limit=10");
    expect(list.body.users).toHaveLength(1);
    const ann = list.body.users[0].id as string;
    await call("get", `/users/${ann}`);
    await call("get", "/users/ann/grants");
    expect((await call("get", "/users/ann/scim")).body).toMatchObject({ user_id: ann, user_name: "ann@r.example", resource: { userName: "ann@r.example", name: { givenName: "A" } } });
    expect((await call("get", "/users/nobody/scim")).status).toBe(404);
    expect((await call("put", `/users/${ann}/status/suspend`)).body.status).toBe("suspended");
    expect((await call("put", "/users/ann/status/activate")).body.status).toBe("active");
    expect((await call("get", "/users/nobody")).status).toBe(404);
    expect((await call("get", "/users?q=frobnicate:x")).status).toBe(400);
    await call("get", "/name-collisions");
    expect((await call("get", "/overview")).body.users.total).toBe(2);
  });

  it("tokens: create, list, revoke; duplicates and unknown tokens", async () => {
    expect((await call("post", "/tokens", { name: "ci", scope: "scim" })).status).toBe(201);
    expect((await call("post", "/tokens", { name: "ci", scope: "scim" })).status).toBe(409);
    expect((await call("post", "/tokens", { name: "x", scope: "root" })).status).toBe(400);
    expect((await call("get", "/tokens")).body.length).toBeGreaterThanOrEqual(3);
    expect((await call("delete", "/tokens/ci")).status).toBe(204);
    expect((await call("delete", "/tokens/ci-nope")).status).toBe(404);
    // Sessions (the cookie side is in test/admin/sessions.test.ts): sign-in, and the bearer caller.
    expect((await call("post", "/sessions", { token: b.adminToken })).status).toBe(201);
    expect((await call("post", "/sessions", { token: b.scimToken })).status).toBe(401);
    expect((await call("post", "/sessions", {})).status).toBe(400);
    expect((await call("get", "/sessions/current")).body).toMatchObject({ via: "token", session: null });
    expect((await call("delete", "/sessions/current")).status).toBe(204);
  });

  it("organizations and groups: every route", async () => {
    await call("get", "/organizations");
    expect((await call("post", "/organizations", { name: "acme", display_name: "Acme" })).status).toBe(201);
    await call("get", "/organizations/default");
    const members = (await call("get", "/organizations/default/members")).body as { user_id: string }[];
    await call("get", `/organizations/default/members/${members[0]!.user_id}`);
    expect((await call("get", "/organizations/default/paginated-members?limit=1&offset=1")).body).toMatchObject({ count: members.length, members: [{ user_id: members[1]!.user_id }] });
    expect((await call("get", "/organizations/default/paginated-members?limit=0")).status).toBe(400);
    expect((await call("get", "/organizations/nope")).status).toBe(404);
    const acmeMember = `/organizations/acme/members/${members[0]!.user_id}`;
    await call("post", acmeMember);
    expect((await call("post", acmeMember)).status).toBe(409);
    await call("put", `${acmeMember}/roles`, { roles: ["organization-admin"] });
    expect((await call("put", `${acmeMember}/roles`, { roles: "x" })).status).toBe(400);
    expect((await call("delete", acmeMember)).status).toBe(204);
    expect((await call("delete", acmeMember)).status).toBe(404);

    await call("get", "/organizations/default/groups");
    await call("get", "/organizations/default/groups?members=false");
    const group = (await call("post", "/organizations/default/groups", { name: "devs", quota_allowance: 2 })).body as { id: string };
    await call("get", "/organizations/default/groups/devs");
    await call("get", `/groups/${group.id}`);
    expect((await call("patch", `/groups/${group.id}`, { add_users: [members[0]!.user_id] })).body.total_member_count).toBe(1);
    expect((await call("get", `/groups/${group.id}/members?limit=1`)).body).toMatchObject({ count: 1, members: [{ id: members[0]!.user_id, membership_source: "manual" }] });
    expect((await call("get", "/groups/not-a-group/members")).status).toBe(404);
    const full = (await call("get", "/organizations/default/groups")).body as { id: string; members: unknown[]; total_member_count: number }[];
    const light = (await call("get", "/organizations/default/groups?members=false")).body as typeof full;
    expect(light.map((g) => [g.id, g.members.length, g.total_member_count])).toEqual(full.map((g) => [g.id, 0, g.members.length]));
    expect((await call("get", "/organizations/default/groups?members=maybe")).status).toBe(400);
    // One group without its members, by id and by name: counted, not listed.
    for (const one of [`/groups/${group.id}?members=false`, "/organizations/default/groups/devs?members=false"]) {
      expect((await call("get", one)).body).toMatchObject({ id: group.id, members: [], total_member_count: 1 });
    }
    expect((await call("get", `/groups/${group.id}?members=no`)).status).toBe(400);
    // A manual group grant, explained.
    expect((await call("get", `/users/${members[0]!.user_id}/grants`)).body.organizations[0].groups.length).toBeGreaterThan(0);
    expect((await call("patch", `/groups/${group.id}`, { quota_allowance: -1 })).status).toBe(400);
    await call("delete", `/groups/${group.id}`);
    expect((await call("get", `/groups/${group.id}`)).status).toBe(404);
  });

  it("IdP sync settings: every route, at both levels", async () => {
    await call("get", "/settings/idpsync/organization");
    await call("patch", "/settings/idpsync/organization", { field: "department", mapping: {}, organization_assign_default: true });
    await call("patch", "/settings/idpsync/organization/config", { field: "department", assign_default: true });
    await call("patch", "/settings/idpsync/organization/mapping", { add: [{ given: "Sales", gets: (await call("get", "/organizations/acme")).body.id }] });
    await call("get", "/settings/idpsync/available-fields");
    await call("get", "/settings/idpsync/field-values?claimField=userName");
    expect((await call("get", "/settings/idpsync/field-values")).status).toBe(400);
    const base = "/organizations/default/settings/idpsync";
    await call("get", `${base}/groups`);
    await call("patch", `${base}/groups`, { field: "groups", auto_create_missing_groups: true });
    await call("patch", `${base}/groups/config`, { field: "groups", regex_filter: "^eng", auto_create_missing_groups: false });
    await call("patch", `${base}/groups/mapping`, { add: [], remove: [] });
    await call("get", `${base}/roles`);
    await call("patch", `${base}/roles`, { field: "roles" });
    await call("patch", `${base}/roles/config`, { field: "roles" });
    await call("patch", `${base}/roles/mapping`, { add: [{ given: "admins", gets: "organization-admin" }] });
    await call("get", `${base}/available-fields`);
    await call("get", `${base}/field-values?claimField=userName`);
    expect((await call("get", "/organizations/nope/settings/idpsync/roles")).status).toBe(404);
    const all = (await call("get", "/settings/idpsync")).body;
    await call("put", "/settings/idpsync", { organizations: { default: { roles: all.organizations.default.roles } } });
    expect((await call("put", "/settings/idpsync", {})).status).toBe(400);
    // An organization that does not exist is a bad body (400, naming it), as for a mapping to one.
    expect((await call("put", "/settings/idpsync", { organizations: { nope: { roles: { field: "roles" } } } })).status).toBe(400);
    // With sync configured, grants carry their rules, pending additions and problems.
    await call("get", "/users/bob/grants");
  });

  it("reconciliations: start, list, read, apply", async () => {
    const started = await call("post", "/reconciliations?wait=30", { kind: "resync" });
    expect(started.body.dry_run).toBe(true);
    await call("get", "/reconciliations");
    await call("get", `/reconciliations/${started.body.id}?limit=5`);
    await call("get", `/reconciliations/${started.body.id}?kind=change&dimension=group&user=a&limit=5`);
    await call("post", `/reconciliations/${started.body.id}/apply?wait=30`);
    expect((await call("get", "/reconciliations/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await call("post", "/reconciliations", { kind: "nope" })).status).toBe(400);
  });

  it("webhooks, the events feed and the audit log: every route", async () => {
    const made = await call("post", "/webhooks", { url: "http://127.0.0.1:9/hook", events: ["user.created"], description: "d" });
    const id = made.body.id as string;
    await call("get", "/webhooks");
    await call("get", `/webhooks/${id}`);
    expect((await call("post", `/webhooks/${id}/test`)).status).toBe(202);
    await call("patch", `/webhooks/${id}`, { enabled: false });
    expect((await call("post", `/webhooks/${id}/test`)).status).toBe(409);
    await call("post", `/webhooks/${id}/rotate-secret`);
    await call("get", `/webhooks/${id}/deliveries`);
    expect((await call("post", `/webhooks/${id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`)).status).toBe(404);
    await call("post", `/webhooks/${id}/redeliver`, { since: "2026-01-01T00:00:00Z" });
    expect((await call("delete", `/webhooks/${id}`)).status).toBe(204);
    expect((await call("get", `/webhooks/${id}`)).status).toBe(404);

    expect((await call("get", "/events?limit=5")).body.events.length).toBeGreaterThan(0);
    expect((await call("get", "/events?after=not-a-cursor")).status).toBe(400);
    expect((await call("get", "/audit?limit=5")).body.audit_logs.length).toBeGreaterThan(0);
  });

  it("has checked a real answer of every documented route", () => {
    expect(ROUTES.map(key).filter((k) => !checked.has(k))).toEqual([]);
  });
});
