import type { Server } from "node:http";
import request from "supertest";
import { testEngines } from "../support/databases";
import { serveTestBridge, type ServedTestBridge, type TestBridge } from "../support/app";

/**
 * The details strict SCIM clients check (issue 16): `$ref` on a group's members and a user's groups,
 * unassigned multi-valued attributes absent from every response rather than `[]`, an extension's
 * model serialised whole (with `schemas`) in a PATCH, and `active` set only with replace. The recorded
 * request shapes are in test/fixtures/idp/strict/client-details.json; these are the rest of the paths.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

type Body = Record<string, unknown> & { id: string; meta: { location: string; version: string } };

describe.each(testEngines())("SCIM details strict clients check on %s", (engine) => {
  let b: TestBridge;
  // One listening server, so every answer has the same base URL (supertest would bind a new port per request).
  let server: Server;
  const call = (method: "get" | "post" | "put" | "patch" | "delete", p: string, body?: unknown, root = "/scim/v2") => {
    const t = request(server)[method](`${root}${p}`).set("Authorization", `Bearer ${b.scimToken}`);
    return body === undefined ? t : t.send(body as object);
  };
  const user = async (userName: string, extra: Record<string, unknown> = {}): Promise<Body> => {
    const res = await call("post", "/Users", { schemas: [USER], userName, ...extra });
    expect(res.status).toBe(201);
    return res.body as Body;
  };
  const group = async (displayName: string, members: string[]): Promise<Body> => {
    const res = await call("post", "/Groups", { schemas: [GROUP], displayName, members: members.map((value) => ({ value, $ref: "https://elsewhere.example/Users/x" })) });
    expect(res.status).toBe(201);
    return res.body as Body;
  };

  let served: ServedTestBridge;
  beforeAll(async () => {
    served = await serveTestBridge(engine);
    ({ b, server } = served);
  });
  afterAll(() => served?.close());

  describe("$ref", () => {
    it("is on every member of a group, the member's meta.location, on every response path; a $ref sent is not kept", async () => {
      const [ann, bob] = [await user("ref.ann@d.example"), await user("ref.bob@d.example")];
      const g = await group("Ref Team", [ann.id]);
      const refOf = (u: Body) => ({ value: u.id, $ref: u.meta.location, display: expect.any(String), type: "User" });
      expect(g.members).toEqual([refOf(ann)]);
      expect(ann.meta.location).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/scim/v2/Users/${ann.id}$`));

      const patched = await call("patch", `/Groups/${g.id}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: bob.id }] }] });
      expect(patched.body.members).toEqual([refOf(ann), refOf(bob)]);
      const put = await call("put", `/Groups/${g.id}`, { schemas: [GROUP], displayName: "Ref Team", members: [{ value: bob.id }] });
      expect(put.body.members).toEqual([refOf(bob)]);
      expect((await call("get", `/Groups/${g.id}`)).body.members).toEqual([refOf(bob)]);
      const listed = await call("get", `/Groups?filter=${encodeURIComponent('displayName eq "Ref Team"')}`);
      expect(listed.body.Resources[0].members).toEqual([refOf(bob)]);
      // Projection of the sub-attribute alone.
      expect((await call("get", `/Groups/${g.id}?attributes=members.$ref`)).body.members).toEqual([{ $ref: bob.meta.location }]);
    });

    it("is on a user's groups, the group's meta.location", async () => {
      const ann = await user("ref.carol@d.example");
      const g = await group("Ref Carol", [ann.id]);
      const expected = [{ value: g.id, $ref: g.meta.location, display: "Ref Carol", type: "direct" }];
      expect((await call("get", `/Users/${ann.id}`)).body.groups).toEqual(expected);
      const listed = await call("post", "/Users/.search", { schemas: [SEARCH], filter: `userName eq "ref.carol@d.example"` });
      expect(listed.body.Resources[0].groups).toEqual(expected);
      const patched = await call("patch", `/Users/${ann.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "nickName", value: "C" }] });
      expect(patched.body.groups).toEqual(expected);
    });

    it("follows the mount the request came in on, as meta.location does", async () => {
      const ann = await user("ref.dee@d.example");
      const g = await group("Ref Dee", [ann.id]);
      const viaCoder = await call("get", `/Groups/${g.id}`, undefined, "/api/v2/scim/v2");
      expect(viaCoder.body.members[0].$ref).toBe(ann.meta.location.replace("/scim/v2/", "/api/v2/scim/v2/"));
      const u = await call("get", `/Users/${ann.id}`, undefined, "/api/v2/scim/v2");
      expect(u.body.groups[0].$ref).toBe(viaCoder.body.meta.location);
    });
  });

  describe("unassigned multi-valued attributes", () => {
    it("are absent from POST, GET, list, PUT and PATCH responses, never []", async () => {
      const u = await user("empty.ann@d.example", { emails: [], roles: [], phoneNumbers: [], [ENT]: { department: "R" } });
      for (const k of ["emails", "roles", "phoneNumbers", "groups"]) expect(u).not.toHaveProperty(k);
      const got = await call("get", `/Users/${u.id}`);
      expect(got.body).not.toHaveProperty("roles");
      const listed = await call("get", `/Users?filter=${encodeURIComponent('userName eq "empty.ann@d.example"')}`);
      expect(listed.body.Resources[0]).not.toHaveProperty("roles");

      const withEmails = await call("put", `/Users/${u.id}`, { schemas: [USER], userName: "empty.ann@d.example", emails: [{ value: "a@d.example" }] });
      expect(withEmails.body.emails).toEqual([{ value: "a@d.example" }]);
      const emptied = await call("put", `/Users/${u.id}`, { schemas: [USER], userName: "empty.ann@d.example", emails: [] });
      expect(emptied.status).toBe(200);
      expect(emptied.body).not.toHaveProperty("emails");

      await call("patch", `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "add", path: "roles", value: [{ value: "dev" }] }] });
      const noRoles = await call("patch", `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "roles", value: [] }] });
      expect(noRoles.status).toBe(200);
      expect(noRoles.body).not.toHaveProperty("roles");
      // `pr` agrees with what the responses show.
      const present = await call("get", `/Users?filter=${encodeURIComponent('userName eq "empty.ann@d.example" and roles pr')}`);
      expect(present.body.totalResults).toBe(0);

      // With a projection naming them, and excluding others.
      for (const q of ["attributes=emails,roles", "excludedAttributes=name", "attributes=roles.value"]) {
        const res = await call("get", `/Users/${u.id}?${q}`);
        expect([q, res.status, "emails" in res.body, "roles" in res.body]).toEqual([q, 200, false, false]);
      }
    });

    it("leaves a group without members without `members`, on every response path", async () => {
      const ann = await user("empty.bob@d.example");
      const created = await call("post", "/Groups", { schemas: [GROUP], displayName: "Empty Team", members: [] });
      expect(created.status).toBe(201);
      expect(created.body).not.toHaveProperty("members");
      const id = created.body.id as string;
      const added = await call("patch", `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: ann.id }] }] });
      expect(added.body.members).toHaveLength(1);
      const removed = await call("patch", `/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: "remove", path: `members[value eq "${ann.id}"]` }] });
      expect(removed.status).toBe(200);
      expect(removed.body).not.toHaveProperty("members");
      const put = await call("put", `/Groups/${id}`, { schemas: [GROUP], displayName: "Empty Team", members: [] });
      expect(put.body).not.toHaveProperty("members");
      for (const q of ["", "?attributes=members", "?attributes=members.value,displayName"]) {
        const one = await call("get", `/Groups/${id}${q}`);
        expect([q, one.status, "members" in one.body]).toEqual([q, 200, false]);
        const list = await call("get", `/Groups?filter=${encodeURIComponent('displayName eq "Empty Team"')}${q.replace("?", "&")}`);
        expect([q, list.body.totalResults, "members" in list.body.Resources[0]]).toEqual([q, 1, false]);
      }
      // A user with no groups has no `groups` either.
      expect((await call("get", `/Users/${ann.id}`)).body).not.toHaveProperty("groups");
    });
  });

  describe("PATCH", () => {
    it("accepts an extension's model with `schemas` inside, by the extension's URN, applying the rest", async () => {
      const u = await user("ext.ann@d.example", { [ENT]: { department: "R" } });
      const res = await call("patch", `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: ENT, value: { schemas: [ENT], department: "Ops", manager: { value: u.id } } }] });
      expect(res.status).toBe(200);
      expect(res.body[ENT]).toEqual({ department: "Ops", manager: { value: u.id } });
      expect(res.body.schemas).toEqual([USER, ENT]);
      const add = await call("patch", `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "add", path: ENT.toLowerCase(), value: { schemas: [ENT], division: "D" } }] });
      expect(add.status).toBe(200);
      expect((await call("get", `/Users/${u.id}`)).body[ENT]).toEqual({ department: "Ops", manager: { value: u.id }, division: "D" });
    });

    it("refuses to remove active with 400 invalidValue naming replace, writing nothing", async () => {
      const u = await user("active.ann@d.example", { active: true });
      for (const path of ["active", "Active"]) {
        const res = await call("patch", `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "remove", path }] });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
        expect(res.body.detail).toContain("active can't be removed; set it with replace");
      }
      const after = await call("get", `/Users/${u.id}`);
      expect(after.body).toMatchObject({ active: true, meta: { version: u.meta.version } });
      // Replace still works both ways.
      expect((await call("patch", `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] })).body.active).toBe(false);
      expect((await call("patch", `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: "replace", value: { active: true } }] })).body.active).toBe(true);
    });
  });
});
