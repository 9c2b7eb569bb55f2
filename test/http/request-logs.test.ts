import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * What an admin reads in the log for each request: the route template (as in the metrics), why a 4xx
 * was refused and with which token, and the probes out of the way at `debug`. Also the challenge header
 * (`WWW-Authenticate`) only where RFC 6750 puts it: on a 401.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

interface RequestLine {
  level: string;
  message: string;
  method: string;
  route: string;
  path: string;
  status: number;
  tokenName?: string;
  scimType?: string;
  detail?: string;
}

describe.each(testEngines())("request logs on %s", (engine) => {
  let b: TestBridge;
  beforeEach(async () => {
    b = await startTestBridge(engine);
  });
  afterEach(async () => {
    await b.close();
  });

  const requestLines = (): RequestLine[] =>
    b
      .logs()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as RequestLine)
      .filter((l) => l.message === "request");
  const lineFor = (method: string, path: string, status?: number): RequestLine => {
    const found = requestLines().filter((l) => l.method === method && l.path === path && (status === undefined || l.status === status));
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it("logs a 4xx with its scimType, its detail and the token's name", async () => {
    const scim = (body: object) => request(b.app).post("/scim/v2/Users").set("Authorization", `Bearer ${b.scimToken}`).send(body);
    expect((await scim({ schemas: [USER], userName: "alice@corp.example" })).status).toBe(201);
    const again = await scim({ schemas: [USER], userName: "alice@corp.example" });
    expect(again.status).toBe(409);
    const conflict = requestLines().find((l) => l.status === 409)!;
    expect(conflict).toMatchObject({ level: "info", route: "/scim/v2/Users", scimType: "uniqueness", tokenName: "test-scim", detail: again.body.detail });

    // The admin API's errors carry no scimType; the detail is the message its client got.
    const missing = await request(b.app).delete("/api/v2/tokens/no-such-token").set("Authorization", `Bearer ${b.adminToken}`);
    expect(missing.status).toBe(404);
    const line = lineFor("DELETE", "/api/v2/tokens/no-such-token");
    expect(line).toMatchObject({ status: 404, route: "/api/v2/tokens/:token", tokenName: "test-admin", detail: missing.body.message });
    expect(line).not.toHaveProperty("scimType");

    // A token refused for its scope is named; a 2xx line has no detail.
    const wrongScope = await request(b.app).get("/api/v2/tokens").set("Authorization", `Bearer ${b.scimToken}`);
    expect(wrongScope.status).toBe(403);
    expect(requestLines().find((l) => l.status === 403)).toMatchObject({ tokenName: "test-scim", route: "/api/v2/*", detail: wrongScope.body.message });
    expect(requestLines().find((l) => l.status === 201)).not.toHaveProperty("detail");

    // A path refused before routing (a NUL in an id) is logged too, in SCIM's terms.
    const nul = await request(b.app).get("/scim/v2/Users/a%00b").set("Authorization", `Bearer ${b.scimToken}`);
    expect(nul.status).toBe(400);
    expect(requestLines().find((l) => l.status === 400)).toMatchObject({ route: "unmatched", scimType: "invalidValue", detail: nul.body.detail });
  });

  it("labels log lines and metrics with the route template, errors included (never a bare /tokens)", async () => {
    const admin = (m: "get" | "delete", p: string) => request(b.app)[m](p).set("Authorization", `Bearer ${b.adminToken}`);
    expect((await admin("get", "/api/v2/tokens")).status).toBe(200);
    // An error thrown by the route's handler travels back out of the routers before the response ends.
    expect((await admin("delete", "/api/v2/tokens/nope")).status).toBe(404);
    expect((await request(b.app).get("/api/v2/tokens")).status).toBe(401);
    expect((await request(b.app).get("/scim/v2/Users/x").set("Authorization", `Bearer ${b.scimToken}`)).status).toBe(404);

    expect(lineFor("GET", "/api/v2/tokens", 200).route).toBe("/api/v2/tokens");
    expect(lineFor("DELETE", "/api/v2/tokens/nope").route).toBe("/api/v2/tokens/:token");
    expect(lineFor("GET", "/scim/v2/Users/x").route).toMatch(/^\/scim\/v2\/Users\/:/);
    const unauthenticated = requestLines().find((l) => l.status === 401)!;
    expect(unauthenticated.route).toBe("/api/v2/*");

    const metrics = (await request(b.app).get("/metrics")).text;
    const routes = [...metrics.matchAll(/^bridge_http_requests_total\{[^}]*route="([^"]+)"/gm)].map((m) => m[1]!);
    expect(routes).toEqual(expect.arrayContaining(["/api/v2/tokens", "/api/v2/tokens/:token", "/api/v2/*"]));
    for (const route of routes) expect(route).toMatch(/^(\/scim\/v2|\/api\/v2|\/healthz$|\/readyz$|\/metrics$|unmatched$)/);
  });

  it("logs /healthz, /readyz and /metrics at debug, the APIs at info", async () => {
    for (const p of ["/healthz", "/readyz", "/metrics"]) {
      expect((await request(b.app).get(p)).status).toBe(200);
      expect(lineFor("GET", p)).toMatchObject({ level: "debug", route: p });
    }
    await request(b.app).get("/api/v2/tokens").set("Authorization", `Bearer ${b.adminToken}`);
    expect(lineFor("GET", "/api/v2/tokens").level).toBe("info");
  });

  it("sends WWW-Authenticate on a 401 only", async () => {
    for (const api of [
      { path: "/scim/v2/Users", token: b.scimToken, other: b.adminToken },
      { path: "/api/v2/tokens", token: b.adminToken, other: b.scimToken },
    ]) {
      const none = await request(b.app).get(api.path);
      expect(none.status).toBe(401);
      expect(none.headers["www-authenticate"]).toBe('Bearer realm="scim-bridge"');
      const bad = await request(b.app).get(api.path).set("Authorization", "Bearer not-a-token");
      expect(bad.status).toBe(401);
      expect(bad.headers["www-authenticate"]).toBe('Bearer realm="scim-bridge"');
      const ok = await request(b.app).get(api.path).set("Authorization", `Bearer ${api.token}`);
      expect(ok.status).toBe(200);
      expect(ok.headers).not.toHaveProperty("www-authenticate");
      const forbidden = await request(b.app).get(api.path).set("Authorization", `Bearer ${api.other}`);
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers).not.toHaveProperty("www-authenticate");
    }
    expect((await request(b.app).get("/healthz")).headers).not.toHaveProperty("www-authenticate");
  });
});
