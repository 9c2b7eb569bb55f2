import { randomUUID } from "node:crypto";
import request from "supertest";
import type { TrustProxy } from "../../src/config/trust-proxy";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * TRUST_PROXY decides whose X-Forwarded-For/-Proto/-Host the bridge believes: the client address in
 * the request log, the scheme and host of the URLs it writes, and whether the HTTPS-only security
 * headers go out. supertest connects from loopback, so `loopback` trusts it and `10.0.0.0/8` doesn't.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

interface Seen {
  location: string;
  clientIp: unknown;
  hsts: string | undefined;
  csp: string;
}

/** Creates a user with the given forwarding headers; what a user of the bridge sees of it. */
async function createThrough(b: TestBridge, headers: Record<string, string>): Promise<Seen> {
  const requestId = randomUUID();
  const res = await request(b.app)
    .post("/scim/v2/Users")
    .set("Authorization", `Bearer ${b.scimToken}`)
    .set("X-Request-Id", requestId)
    .set(headers)
    .send({ schemas: [USER], userName: `u-${requestId}` });
  expect(res.status).toBe(201);
  expect(res.body.meta.location).toBe(res.headers.location);
  const line = b
    .logs()
    .split("\n")
    .filter((l) => l.includes(requestId))
    .map((l) => JSON.parse(l) as { message?: string; clientIp?: unknown })
    .find((e) => e.message === "request");
  return { location: String(res.headers.location), clientIp: line?.clientIp, hsts: res.headers["strict-transport-security"], csp: String(res.headers["content-security-policy"]) };
}

const forwarded = { "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "scim.example.com" };
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$/;

describe.each(testEngines())("behind a proxy on %s", (engine) => {
  // One bridge per TRUST_PROXY setting, started before the tests (a start is slow on a loaded machine).
  const settings = { none: undefined, elsewhere: ["10.0.0.0/8"], loopback: ["loopback"], listed: ["127.0.0.1", "10.0.0.0/8"], oneHop: 1 } satisfies Record<string, TrustProxy | undefined>;
  const bridges = new Map<keyof typeof settings, TestBridge>();
  const bridge = (name: keyof typeof settings): TestBridge => bridges.get(name)!;
  beforeAll(async () => {
    for (const [name, trustProxy] of Object.entries(settings) as [keyof typeof settings, TrustProxy | undefined][]) {
      bridges.set(name, await startTestBridge(engine, trustProxy === undefined ? {} : { trustProxy }));
    }
  }, 180_000);
  afterAll(async () => {
    for (const b of bridges.values()) await b.close();
  });

  it("ignores X-Forwarded-* by default: the client is the TCP peer, URLs use the request's own scheme and host, no HTTPS-only headers", async () => {
    const seen = await createThrough(bridge("none"), forwarded);
    expect(seen.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
    expect(seen.clientIp).toMatch(LOOPBACK);
    expect(seen.hsts).toBeUndefined();
    expect(seen.csp).not.toContain("upgrade-insecure-requests");
    // The other helmet headers stay.
    expect(seen.csp).toContain("default-src 'self'");
  });

  it("ignores X-Forwarded-* from a peer outside the trusted proxies", async () => {
    const seen = await createThrough(bridge("elsewhere"), forwarded);
    expect(seen.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(seen.clientIp).toMatch(LOOPBACK);
    expect(seen.hsts).toBeUndefined();
  });

  it("honours X-Forwarded-* from a trusted proxy: the forwarded client, https URLs on the public host, HSTS and upgrade-insecure-requests", async () => {
    const b = bridge("loopback");
    const seen = await createThrough(b, forwarded);
    expect(seen.location).toMatch(/^https:\/\/scim\.example\.com\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
    expect(seen.clientIp).toBe("203.0.113.7");
    expect(seen.hsts).toMatch(/^max-age=\d+/);
    expect(seen.csp).toContain("upgrade-insecure-requests");

    // The same proxy forwarding a plain-HTTP request: no HTTPS-only headers.
    const plain = await createThrough(b, { "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "http" });
    expect(plain.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(plain.hsts).toBeUndefined();
    expect(plain.csp).not.toContain("upgrade-insecure-requests");
  });

  it("takes the client from the first untrusted hop, so a client can't choose its logged address by sending X-Forwarded-For itself", async () => {
    expect((await createThrough(bridge("listed"), { "X-Forwarded-For": "198.51.100.66, 203.0.113.7, 10.1.2.3" })).clientIp).toBe("203.0.113.7");
    expect((await createThrough(bridge("oneHop"), { "X-Forwarded-For": "198.51.100.66, 203.0.113.7" })).clientIp).toBe("203.0.113.7");
  });

  it("sends the HTTPS-only headers on every route, health checks included, only over HTTPS", async () => {
    const b = bridge("loopback");
    const overHttps = await request(b.app).get("/healthz").set("X-Forwarded-Proto", "https");
    expect(overHttps.headers["strict-transport-security"]).toMatch(/^max-age=/);
    const overHttp = await request(b.app).get("/healthz");
    expect(overHttp.headers["strict-transport-security"]).toBeUndefined();
    expect(overHttp.headers["x-content-type-options"]).toBe("nosniff");
  });
});
