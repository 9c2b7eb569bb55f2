import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { SCIM_ERROR_SCHEMA } from "../../src/scim/errors";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/** A POST with no Content-Type header at all (as Okta sometimes sends). */
async function rawPost(b: TestBridge, path: string, body: string): Promise<{ status: number; body: string }> {
  const server = b.app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port, path, method: "POST", headers: { Authorization: `Bearer ${b.scimToken}`, "Content-Length": Buffer.byteLength(body) } },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  } finally {
    server.close();
  }
}

describe.each(testEngines())("HTTP shell on %s", (engine) => {
  let b: TestBridge;
  let auth: [string, string];
  beforeAll(async () => {
    b = await startTestBridge(engine, { bodyLimitBytes: 2048 });
    auth = ["Authorization", `Bearer ${b.scimToken}`];
  });
  afterAll(async () => {
    await b.close();
  });

  it("reports liveness and readiness without a token", async () => {
    expect((await request(b.app).get("/healthz")).body).toEqual({ status: "ok" });
    expect((await request(b.app).get("/readyz")).body).toEqual({ status: "ready", database: engine });
  });

  it("gives every response a request id, echoing a sane one from the caller", async () => {
    const own = await request(b.app).get("/healthz").set("X-Request-Id", "abc-123");
    expect(own.headers["x-request-id"]).toBe("abc-123");
    const made = await request(b.app).get("/healthz").set("X-Request-Id", "bad id with spaces");
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("exposes Prometheus metrics by route pattern and status", async () => {
    await request(b.app).get("/scim/v2/ServiceProviderConfig").set(...auth);
    const res = await request(b.app).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/bridge_http_requests_total\{method="GET",route="\/scim\/v2\/ServiceProviderConfig",status="200"\} \d+/);
    expect(res.text).toContain("bridge_http_request_duration_seconds_bucket");
  });

  it("states only what is implemented in ServiceProviderConfig", async () => {
    const res = await request(b.app).get("/scim/v2/ServiceProviderConfig").set(...auth);
    expect(res.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 10 * 1024 * 1024 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [expect.objectContaining({ type: "oauthbearertoken" })],
    });
  });

  it("answers a SCIM 404 error for what the SCIM API does not serve", async () => {
    const res = await request(b.app).get("/scim/v2/Nope").set(...auth);
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: "404", detail: "GET /scim/v2/Nope is not served here" });
  });

  it("answers malformed JSON with 400 invalidSyntax", async () => {
    const res = await request(b.app).post("/scim/v2/Users").set(...auth).set("Content-Type", "application/scim+json").send('{"userName": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: "400", scimType: "invalidSyntax", detail: "request body is not valid JSON" });
  });

  it("answers an oversized body with 413 in the SCIM format", async () => {
    const res = await request(b.app).post("/scim/v2/Users").set(...auth).set("Content-Type", "application/json").send({ userName: "x".repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: "413", detail: "request body must not exceed 2048 bytes" });
  });

  it("refuses a body that is not JSON with 415, and reads one sent without a Content-Type as JSON", async () => {
    const res = await request(b.app).post("/scim/v2/Users").set(...auth).set("Content-Type", "text/plain").send("userName=x");
    expect(res.status).toBe(415);
    expect(res.body.detail).toMatch(/text\/plain is not accepted/);
    // superagent always adds a Content-Type, so this request goes out through node:http.
    const bare = await rawPost(b, "/scim/v2/Users", "{not json");
    expect(bare.status).toBe(400);
    expect(JSON.parse(bare.body)).toMatchObject({ scimType: "invalidSyntax" });
  });

  it("answers admin API errors in Coder's shape", async () => {
    const res = await request(b.app).get("/api/v2/nope").set("Authorization", `Bearer ${b.adminToken}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "GET /api/v2/nope is not served here" });
  });

  it("refuses ambiguous paths with 400", async () => {
    expect((await request(b.app).get("/scim/v2/Users/%2F..").set(...auth)).status).toBe(400);
  });
});
