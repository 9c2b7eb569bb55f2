import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

describe.each(testEngines())("admin user search and list parameters on %s", (engine) => {
  let b: TestBridge;
  const ids: Record<string, string> = {};
  const admin = (method: "get" | "post", path: string) => request(b.app)[method](`/api/v2${path}`).set("Authorization", `Bearer ${b.adminToken}`);
  const search = async (q: string) => {
    const res = await admin("get", `/users?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    return (res.body.users as { username: string }[]).map((u) => u.username).sort();
  };

  beforeAll(async () => {
    b = await startTestBridge(engine);
    const mk = async (handle: string, displayName: string) => {
      const res = await request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`)
        .send({ schemas: [USER], userName: `${handle}@corp.example`, displayName, emails: [{ value: `${handle}@corp.example`, primary: true }] });
      expect(res.status).toBe(201);
      ids[handle] = res.body.id as string;
    };
    await mk("carol", "Carol Smith");
    await mk("dave", "Dave 100%");
    await mk("sam", "snake_case Sam");
    await mk("bea", "Back\\slash Bea");
    await mk("erin", "Erin");
  }, 120_000);
  afterAll(async () => {
    await b.close();
  });

  it("matches LIKE's wildcards and its escape character literally", async () => {
    expect(await search("%")).toEqual(["dave"]);
    expect(await search("_")).toEqual(["sam"]);
    expect(await search("\\")).toEqual(["bea"]);
    expect(await search("c_rol")).toEqual([]);
    expect(await search("c%l")).toEqual([]);
    expect(await search("100%")).toEqual(["dave"]);
    expect(await search("snake_case")).toEqual(["sam"]);
    expect(await search("k\\s")).toEqual(["bea"]);
  });

  it("still matches words case-insensitively in username, email or name, all words together", async () => {
    expect(await search("CAROL")).toEqual(["carol"]);
    expect(await search("smith carol")).toEqual(["carol"]);
    expect(await search("@corp.example")).toEqual(["bea", "carol", "dave", "erin", "sam"]);
    expect(await search("smith erin")).toEqual([]);
  });

  it("refuses 7,000 one-letter words at once, fast, naming both limits", async () => {
    // `+` for the spaces: 14 KB, under Node's 16 KB header limit, as the attacker sent it.
    const q = Array.from({ length: 7000 }, () => "a").join("+");
    const started = Date.now();
    const res = await admin("get", `/users?q=${q}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: "Invalid query parameters.",
      validations: [{ field: "q", detail: expect.stringMatching(/at most 16 terms and 1,024 characters/) }],
    });
  });

  it("takes up to 16 terms and 1,024 characters, and refuses one more of either", async () => {
    expect(await search(Array.from({ length: 16 }, () => "erin").join(" "))).toEqual(["erin"]);
    const tooMany = await admin("get", `/users?q=${encodeURIComponent(Array.from({ length: 17 }, () => "erin").join(" "))}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.validations).toEqual([{ field: "q", detail: expect.stringMatching(/at most 16 terms and 1,024 characters \(this one has 17 terms/) }]);
    expect(await search("x".repeat(1024))).toEqual([]);
    const tooLong = await admin("get", `/users?q=${"x".repeat(1025)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.validations).toEqual([{ field: "q", detail: expect.stringMatching(/1,024 characters \(this one has 1 term, 1,025 characters\)/) }]);
  });

  it("answers offsets past the end and past 2^31 with an empty page, and refuses numbers it can't use", async () => {
    for (const offset of ["5", "2147483648", "9007199254740991"]) {
      const res = await admin("get", `/users?offset=${offset}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ users: [], count: 5 });
    }
    for (const bad of ["offset=9007199254740992", "offset=1e30", "offset=-1", "offset=1.5", "limit=1e30", "limit=1001", "limit=x"]) {
      const res = await admin("get", `/users?${bad}`);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.body.validations[0].field).toBe(bad.split("=")[0]);
    }
    expect((await admin("get", `/users?after_id=${UNKNOWN_ID}`)).status).toBe(400);
    expect((await admin("get", `/users?after_id=${"x".repeat(5000)}`)).status).toBe(400);
    expect((await admin("get", `/users?after_id=${ids.carol}&offset=9007199254740991`)).body).toEqual({ users: [], count: 5 });
  });

  it("answers the audit log's filters and pages with a page or a 400, never a 500", async () => {
    const all = (await admin("get", "/audit")).body.count as number;
    expect(all).toBeGreaterThan(5);
    for (const offset of ["2147483648", "9007199254740991"]) {
      const res = await admin("get", `/audit?offset=${offset}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ audit_logs: [], count: all });
    }
    // `action` is a literal prefix: LIKE's wildcards in it match only themselves.
    expect((await admin("get", "/audit?action=user.")).body.count).toBeGreaterThanOrEqual(5);
    expect((await admin("get", "/audit?action=%25")).body.count).toBe(0);
    expect((await admin("get", "/audit?action=user_created")).body.count).toBe(0);
    expect((await admin("get", `/audit?action=${"x".repeat(5000)}`)).body.count).toBe(0);
    expect((await admin("get", `/audit?user=${"x".repeat(5000)}`)).status).toBe(404);
    const times = ["0000-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59-05:00", "2024-02-30T00:00:00Z"];
    for (const time of times) {
      for (const key of ["since", "until"]) {
        const res = await admin("get", `/audit?${key}=${encodeURIComponent(time)}`);
        expect([key, time, res.status === 200 || res.status === 400]).toEqual([key, time, true]);
      }
    }
    expect((await admin("get", "/audit?since=0001-01-01T00:00:00Z")).body.count).toBe(all);
    expect((await admin("get", "/audit?until=9999-12-31T23:59:59Z")).body.count).toBeGreaterThanOrEqual(all);
    for (const bad of ["limit=0", "limit=1001", "offset=9007199254740992", "offset=1e30"]) {
      expect([bad, (await admin("get", `/audit?${bad}`)).status]).toEqual([bad, 400]);
    }
  });

  it("pages reconciliation runs, their items and webhook deliveries past the end with empty pages", async () => {
    const run = await admin("post", "/reconciliations").send({ kind: "resync" });
    expect(run.status).toBe(201);
    const hook = await admin("post", "/webhooks").send({ url: "https://hooks.example.com/bridge" });
    expect(hook.status).toBe(201);
    const runs = await admin("get", "/reconciliations?offset=9007199254740991");
    expect(runs.status).toBe(200);
    expect(runs.body.runs).toEqual([]);
    const items = await admin("get", `/reconciliations/${run.body.id}?offset=2147483648`);
    expect(items.status).toBe(200);
    expect(items.body.items).toEqual([]);
    const deliveries = await admin("get", `/webhooks/${hook.body.id}/deliveries?offset=9007199254740991`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.deliveries).toEqual([]);
    for (const path of ["/reconciliations?offset=1e30", `/reconciliations/${run.body.id}?limit=1e30`, `/webhooks/${hook.body.id}/deliveries?offset=9007199254740992`]) {
      expect([path, (await admin("get", path)).status]).toEqual([path, 400]);
    }
    const values = await admin("get", `/settings/idpsync/field-values?claimField=${"x".repeat(5000)}`);
    expect(values.status).toBe(200);
    expect(values.body).toEqual([]);
  });
});
