import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * Group sync's regex_filter runs on every SCIM write and every resync, over claim values the IdP
 * sends: it must take time linear in the value, whatever pattern an admin saved. A backtracking
 * engine needs about 2^5000 steps for the title below; completing at all is the proof.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

describe.each(testEngines())("group sync regex_filter on %s", (engine) => {
  let b: TestBridge;
  let defaultOrg: string;
  const scim = (m: "post" | "put", p: string, body: object) => request(b.app)[m](`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body);
  const admin = (m: "get" | "post" | "patch", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);
  const groupsOf = async (u: string) => (await b.db.prisma.groupMember.findMany({ where: { userId: u }, include: { group: true } })).map((m) => m.group.name).sort();

  beforeAll(async () => {
    b = await startTestBridge(engine);
    defaultOrg = (await admin("get", "/organizations/default")).body.id;
  });
  afterAll(async () => {
    await b.close();
  });

  it("matches a catastrophic-backtracking pattern against a claim of thousands of characters in linear time", async () => {
    // Values over 255 characters are matched only when a mapping names them: map one of 5,000.
    const long = `${"a".repeat(5000)}!`;
    const saved = await admin("patch", "/organizations/default/settings/idpsync/groups").send({ field: "title", mapping: { [long]: [defaultOrg] }, regex_filter: "^(a+)+$", auto_create_missing_groups: true });
    expect(saved.status).toBe(200);

    // A backtracking engine takes 2^n steps for n `a`s and a `!`: 254 would never finish, nor 5,000.
    for (const [userName, title] of [["redos@corp.example", `${"a".repeat(254)}!`], ["redos-long@corp.example", long]]) {
      const hostile = await scim("post", "/Users", { schemas: [USER], userName, title });
      expect(hostile.status).toBe(201);
      expect(await groupsOf(hostile.body.id)).toEqual([]);
    }
    // The event loop was never blocked: the bridge still answers, and a matching value still matches.
    expect((await request(b.app).get("/healthz")).status).toBe(200);
    const fine = await scim("post", "/Users", { schemas: [USER], userName: "aaa@corp.example", title: "aaaa" });
    expect(fine.status).toBe(201);
    expect(await groupsOf(fine.body.id)).toEqual(["aaaa"]);

    // A resync plans every user, the hostile one included, just as fast.
    const run = await admin("post", "/reconciliations").send({ kind: "resync", dry_run: true });
    expect(run.status).toBe(201);
    expect(run.body.status).toBe("completed");
  }, 120_000);

  it("does not auto-create a group from a claim value too long to be a group name: a sync problem, and the write succeeds", async () => {
    const saved = await admin("patch", "/organizations/default/settings/idpsync/groups").send({ field: "title", mapping: null, regex_filter: null, auto_create_missing_groups: true });
    expect(saved.status).toBe(200);
    const long = await scim("post", "/Users", { schemas: [USER], userName: "longtitle@corp.example", title: "漢".repeat(1500) });
    expect(long.status).toBe(201);
    expect(await groupsOf(long.body.id)).toEqual([]);
    const problems = await b.db.prisma.auditEvent.findMany({ where: { userId: long.body.id, action: "sync.problem" } });
    expect(problems.map((p) => JSON.stringify(p.details))).toEqual([expect.stringMatching(/\(1500 characters\) can't be a group name: at most 255 characters; no group for it/)]);
    // Later writes of that user keep working.
    expect((await scim("put", `/Users/${long.body.id}`, { schemas: [USER], userName: "longtitle@corp.example", title: "漢".repeat(1400) })).status).toBe(200);
  });

  it("refuses on save what RE2 refuses, with the engine's own message", async () => {
    const cases: [string, RegExp][] = [
      ["(?=x)", /regex_filter is not a valid RE2 pattern: error parsing regexp: invalid or unsupported Perl syntax: `\(\?=`/],
      ["(?<!x)y", /not a valid RE2 pattern: error parsing regexp: invalid named capture: `\(\?<!x\)y`/],
      ["(a)\\1", /not a valid RE2 pattern: error parsing regexp: invalid escape sequence: `\\1`/],
      // JavaScript accepts these; Go's RE2 does not.
      ["a\\Z", /invalid escape sequence: `\\Z`/],
      ["x{1001}", /invalid repeat count/],
      // Within RE2's syntax, but a program too large to run against every claim value.
      ["[^a]{1000}[^b]{1000}", /regex_filter is too complex: it compiles to \d+ instructions, at most 1000 are allowed/],
      [`^${"x".repeat(1100)}$`, /regex_filter is 1102 characters long; at most 1024 are allowed/],
    ];
    for (const [pattern, message] of cases) {
      const res = await admin("patch", "/organizations/default/settings/idpsync/groups/config").send({ field: "groups", regex_filter: pattern, auto_create_missing_groups: false });
      expect({ pattern, status: res.status }).toEqual({ pattern, status: 400 });
      expect(res.body.message).toMatch(message);
    }
    // RE2 syntax JavaScript lacks is accepted: Go's named groups and POSIX classes.
    const ok = await admin("patch", "/organizations/default/settings/idpsync/groups/config").send({ field: "groups", regex_filter: "^(?P<team>[[:alpha:]]+)-", auto_create_missing_groups: false });
    expect(ok.status).toBe(200);
  });

  it("skips group sync with a problem the admin sees when a pattern saved earlier can't be compiled, and never fails the write", async () => {
    // Saved before this check existed (JavaScript's RegExp accepted it); written straight to the database.
    await b.db.prisma.syncSetting.upsert({
      where: { key: `${defaultOrg}:group-sync-settings` },
      create: { key: `${defaultOrg}:group-sync-settings`, value: { field: "title", mapping: null, regex_filter: "^eng\\Z", auto_create_missing_groups: true } },
      update: { value: { field: "title", mapping: null, regex_filter: "^eng\\Z", auto_create_missing_groups: true } },
    });
    const u = await scim("post", "/Users", { schemas: [USER], userName: "legacy@corp.example", title: "eng" });
    expect(u.status).toBe(201);
    expect(await groupsOf(u.body.id)).toEqual([]);
    const problem = await b.db.prisma.auditEvent.findFirstOrThrow({ where: { userId: u.body.id, action: "sync.problem" } });
    expect(problem.details).toMatchObject({ dimension: "group", problem: expect.stringMatching(/^regex_filter "\^eng\\\\Z" is not a valid RE2 pattern: error parsing regexp: invalid escape sequence/) });

    const run = await admin("post", "/reconciliations").send({ kind: "resync", dry_run: true });
    expect(run.body.summary.problems).toBeGreaterThan(0);
    const items = await admin("get", `/reconciliations/${run.body.id}?kind=problem&limit=1000`);
    expect(items.body.items.some((i: { message?: string }) => /regex_filter .* is not a valid RE2 pattern/.test(i.message ?? ""))).toBe(true);
  });
});
