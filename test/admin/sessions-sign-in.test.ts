import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * Sign-in (`POST /api/v2/sessions`) is limited per client address, and refused when the browser says
 * it comes from another site: the checks a credential-less route needs, as a client sees them. The
 * clients' addresses come from X-Forwarded-For (the test trusts its loopback proxy).
 */

describe.each(testEngines())("admin API sign-in on %s", (engine) => {
  let b: TestBridge;

  beforeAll(async () => {
    b = await startTestBridge(engine, { trustProxy: ["loopback"], signInRateLimit: { limit: 3, perMs: 60_000 } });
  });
  afterAll(async () => {
    await b.close();
  });

  const signIn = (from: string, token: string, headers: Record<string, string> = {}) => {
    let req = request(b.app).post("/api/v2/sessions").set("X-Forwarded-For", from);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    return req.send({ token });
  };

  it("limits attempts per client address, successful or not: 429 with Retry-After, no cookie", async () => {
    expect((await signIn("203.0.113.1", b.adminToken)).status).toBe(201);
    expect((await signIn("203.0.113.1", "sb_admin_guess1")).status).toBe(401);
    expect((await signIn("203.0.113.1", "sb_admin_guess2")).status).toBe(401);
    const refused = await signIn("203.0.113.1", b.adminToken);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Object.keys(refused.body as object)).toEqual(["message"]);
    expect((refused.body as { message: string }).message).toMatch(/too many/);
    expect(refused.headers["set-cookie"]).toBeUndefined();
    // Another address is not affected, nor is the API for a client with a token.
    expect((await signIn("203.0.113.2", b.adminToken)).status).toBe(201);
    expect((await request(b.app).get("/api/v2/sessions/current").set("X-Forwarded-For", "203.0.113.1").set("Authorization", `Bearer ${b.adminToken}`)).status).toBe(200);
  });

  it("refuses a sign-in from another site (Sec-Fetch-Site or Origin): 403, no cookie, and not counted", async () => {
    for (let i = 0; i < 4; i++) {
      const crossSite = await signIn("203.0.113.3", b.adminToken, { "Sec-Fetch-Site": "cross-site" });
      expect(crossSite.status).toBe(403);
      expect((crossSite.body as { message: string }).message).toMatch(/cross-site/);
      expect(crossSite.headers["set-cookie"]).toBeUndefined();
      const foreign = await signIn("203.0.113.3", b.adminToken, { Host: "bridge.example", Origin: "https://evil.example" });
      expect(foreign.status).toBe(403);
      expect((foreign.body as { message: string }).message).toMatch(/cross-origin/);
      expect(foreign.headers["set-cookie"]).toBeUndefined();
    }
    // The same origin (or a client that says nothing, like curl) signs in; the refusals used none of its attempts.
    expect((await signIn("203.0.113.3", b.adminToken, { Host: "bridge.example", Origin: "http://bridge.example", "Sec-Fetch-Site": "same-origin" })).status).toBe(201);
    expect((await signIn("203.0.113.3", b.adminToken)).status).toBe(201);
  });
});
