import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

interface Res {
  schemas: string[];
  id: string;
  userName?: string;
  displayName?: string;
  members?: unknown[];
  meta: { resourceType: string; created: string; location: string };
}
interface ListBody {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: Res[];
}

/** A resource's short name in these tests: the userName's local part, or the displayName. */
const nameOf = (r: Res) => r.userName?.split("@")[0] ?? r.displayName ?? "?";

describe.each(testEngines())("queries at the service root on %s", (engine) => {
  let b: TestBridge;
  const ids: Record<string, string> = {};
  const auth = () => ["Authorization", `Bearer ${b.scimToken}`] as const;
  const search = (body: unknown, mount = "/scim/v2") => request(b.app).post(`${mount}/.search`).set(...auth()).send(body as object);
  const names = async (body: Record<string, unknown>) => {
    const r = await search({ schemas: [SEARCH], count: 200, ...body });
    expect(r.status).toBe(200);
    return (r.body as ListBody).Resources.map(nameOf);
  };

  beforeAll(async () => {
    b = await startTestBridge(engine);
    const users: [string, Record<string, unknown>][] = [
      ["ann", { displayName: "Ann", title: "Eng" }],
      ["bob", { displayName: "bob" }],
      ["cy", {}],
    ];
    for (const [name, extra] of users) {
      const r = await request(b.app).post("/scim/v2/Users").set(...auth()).send({ schemas: [USER], userName: `${name}@root.example`, ...extra });
      expect(r.status).toBe(201);
      ids[name] = r.body.id as string;
    }
    const groups: [string, string[]][] = [
      ["Admins", ["ann"]],
      ["Builders", []],
      ["chefs", ["bob", "cy"]],
    ];
    for (const [name, members] of groups) {
      const r = await request(b.app).post("/scim/v2/Groups").set(...auth()).send({ schemas: [GROUP], displayName: name, members: members.map((m) => ({ value: ids[m] })) });
      expect(r.status).toBe(201);
      ids[name] = r.body.id as string;
    }
  });
  afterAll(async () => {
    await b.close();
  });

  it("lists users and groups together, each with its own schemas, meta and location", async () => {
    const r = await search({ schemas: [SEARCH] });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^application\/scim\+json/);
    const body = r.body as ListBody;
    expect(body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 6, startIndex: 1, itemsPerPage: 6 });
    for (const res of body.Resources) {
      const type = res.userName === undefined ? "Group" : "User";
      expect(res.schemas[0]).toBe(type === "User" ? USER : GROUP);
      expect(res.meta.resourceType).toBe(type);
      expect(res.meta.location).toMatch(new RegExp(`/scim/v2/${type}s/${res.id}$`));
    }
    expect(body.Resources.find((x) => x.displayName === "chefs")?.members).toHaveLength(2);
  });

  it.each<[string, (i: Record<string, string>) => string, string[]]>([
    ["an attribute only Users have", () => 'userName sw "a"', ["ann"]],
    ["an attribute both have", () => 'displayName sw "B"', ["bob", "Builders"]],
    ["the resource type", () => 'meta.resourceType eq "Group"', ["Admins", "Builders", "chefs"]],
    ["an attribute only Groups have", () => "members pr", ["Admins", "chefs"]],
    ["a Group value path", (i) => `members[value eq "${i.bob}"]`, ["chefs"]],
    ["a User's groups", (i) => `groups.value eq "${i.Admins}"`, ["ann"]],
    ["either type's attribute", () => 'userName eq "ann@root.example" or displayName eq "chefs"', ["ann", "chefs"]],
    ["a negation on a Users-only attribute", () => 'not (userName eq "ann@root.example")', ["bob", "cy"]],
    ["ne on a Users-only attribute", () => 'userName ne "ann@root.example"', ["bob", "cy"]],
    ["a negation on a Groups-only attribute", () => "not (members pr)", ["Builders"]],
    ["one type's attribute or the other's", () => 'title eq "eng" or displayName eq "Admins"', ["ann", "Admins"]],
    ["presence on both", () => "displayName pr", ["ann", "bob", "Admins", "Builders", "chefs"]],
    ["absence on both", () => "not (displayName pr)", ["cy"]],
    ["both types' attributes that no resource has together", () => 'userName pr and members pr', []],
  ])("filters on %s", async (_what, filter, expected) => {
    const r = await search({ schemas: [SEARCH], filter: filter(ids) });
    expect(r.status).toBe(200);
    expect((r.body as ListBody).Resources.map(nameOf).sort()).toEqual([...expected].sort());
    expect(r.body.totalResults).toBe(expected.length);
  });

  /** Unassigned values in creation order, as a resource type's list breaks ties. */
  const byCreation = async (names: string[]) => {
    const r = await search({ schemas: [SEARCH] });
    const all = (r.body as ListBody).Resources.filter((x) => names.includes(nameOf(x)));
    return all.sort((x, y) => x.meta.created.localeCompare(y.meta.created) || (x.id < y.id ? -1 : 1)).map(nameOf);
  };

  it("sorts across types case-insensitively, unassigned last when ascending and first when descending", async () => {
    expect(await names({ sortBy: "displayName" })).toEqual(["Admins", "ann", "bob", "Builders", "chefs", "cy"]);
    expect(await names({ sortBy: "displayName", sortOrder: "descending" })).toEqual(["cy", "chefs", "Builders", "bob", "ann", "Admins"]);
    const groups = await byCreation(["Admins", "Builders", "chefs"]);
    expect(await names({ sortBy: "userName" })).toEqual(["ann", "bob", "cy", ...groups]);
    expect(await names({ sortBy: "userName", sortOrder: "descending" })).toEqual([...groups, "cy", "bob", "ann"]);
    const untitled = await byCreation(["bob", "cy", "Admins", "Builders", "chefs"]);
    expect(await names({ sortBy: "title" })).toEqual(["ann", ...untitled]);
    expect(await names({ sortBy: "members", filter: "members pr or userName eq \"cy@root.example\"" })).toHaveLength(3);
    // Only the type without the attribute left by the filter: all unassigned, in creation order.
    expect(await names({ sortBy: "userName", sortOrder: "descending", filter: "members pr" })).toEqual(groups.filter((g) => g !== "Builders"));
  });

  it("sorts the same way on a resource type's own list (unassigned first when descending)", async () => {
    const list = async (order: string) => {
      const r = await request(b.app).get(`/scim/v2/Users?sortBy=title&sortOrder=${order}`).set(...auth());
      return (r.body as ListBody).Resources.map(nameOf);
    };
    expect((await list("ascending"))[0]).toBe("ann");
    expect((await list("descending"))[2]).toBe("ann");
  });

  it.each([
    ["no sortBy", {}],
    ["displayName ascending", { sortBy: "displayName" }],
    ["userName descending", { sortBy: "userName", sortOrder: "descending" }],
    ["creation descending", { sortBy: "meta.created", sortOrder: "descending" }],
    ["id", { sortBy: "id" }],
    ["a filter", { filter: "displayName pr", sortBy: "displayName" }],
  ])("pages through every resource once, in order (%s)", async (_what, params) => {
    const full = (await search({ schemas: [SEARCH], ...params, count: 200 })).body as ListBody;
    const seen: string[] = [];
    for (let start = 1; start <= full.totalResults; start += 2) {
      const page = (await search({ schemas: [SEARCH], ...params, startIndex: start, count: 2 })).body as ListBody;
      expect(page).toMatchObject({ totalResults: full.totalResults, startIndex: start, itemsPerPage: Math.min(2, full.totalResults - start + 1) });
      seen.push(...page.Resources.map((x) => x.id));
    }
    expect(seen).toEqual(full.Resources.map((x) => x.id));
  });

  it.each([
    ["past the end", { startIndex: 7, count: 10 }, 0],
    ["far past the end", { startIndex: Number.MAX_SAFE_INTEGER, count: 200 }, 0],
    ["the last one", { startIndex: 6, count: 10 }, 1],
    ["totals only", { count: 0 }, 0],
    ["startIndex below 1, read as 1", { startIndex: -5, count: 3 }, 3],
    ["count above maxResults, capped", { count: 100000 }, 6],
  ])("answers a page %s", async (_what, params, items) => {
    const r = await search({ schemas: [SEARCH], ...params });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ totalResults: 6, itemsPerPage: items });
    expect(r.body.Resources).toHaveLength(items);
  });

  it("projects each resource by its own type's attributes", async () => {
    const only = (await search({ schemas: [SEARCH], attributes: ["displayName"], sortBy: "displayName" })).body as ListBody;
    expect(only.Resources.map((x) => Object.keys(x).sort())).toEqual([
      ...Array.from({ length: 5 }, () => ["displayName", "id", "schemas"]),
      ["id", "schemas"],
    ]);
    const mixed = (await search({ schemas: [SEARCH], attributes: "userName,members", filter: 'userName eq "ann@root.example" or displayName eq "chefs"' })).body as ListBody;
    expect(mixed.Resources.map((x) => Object.keys(x).sort())).toEqual(expect.arrayContaining([["id", "schemas", "userName"], ["id", "members", "schemas"]]));
    const excluded = (await search({ schemas: [SEARCH], excludedAttributes: "members", filter: "meta.resourceType eq \"Group\"" })).body as ListBody;
    expect(excluded.Resources.every((x) => x.members === undefined && x.displayName !== undefined)).toBe(true);
  });

  /** supertest serves each request on its own port: URLs (meta.location, members' and groups' $ref) compared by path. */
  const withoutHost = (body: ListBody): ListBody => JSON.parse(JSON.stringify(body).replace(/"https?:\/\/[^/"]+\//g, '"/')) as ListBody;

  it("answers GET at the root with the same results, on both mounts", async () => {
    const filter = encodeURIComponent('displayName sw "b" or userName sw "c"');
    const post = await search({ schemas: [SEARCH], filter: 'displayName sw "b" or userName sw "c"', sortBy: "displayName" });
    for (const path of [`/scim/v2/?filter=${filter}&sortBy=displayName`, `/scim/v2?filter=${filter}&sortBy=displayName`]) {
      const get = await request(b.app).get(path).set(...auth());
      expect(get.status).toBe(200);
      expect(withoutHost(get.body)).toEqual(withoutHost(post.body));
    }
    expect((post.body as ListBody).Resources.map(nameOf)).toEqual(["bob", "Builders", "cy"]);
    const api = await request(b.app).get(`/api/v2/scim/v2/?filter=${filter}&sortBy=displayName`).set(...auth());
    expect(withoutHost(api.body).Resources.map((x) => x.meta.location)).toEqual(withoutHost(post.body).Resources.map((x) => `/api/v2${x.meta.location}`));
    const other = await search({ schemas: [SEARCH], filter: "members pr" }, "/api/v2/scim/v2");
    expect(other.body.totalResults).toBe(2);
  });

  it.each<[string, () => request.Test, number, string | undefined, string]>([
    ["an unknown attribute", () => search({ filter: 'nope eq "x"' }), 400, "invalidFilter", 'unknown attribute "nope" for User or Group'],
    ["bad syntax", () => search({ filter: 'userName eq "a" and' }), 400, "invalidFilter", "not valid SCIM filter syntax"],
    ["a value of the wrong type", () => search({ filter: 'active eq "maybe"' }), 400, "invalidFilter", "boolean"],
    ["a filter over 4096 characters", () => search({ filter: `userName eq "${"x".repeat(5000)}"` }), 400, "invalidFilter", "longer than 4096"],
    ["a filter nested too deep", () => search({ filter: `${"not (".repeat(20)}userName pr${")".repeat(20)}` }), 400, "invalidFilter", "nested more than 16 levels"],
    ["a filter that is not a string", () => search({ filter: 12 }), 400, "invalidValue", "filter must be a string"],
    ["an unknown sortBy", () => search({ sortBy: "nope" }), 400, "invalidValue", 'sortBy: unknown attribute "nope"'],
    ["a bad sortOrder", () => search({ sortOrder: "up" }), 400, "invalidValue", "sortOrder"],
    ["a count that is not a number", () => search({ count: "many" }), 400, "invalidValue", "count must be an integer"],
    ["attributes with excludedAttributes", () => search({ attributes: "id", excludedAttributes: "id" }), 400, "invalidValue", "cannot be used together"],
    ["a body that is not an object", () => search([{ filter: "userName pr" }]), 400, "invalidSyntax", "JSON object"],
    ["a bad filter in a GET", () => request(b.app).get("/scim/v2/?filter=userName%20zz%20%22a%22").set(...auth()), 400, "invalidFilter", ""],
    ["PUT at the root", () => request(b.app).put("/scim/v2/").set(...auth()).send({}), 405, undefined, "GET"],
    ["GET of /.search", () => request(b.app).get("/scim/v2/.search").set(...auth()), 405, undefined, "POST"],
  ])("refuses %s with a SCIM error", async (_what, send, status, scimType, detail) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(r.body.schemas).toEqual([ERROR]);
    expect(r.body.status).toBe(String(status));
    expect(r.body.scimType).toBe(scimType);
    expect(r.body.detail).toContain(detail);
  });
});
