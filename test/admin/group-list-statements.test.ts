import request from "supertest";
import { startTestBridge, type TestBridge } from "../support/app";
import { testEngines } from "../support/databases";

/**
 * GET /api/v2/organizations/{org}/groups?members=false (a group picker in a large organization)
 * answers every group with its member count: in the same number of statements for one group as for
 * many, never a count per group.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

describe.each(testEngines())("the groups list's statements on %s", (engine) => {
  let b: TestBridge;
  let statements: string[] | undefined;
  const api = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine, { observe: (text) => statements?.push(text) });
  });
  afterAll(async () => {
    await b.close();
  });

  /** The statements of one GET of the groups without members, and the groups it listed with their counts. */
  async function list(): Promise<{ statements: string[]; counts: Record<string, number> }> {
    statements = [];
    const res = await api("get", "/organizations/default/groups?members=false");
    const seen = statements;
    statements = undefined;
    expect(res.status).toBe(200);
    const groups = res.body as { name: string; total_member_count: number; members: unknown[] }[];
    expect(groups.every((g) => g.members.length === 0)).toBe(true);
    return { statements: seen, counts: Object.fromEntries(groups.map((g) => [g.name, g.total_member_count])) };
  }

  it("is as many statements for 6 groups as for 1, each still counted", async () => {
    const users: string[] = [];
    for (const userName of ["ann@s.example", "bob@s.example"]) {
      const made = await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send({ schemas: [USER], userName });
      expect(made.status).toBe(201);
      users.push(made.body.id as string);
    }
    const add = async (name: string, members: string[]) => {
      const made = await api("post", "/organizations/default/groups").send({ name });
      expect(made.status).toBe(201);
      if (members.length > 0) expect((await api("patch", `/groups/${made.body.id as string}`).send({ add_users: members })).status).toBe(200);
    };
    await add("g0", users);
    await list(); // warms the admin token's cache
    await b.tokens.flush(); // its last-use write runs off the request path: not what is counted
    const one = await list();
    for (let n = 1; n < 6; n++) await add(`g${n}`, n === 1 ? [users[0]!] : []);
    const six = await list();
    expect(one.counts).toEqual({ Everyone: 2, g0: 2 });
    expect(six.counts).toEqual({ Everyone: 2, g0: 2, g1: 1, g2: 0, g3: 0, g4: 0, g5: 0 });
    expect(six.statements.length).toBe(one.statements.length);
  });
});
