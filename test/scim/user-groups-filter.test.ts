import request from "supertest";
import { userStorage, userTable } from "../../src/directory/scim-storage";
import { parseFilter } from "../../src/scim/filter/parse";
import { toSql } from "../../src/scim/filter/sql";
import { userResourceType } from "../../src/scim/schema/registry";
import { openMigrated, testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/**
 * `/Users` filters on the read-only `groups` (RFC 7644 §3.4.2.2: readOnly attributes are filterable),
 * answered from the memberships that the attribute shows.
 */

describe("filters on a user's groups, as SQL", () => {
  it("keep values as parameters and look memberships up by user", () => {
    const f = toSql(parseFilter(userResourceType, `groups[display eq "x'); DROP TABLE users; --" and value eq "10000000-0000-4000-8000-000000000001"]`), userStorage, "u");
    expect(f.text).not.toContain("DROP");
    expect(f.text).toContain("EXISTS (SELECT 1 FROM (SELECT mem.user_id AS owner");
    expect(f.text).toContain("WHERE r.owner = u.id");
    expect(f.values).toHaveLength(2);
    expect(f.values[1]).toBe("10000000-0000-4000-8000-000000000001");
  });
});

describe.each(testEngines())("SCIM /Users filtered on groups on %s", (engine) => {
  let b: TestBridge;
  const ids: Record<string, string> = {};
  const auth = () => ["Authorization", `Bearer ${b.scimToken}`] as const;
  const usersMatching = async (filter: string, extra = "") => {
    const r = await request(b.app).get(`/scim/v2/Users?filter=${encodeURIComponent(filter)}${extra}`).set(...auth());
    expect(r.status).toBe(200);
    return (r.body.Resources as { userName: string }[]).map((u) => u.userName.split("@")[0]!);
  };
  const patchMembers = (group: string, op: "add" | "remove", user: string) =>
    request(b.app).patch(`/scim/v2/Groups/${ids[group]}`).set(...auth()).send({ schemas: [PATCH], Operations: [{ op, path: "members", value: [{ value: ids[user] }] }] });

  beforeAll(async () => {
    b = await startTestBridge(engine);
    for (const name of ["ann", "bob", "cy", "dee"]) {
      const r = await request(b.app).post("/scim/v2/Users").set(...auth()).send({ schemas: [USER], userName: `${name}@groups.example` });
      ids[name] = r.body.id as string;
    }
    const groups: [string, string[]][] = [["Engineering", ["ann", "bob"]], ["Sales", ["bob"]], ["ops-Team", []]];
    for (const [name, members] of groups) {
      const r = await request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: name, members: members.map((m) => ({ value: ids[m] })) });
      expect(r.status).toBe(201);
      ids[name] = r.body.id as string;
    }
    expect((await patchMembers("ops-Team", "add", "cy")).status).toBe(200);
  });
  afterAll(async () => {
    await b.close();
  });

  it.each<[string, (i: Record<string, string>) => string, string[]]>([
    ["groups.value", (i) => `groups.value eq "${i.Engineering}"`, ["ann", "bob"]],
    ["groups compared directly (its value)", (i) => `groups eq "${i.Sales}"`, ["bob"]],
    ["a value path", (i) => `groups[value eq "${i.Sales}"]`, ["bob"]],
    ["groups.display in another case", () => 'groups.display eq "ENGINEERING"', ["ann", "bob"]],
    ["groups.display in another spelling of the same name", () => 'groups.display eq " engineering "', ["ann", "bob"]],
    ["groups.display sw", () => 'groups.display sw "eng"', ["ann", "bob"]],
    ["groups.display co", () => 'groups.display co "TEAM"', ["cy"]],
    ["groups.display gt", () => 'groups.display gt "r"', ["bob"]],
    ["one element meeting both conditions", (i) => `groups[display eq "Sales" and value eq "${i.Engineering}"]`, []],
    ["two elements each meeting one", (i) => `groups.display eq "Sales" and groups.value eq "${i.Engineering}"`, ["bob"]],
    ["a value path with a sub-attribute after it", () => 'groups[display sw "s"].value pr', ["bob"]],
    ["presence", () => "groups pr", ["ann", "bob", "cy"]],
    ["absence", () => "not (groups pr)", ["dee"]],
    ["groups.display pr", () => "groups.display pr", ["ann", "bob", "cy"]],
    ["the membership type", () => 'groups.type eq "direct"', ["ann", "bob", "cy"]],
    ["ne (any group other than it)", (i) => `groups.value ne "${i.Engineering}"`, ["bob", "cy"]],
    ["not eq (in no such group)", (i) => `not (groups.value eq "${i.Engineering}")`, ["cy", "dee"]],
    ["a value that is no group id", () => 'groups.value eq "not-a-uuid"', []],
    ["with another attribute", () => 'groups[display sw "s"] or userName eq "dee@groups.example"', ["bob", "dee"]],
  ])("filters on %s", async (_what, filter, expected) => {
    expect((await usersMatching(filter(ids))).sort()).toEqual(expected);
  });

  it("sorts by the first group as shown, users without groups last", async () => {
    expect(await usersMatching("userName pr", "&sortBy=groups.display")).toEqual(["ann", "bob", "cy", "dee"]);
    expect(await usersMatching("userName pr", "&sortBy=groups.display&sortOrder=descending")).toEqual(["dee", "cy", "ann", "bob"]);
  });

  it("pages a groups filter with a correct total", async () => {
    const first = await request(b.app).get(`/scim/v2/Users?filter=${encodeURIComponent("groups pr")}&count=2&sortBy=userName`).set(...auth());
    const second = await request(b.app).get(`/scim/v2/Users?filter=${encodeURIComponent("groups pr")}&count=2&startIndex=3&sortBy=userName`).set(...auth());
    expect([first.body.totalResults, second.body.totalResults]).toEqual([3, 3]);
    expect([...first.body.Resources, ...second.body.Resources].map((u: { id: string }) => u.id)).toEqual([ids.ann, ids.bob, ids.cy]);
  });

  it("follows membership changes, as the groups attribute does", async () => {
    const r = await request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: "Temp", members: [{ value: ids.dee }] });
    const temp = r.body.id as string;
    expect(await usersMatching(`groups.value eq "${temp}"`)).toEqual(["dee"]);
    const dee = await request(b.app).get(`/scim/v2/Users/${ids.dee}`).set(...auth());
    expect(dee.body.groups).toEqual([expect.objectContaining({ value: temp, display: "Temp" })]);
    await request(b.app).patch(`/scim/v2/Groups/${temp}`).set(...auth()).send({ schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "Renamed" }] });
    expect(await usersMatching('groups.display eq "Renamed"')).toEqual(["dee"]);
    expect(await usersMatching('groups.display eq "Temp"')).toEqual([]);
    expect((await request(b.app).delete(`/scim/v2/Groups/${temp}`).set(...auth())).status).toBe(204);
    expect(await usersMatching(`groups.value eq "${temp}"`)).toEqual([]);
  });

  it.each([
    ['groups[foo eq "x"]', 'groups has no sub-attribute "foo"'],
    ["groups.display eq", "not valid SCIM filter syntax"],
    ['groups[display eq "a"', "not valid SCIM filter syntax"],
  ])("refuses %s with 400 invalidFilter", async (filter, detail) => {
    const r = await request(b.app).get(`/scim/v2/Users?filter=${encodeURIComponent(filter)}`).set(...auth());
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: "400", scimType: "invalidFilter" });
    expect(r.body.detail).toContain(detail);
  });
});

// The planner's choices on a populated, analysed PostgreSQL (PGlite never analyses: its plans say less).
(process.env.TEST_DATABASE_URL ? describe : describe.skip)("filters on a user's groups, as plans on PostgreSQL", () => {
  it.each([
    'groups.value eq "10000000-0000-4000-8000-000000000007"',
    'groups.display eq "G7"',
    'groups[display eq "G7" and value eq "10000000-0000-4000-8000-000000000007"]',
  ])("%s reads memberships through an index, never the whole table", async (text) => {
    const { db, done } = await openMigrated("postgres");
    try {
      await db.sql.query(`INSERT INTO users (id, user_name, user_name_key, username, resource, updated_at)
        SELECT gen_random_uuid(), 'u' || i, 'u' || i, 'u' || i, jsonb_build_object('userName', 'u' || i), now() FROM generate_series(1, 20000) i`);
      await db.sql.query(`INSERT INTO idp_groups (id, display_name, display_name_key, resource, updated_at)
        SELECT ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'G' || i, 'g' || i, '{}'::jsonb, now() FROM generate_series(1, 200) i`);
      await db.sql.query(`INSERT INTO idp_group_members (group_id, user_id)
        SELECT ('10000000-0000-4000-8000-' || lpad((1 + (row_number() OVER ()) % 200)::text, 12, '0'))::uuid, id FROM users`);
      await db.sql.query("ANALYZE");
      const f = toSql(parseFilter(userResourceType, text), userStorage, "u");
      const plan = await db.sql.query<{ "QUERY PLAN": string }>(
        `EXPLAIN SELECT u.id FROM users u WHERE ${userTable.where("u")} AND (${f.text}) ORDER BY u.created_at, u.id LIMIT 50`,
        f.values,
      );
      const shown = plan.map((p) => p["QUERY PLAN"]).join("\n");
      expect(shown).toMatch(/Index Cond: \(group_id = /);
      expect(shown).not.toMatch(/Seq Scan on idp_group_members/);
      expect(shown).not.toMatch(/SubPlan/);
    } finally {
      await done();
    }
  });
});
