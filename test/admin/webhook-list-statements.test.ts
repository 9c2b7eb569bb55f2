import request from "supertest";
import { startTestBridge, type TestBridge } from "../support/app";
import { testEngines } from "../support/databases";

/**
 * GET /api/v2/webhooks answers every endpoint with its health (queued and failed deliveries, the last
 * failed attempt): in the same number of statements for one endpoint as for many, never a query per
 * endpoint.
 */

describe.each(testEngines())("the webhooks list's statements on %s", (engine) => {
  let b: TestBridge;
  let statements: string[] | undefined;
  const api = (m: "get" | "post", p: string) => request(b.app)[m](`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine, { observe: (text) => statements?.push(text) });
  });
  afterAll(async () => {
    await b.close();
  });

  /** The statements of one GET /webhooks, and the endpoints it listed. */
  async function list(): Promise<{ statements: string[]; count: number }> {
    statements = [];
    const res = await api("get", "/webhooks");
    const seen = statements;
    statements = undefined;
    expect(res.status).toBe(200);
    return { statements: seen, count: res.body.webhooks.length };
  }

  it("is as many statements for 6 endpoints as for 1", async () => {
    const add = async (n: number) => expect((await api("post", "/webhooks").send({ url: `http://127.0.0.1:9/hook-${n}` })).status).toBe(201);
    await add(0);
    await list(); // warms the admin token's cache
    await b.tokens.flush(); // its last-use write runs off the request path: not what is counted
    const one = await list();
    for (let n = 1; n < 6; n++) await add(n);
    const six = await list();
    expect([one.count, six.count]).toEqual([1, 6]);
    expect(six.statements.length).toBe(one.statements.length);
    expect(six.statements.length).toBeLessThanOrEqual(3);
  });
});
