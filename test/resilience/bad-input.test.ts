import { createHash } from "node:crypto";
import request from "supertest";
import { userResourceType, groupResourceType } from "../../src/scim/schema/registry";
import type { AttributeDef, ResourceTypeDef } from "../../src/scim/schema/types";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * The bad-input corpus: every case must get a 4xx with the SCIM error body, never a 5xx, and leave
 * the database exactly as it was.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

interface Case {
  name: string;
  method: "post" | "put" | "patch" | "get" | "delete";
  path: string;
  /** A raw body (sent as is) or a value (sent as JSON). */
  body?: unknown;
  raw?: string;
  type?: string;
  headers?: Record<string, string>;
  status?: number;
}

/** A value of the wrong type for an attribute. */
function wrongValue(a: AttributeDef): unknown {
  if (a.multiValued) return a.type === "complex" ? "not-a-list" : { not: "a list" };
  switch (a.type) {
    case "complex":
      // Not a bare string: a complex value with a `value` sub-attribute may be given as its value (Entra's manager).
      return [1, 2];
    case "boolean":
      return { not: "a boolean" };
    case "integer":
    case "decimal":
      return "not-a-number";
    default:
      return { not: "a string" };
  }
}

/** One case per writable attribute (and sub-attribute) of a resource type, with a wrongly typed value. */
function wrongTypes(rt: ResourceTypeDef, base: Record<string, unknown>, path: string, label: string): Case[] {
  const cases: Case[] = [];
  const schemas = [rt.schema, ...rt.extensions.map((e) => e.schema)];
  for (const schema of schemas) {
    const ext = schema.id !== rt.schema.id;
    for (const a of schema.attributes) {
      if (a.mutability === "readOnly" || a.name === "members") continue;
      const put = (value: unknown) => (ext ? { ...base, schemas: [...(base.schemas as string[]), schema.id], [schema.id]: { [a.name]: value } } : { ...base, [a.name]: value });
      cases.push({ name: `${label} ${a.name}: wrong type`, method: "post", path, body: put(wrongValue(a)) });
      if (a.type === "complex" && !a.multiValued) {
        for (const sub of a.subAttributes ?? []) {
          if (sub.mutability === "readOnly") continue;
          cases.push({ name: `${label} ${a.name}.${sub.name}: wrong type`, method: "post", path, body: put({ [sub.name]: wrongValue(sub) }) });
        }
      }
      if (a.type === "complex" && a.multiValued) {
        for (const sub of a.subAttributes ?? []) {
          if (sub.mutability === "readOnly") continue;
          cases.push({ name: `${label} ${a.name}[].${sub.name}: wrong type`, method: "post", path, body: put([{ [sub.name]: wrongValue(sub) }]) });
        }
      }
    }
  }
  return cases;
}

const deep = (n: number): unknown => (n === 0 ? "x" : { a: deep(n - 1) });

function corpus(ids: { user: string; group: string }): Case[] {
  const user = { schemas: [USER], userName: "new@corp.example" };
  const group = { schemas: [GROUP], displayName: "New group" };
  const patch = (ops: unknown) => ({ schemas: [PATCH], Operations: ops });
  return [
    // Malformed and wrong bodies.
    { name: "malformed JSON", method: "post", path: "/Users", raw: '{"userName": "a"', type: "application/scim+json" },
    { name: "JSON with a trailing comma", method: "post", path: "/Users", raw: '{"userName": "a",}', type: "application/json" },
    { name: "an array body", method: "post", path: "/Users", body: [user] },
    { name: "a string body", method: "post", path: "/Users", raw: '"hello"', type: "application/scim+json" },
    { name: "null body", method: "post", path: "/Users", raw: "null", type: "application/scim+json" },
    { name: "an empty body", method: "post", path: "/Users", raw: "", type: "application/scim+json" },
    { name: "text/plain", method: "post", path: "/Users", raw: JSON.stringify(user), type: "text/plain", status: 415 },
    { name: "form encoded", method: "post", path: "/Users", raw: "userName=a", type: "application/x-www-form-urlencoded", status: 415 },
    { name: "XML", method: "post", path: "/Groups", raw: "<group/>", type: "application/xml", status: 415 },
    { name: "not UTF-8", method: "post", path: "/Users", raw: JSON.stringify(user), type: "application/json; charset=latin1", status: 415 },
    { name: "an oversized body", method: "post", path: "/Users", body: { ...user, displayName: "x".repeat(1_200_000) }, status: 413 },
    { name: "an oversized group", method: "post", path: "/Groups", body: { ...group, members: Array.from({ length: 40_000 }, () => ({ value: ids.user })) }, status: 413 },
    // Schemas.
    { name: "no schemas", method: "post", path: "/Users", body: { userName: "a@corp.example" } },
    { name: "schemas not a list", method: "post", path: "/Users", body: { schemas: USER, userName: "a@corp.example" } },
    { name: "an unknown schema only", method: "post", path: "/Users", body: { schemas: ["urn:example:unknown"], userName: "a@corp.example" } },
    { name: "the Group schema on /Users", method: "post", path: "/Users", body: { schemas: [GROUP], userName: "a@corp.example" } },
    { name: "missing userName", method: "post", path: "/Users", body: { schemas: [USER] } },
    { name: "empty userName", method: "post", path: "/Users", body: { schemas: [USER], userName: "" } },
    { name: "missing displayName", method: "post", path: "/Groups", body: { schemas: [GROUP] } },
    // Huge values and nesting.
    { name: "a huge userName", method: "post", path: "/Users", body: { ...user, userName: `${"u".repeat(300_000)}@corp.example` } },
    { name: "a huge displayName", method: "post", path: "/Users", body: { ...user, displayName: "d".repeat(300_000) } },
    { name: "a huge emails list", method: "post", path: "/Users", body: { ...user, emails: Array.from({ length: 5000 }, (_, i) => ({ value: `e${i}@corp.example` })) } },
    { name: "a deeply nested value", method: "post", path: "/Users", body: { ...user, name: { givenName: deep(200) } } },
    { name: "deeply nested JSON", method: "post", path: "/Users", raw: `${"[".repeat(20_000)}${"]".repeat(20_000)}`, type: "application/scim+json" },
    { name: "a deeply nested extension", method: "post", path: "/Users", body: { ...user, schemas: [USER, ENT], [ENT]: { department: deep(100) } } },
    { name: "members that are not users", method: "post", path: "/Groups", body: { ...group, members: [{ value: "00000000-0000-4000-8000-000000000000" }] } },
    { name: "members that are not ids", method: "post", path: "/Groups", body: { ...group, members: [{ value: "not an id" }] } },
    // Filters.
    ...["userName eq", "userName xx \"a\"", "((userName eq \"a\")", "userName eq \"a\" and", "emails[value eq \"a\"", "nosuch eq \"a\"", "userName gt", "meta.lastModified gt \"not a date\"", "active eq \"maybe\"", "not"].map(
      (f): Case => ({ name: `filter ${f}`, method: "get", path: `/Users?filter=${encodeURIComponent(f)}` }),
    ),
    { name: "a filter on /Groups by a user attribute", method: "get", path: `/Groups?filter=${encodeURIComponent('userName eq "a"')}` },
    { name: "sortBy an unknown attribute", method: "get", path: "/Users?sortBy=nosuch" },
    { name: ".search with a bad filter", method: "post", path: "/Users/.search", body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: "userName eq" } },
    // PATCH.
    { name: "PATCH without Operations", method: "patch", path: `/Users/${ids.user}`, body: { schemas: [PATCH] } },
    { name: "PATCH without the PatchOp schema", method: "patch", path: `/Users/${ids.user}`, body: { Operations: [{ op: "replace", path: "active", value: false }] } },
    { name: "PATCH with an unknown op", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "explode", path: "active" }]) },
    { name: "PATCH on an unknown path", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "replace", path: "nosuch", value: 1 }]) },
    { name: "PATCH on a read-only path", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "replace", path: "id", value: "x" }]) },
    { name: "PATCH with a broken value filter", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "replace", path: 'emails[type eq "work"', value: "x" }]) },
    { name: "PATCH with a value of the wrong type", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "replace", path: "active", value: { yes: true } }]) },
    { name: "PATCH add without a value", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "add", path: "title" }]) },
    { name: "PATCH remove without a path", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "remove" }]) },
    { name: "PATCH removing a required attribute", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "remove", path: "userName" }]) },
    { name: "PATCH operations not a list", method: "patch", path: `/Users/${ids.user}`, body: { schemas: [PATCH], Operations: { op: "add" } } },
    { name: "PATCH adding a non-user member", method: "patch", path: `/Groups/${ids.group}`, body: patch([{ op: "add", path: "members", value: [{ value: "00000000-0000-4000-8000-000000000000" }] }]) },
    { name: "PATCH with a bad members filter", method: "patch", path: `/Groups/${ids.group}`, body: patch([{ op: "remove", path: "members[value eq" }]) },
    { name: "PATCH renaming a group to empty", method: "patch", path: `/Groups/${ids.group}`, body: patch([{ op: "replace", path: "displayName", value: "" }]) },
    // PUT and preconditions.
    { name: "PUT with a wrong type", method: "put", path: `/Users/${ids.user}`, body: { schemas: [USER], userName: { first: "x" } } },
    { name: "PUT without userName", method: "put", path: `/Users/${ids.user}`, body: { schemas: [USER] } },
    { name: "PUT with a stale If-Match", method: "put", path: `/Users/${ids.user}`, body: { schemas: [USER], userName: "x@corp.example" }, headers: { "If-Match": 'W/"999"' }, status: 412 },
    { name: "PATCH with a stale If-Match", method: "patch", path: `/Groups/${ids.group}`, body: patch([{ op: "replace", path: "displayName", value: "Other" }]), headers: { "If-Match": 'W/"999"' }, status: 412 },
    { name: "DELETE with a stale If-Match", method: "delete", path: `/Users/${ids.user}`, headers: { "If-Match": 'W/"999"' }, status: 412 },
    { name: "PUT on a missing user", method: "put", path: "/Users/00000000-0000-4000-8000-000000000000", body: { schemas: [USER], userName: "x@corp.example" }, status: 404 },
    { name: "PATCH on a non-id", method: "patch", path: "/Users/not-an-id", body: patch([{ op: "replace", path: "active", value: false }]), status: 404 },
    { name: "DELETE on a missing group", method: "delete", path: "/Groups/00000000-0000-4000-8000-000000000000", status: 404 },
    { name: "PUT on the collection", method: "put", path: "/Users", body: user, status: 405 },
    { name: "POST to a resource", method: "post", path: `/Groups/${ids.group}`, body: group, status: 405 },
    { name: "a userName over the identifier limit", method: "post", path: "/Users", body: { ...user, userName: `${"u".repeat(1100)}@corp.example` } },
    { name: "an externalId over the identifier limit", method: "post", path: "/Users", body: { ...user, externalId: "x".repeat(1025) } },
    { name: "a group name over the identifier limit", method: "post", path: "/Groups", body: { ...group, displayName: "g".repeat(1025) } },
    // Within 1,024 characters but not within an index entry: 3 bytes per character in UTF-8.
    { name: "an externalId of 1,024 CJK characters", method: "post", path: "/Users", body: { ...user, externalId: "漢".repeat(1024) } },
    { name: "an email value of 1,000 CJK characters", method: "post", path: "/Users", body: { ...user, emails: [{ value: "a@corp.example", primary: true }, { value: "漢".repeat(1000) }] } },
    { name: "a group externalId of 1,024 CJK characters", method: "post", path: "/Groups", body: { ...group, externalId: "漢".repeat(1024) } },
    { name: "a PATCH to an externalId of 1,024 CJK characters", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "replace", path: "externalId", value: "漢".repeat(1024) }]) },
    { name: "a PATCH to a huge title", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "replace", path: "title", value: "t".repeat(10_000) }]) },
    // Strings the database can't store (U+0000, lone surrogates), anywhere; bodies that aren't their Content-Encoding.
    { name: "a NUL in userName", method: "post", path: "/Users", body: { ...user, userName: "nul\u0000@corp.example" } },
    { name: "a lone surrogate in displayName", method: "post", path: "/Users", body: { ...user, displayName: "x\ud800" } },
    { name: "a NUL in an attribute name", method: "post", path: "/Users", body: { ...user, "title\u0000": "x" } },
    { name: "a NUL in an enterprise attribute", method: "post", path: "/Users", body: { ...user, schemas: [USER, ENT], [ENT]: { department: "\u0000" } } },
    { name: "a NUL in a PATCH value", method: "patch", path: `/Users/${ids.user}`, body: patch([{ op: "replace", path: "title", value: "a\u0000b" }]) },
    { name: "a lone surrogate in a PUT", method: "put", path: `/Users/${ids.user}`, body: { schemas: [USER], userName: "target@corp.example", nickName: "\udc00" } },
    { name: "a NUL in a group name", method: "post", path: "/Groups", body: { ...group, displayName: "G\u0000" } },
    { name: "a lone surrogate in a group PATCH", method: "patch", path: `/Groups/${ids.group}`, body: patch([{ op: "replace", path: "displayName", value: "\ud83d" }]) },
    { name: "a NUL in a filter", method: "get", path: `/Users?filter=${encodeURIComponent('userName eq "\u0000"')}` },
    { name: "a NUL in a .search body", method: "post", path: "/Groups/.search", body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: 'displayName eq "\u0000"' } },
    { name: "a NUL in a resource id", method: "get", path: "/Users/%00" },
    ...["gzip", "deflate", "br"].map((enc): Case => ({ name: `a body that isn't the ${enc} its Content-Encoding says`, method: "post", path: "/Users", raw: JSON.stringify(user), type: "application/scim+json", headers: { "Content-Encoding": enc }, status: 400 })),
    { name: "an encoding the bridge doesn't decode", method: "post", path: "/Users", raw: JSON.stringify(user), type: "application/scim+json", headers: { "Content-Encoding": "compress" }, status: 415 },
    // Every writable attribute with a wrongly typed value.
    ...wrongTypes(userResourceType, user, "/Users", "User"),
    ...wrongTypes(groupResourceType, group, "/Groups", "Group"),
  ] as Case[];
}

describe.each(testEngines())("bad input on %s", (engine) => {
  let b: TestBridge;
  let ids: { user: string; group: string };
  const snapshot = async () => {
    const rows = await b.db.prisma.$queryRawUnsafe<unknown[]>(`
      SELECT (SELECT coalesce(json_agg(u ORDER BY u.id), '[]') FROM (SELECT id, user_name, status, version, resource FROM users) u) AS users,
             (SELECT coalesce(json_agg(g ORDER BY g.id), '[]') FROM (SELECT id, display_name, version, resource FROM idp_groups) g) AS groups,
             (SELECT count(*)::int FROM idp_group_members) AS members,
             (SELECT count(*)::int FROM audit_events) AS audit,
             (SELECT count(*)::int FROM outbox_events) AS events`);
    return createHash("sha256").update(JSON.stringify(rows)).digest("hex");
  };

  beforeAll(async () => {
    b = await startTestBridge(engine);
    const u = await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName: "target@corp.example", emails: [{ value: "t@corp.example", type: "work" }] });
    const g = await request(b.app).post("/scim/v2/Groups").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [GROUP], displayName: "Target", members: [{ value: u.body.id }] });
    ids = { user: u.body.id, group: g.body.id };
  });
  afterAll(async () => {
    await b.close();
  });

  const cases = corpus({ user: "{user}", group: "{group}" });
  it(`has a corpus of ${cases.length} cases`, () => {
    expect(cases.length).toBeGreaterThan(80);
  });

  /** Each case its own userName and group name, so that a case wrongly accepted can't hide later ones behind a 409. */
  const unique = (body: unknown, i: number): unknown =>
    JSON.parse(JSON.stringify(body ?? null).replaceAll('"new@corp.example"', `"new${i}@corp.example"`).replaceAll('"New group"', `"New group ${i}"`));

  it.each(cases.map((c, i) => [c.name, i] as const))("%s → a 4xx SCIM error and no change", async (_name, i) => {
    const c = corpus(ids)[i]!;
    const before = await snapshot();
    let req = request(b.app)[c.method](`/scim/v2${c.path}`).set("Authorization", `Bearer ${b.scimToken}`);
    for (const [k, v] of Object.entries(c.headers ?? {})) req = req.set(k, v);
    const res = c.raw !== undefined ? await req.set("Content-Type", c.type!).send(c.raw) : c.body !== undefined ? await req.send(unique(c.body, i) as object) : await req;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    if (c.status) expect(res.status).toBe(c.status);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(res.status), detail: expect.any(String) });
    expect(await snapshot()).toBe(before);
  });
});
