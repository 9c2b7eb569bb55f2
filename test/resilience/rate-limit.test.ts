import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

describe.each(testEngines())("rate limiting on %s", (engine) => {
  let b: TestBridge;
  beforeAll(async () => {
    b = await startTestBridge(engine, { rateLimit: { limit: 5, perMs: 60_000 } });
  });
  afterAll(async () => {
    await b.close();
  });

  it("answers 429 with an integer Retry-After over the rate, per token, in each API's envelope", async () => {
    const scim = () => request(b.app).get("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`);
    for (let i = 0; i < 5; i++) expect((await scim()).status).toBe(200);
    const limited = await scim();
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toMatch(/^\d+$/);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(12);
    expect(limited.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(limited.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429", detail: expect.stringMatching(/too many requests/) });

    // The admin token has its own bucket; over it, Coder's error shape.
    const admin = () => request(b.app).get("/api/v2/users").set("Authorization", `Bearer ${b.adminToken}`);
    for (let i = 0; i < 5; i++) expect((await admin()).status).toBe(200);
    const adminLimited = await admin();
    expect(adminLimited.status).toBe(429);
    expect(adminLimited.headers["retry-after"]).toMatch(/^\d+$/);
    expect(adminLimited.body).toMatchObject({ message: expect.stringMatching(/too many requests/) });
    // Health and readiness are never limited.
    expect((await request(b.app).get("/healthz")).status).toBe(200);
  });
});
