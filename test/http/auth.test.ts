import request from "supertest";
import { SCIM_ERROR_SCHEMA } from "../../src/scim/errors";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const SPC = "/scim/v2/ServiceProviderConfig";

describe.each(testEngines())("authentication on %s", (engine) => {
  let b: TestBridge;
  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  function expectScimError(res: request.Response, status: number, detail?: RegExp): void {
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: String(status) });
    if (detail) expect(res.body.detail).toMatch(detail);
  }

  it("serves the SCIM API to a scim token, with any capitalisation of the Bearer scheme", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const res = await request(b.app).get(SPC).set("Authorization", `${scheme} ${b.scimToken}`);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    }
  });

  it("answers 401 with a SCIM error and a challenge when the token is missing, unknown or malformed", async () => {
    const missing = await request(b.app).get(SPC);
    expectScimError(missing, 401, /missing bearer token/);
    expect(missing.headers["www-authenticate"]).toBe('Bearer realm="scim-bridge"');
    expectScimError(await request(b.app).get(SPC).set("Authorization", "Bearer sb_scim_nope"), 401, /invalid or revoked/);
    expectScimError(await request(b.app).get(SPC).set("Authorization", `Basic ${b.scimToken}`), 401);
    expectScimError(await request(b.app).get(SPC).set("Authorization", b.scimToken), 401);
  });

  it("answers 403 to a token of the wrong scope on both APIs", async () => {
    expectScimError(await request(b.app).get(SPC).set("Authorization", `Bearer ${b.adminToken}`), 403, /scope "scim"/);
    const admin = await request(b.app).get("/api/v2/tokens").set("Authorization", `Bearer ${b.scimToken}`);
    expect(admin.status).toBe(403);
    expect(admin.body).toEqual({ message: expect.stringMatching(/scope "admin"/) });
  });

  it.each([
    "/scim/v2/%53erviceProviderConfig",
    "/scim/v2/x/../ServiceProviderConfig",
    "//scim//v2/ServiceProviderConfig",
    "/SCIM/V2/ServiceProviderConfig",
    "/healthz/../scim/v2/ServiceProviderConfig",
    "/api/v2/scim/v2/ServiceProviderConfig",
    "/api/v2/scim/v2/%53erviceProviderConfig",
  ])("does not let %s past authentication, and serves it with a token", async (path) => {
    expectScimError(await request(b.app).get(path), 401);
    expectScimError(await request(b.app).get(path).set("Authorization", `Bearer ${b.adminToken}`), 403);
    expect((await request(b.app).get(path).set("Authorization", `Bearer ${b.scimToken}`)).status).toBe(200);
  });

  it("refuses tokens in the URL, even valid ones", async () => {
    expectScimError(await request(b.app).get(`${SPC}?access_token=${b.scimToken}`), 401, /not accepted/);
  });

  it("accepts Coder's Coder-Session-Token header on the admin API only", async () => {
    const res = await request(b.app).get("/api/v2/tokens").set("Coder-Session-Token", b.adminToken);
    expect(res.status).toBe(200);
    expectScimError(await request(b.app).get(SPC).set("Coder-Session-Token", b.scimToken), 401);
    const bad = await request(b.app).get("/api/v2/tokens").set("Coder-Session-Token", "nope");
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ message: "invalid or revoked token" });
  });

  it("creates a token through the admin API, shows its secret once, and revoking it stops it at once", async () => {
    const created = await request(b.app)
      .post("/api/v2/tokens")
      .set("Authorization", `Bearer ${b.adminToken}`)
      .send({ name: "okta-prod", scope: "scim" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "okta-prod", scope: "scim", origin: "api", revoked_at: null });
    const secret: string = created.body.token;
    expect(secret).toMatch(/^sb_scim_/);
    expect((await request(b.app).get(SPC).set("Authorization", `Bearer ${secret}`)).status).toBe(200);
    // The last use is recorded off the request path: wait for it rather than race it.
    await b.tokens.flush();

    const list = await request(b.app).get("/api/v2/tokens").set("Authorization", `Bearer ${b.adminToken}`);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(list.body.find((t: { name: string }) => t.name === "okta-prod")).toMatchObject({ hint: `${secret.slice(0, 12)}…` });
    expect(list.body.find((t: { name: string }) => t.name === "okta-prod").last_used_at).not.toBeNull();

    const dup = await request(b.app).post("/api/v2/tokens").set("Authorization", `Bearer ${b.adminToken}`).send({ name: "okta-prod", scope: "scim" });
    expect(dup.status).toBe(409);

    const revoked = await request(b.app).delete("/api/v2/tokens/okta-prod").set("Authorization", `Bearer ${b.adminToken}`);
    expect(revoked.status).toBe(204);
    expectScimError(await request(b.app).get(SPC).set("Authorization", `Bearer ${secret}`), 401, /invalid or revoked/);
    expect((await request(b.app).delete("/api/v2/tokens/no-such").set("Authorization", `Bearer ${b.adminToken}`)).status).toBe(404);
  });

  it("answers invalid token requests with Coder-style validations", async () => {
    const res = await request(b.app).post("/api/v2/tokens").set("Authorization", `Bearer ${b.adminToken}`).send({ name: "", scope: "root" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: "Validation failed.",
      validations: [
        { field: "name", detail: "name is required" },
        { field: "scope", detail: "scope must be one of scim, admin" },
      ],
    });
  });

  it("never writes a token into the logs", async () => {
    await request(b.app).get(SPC).set("Authorization", `Bearer ${b.scimToken}`);
    await request(b.app).get(`${SPC}?access_token=${b.adminToken}`);
    await request(b.app).get("/api/v2/tokens").set("Coder-Session-Token", b.adminToken);
    const logs = b.logs();
    expect(logs).toContain('"path":"/scim/v2/ServiceProviderConfig"');
    expect(logs).toContain('"tokenName":"test-scim"');
    expect(logs).not.toContain(b.scimToken);
    expect(logs).not.toContain(b.adminToken);
  });
});
