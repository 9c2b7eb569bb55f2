import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/** Every route, every kind of bad credential: 401 or 403 in the API's envelope, never a 2xx or 5xx. */

const SCIM_ROUTES: [string, string][] = [
  ["get", "/scim/v2/Users"], ["post", "/scim/v2/Users"], ["post", "/scim/v2/Users/.search"], ["get", "/scim/v2/Users/00000000-0000-4000-8000-000000000000"],
  ["put", "/scim/v2/Users/00000000-0000-4000-8000-000000000000"], ["patch", "/scim/v2/Users/00000000-0000-4000-8000-000000000000"], ["delete", "/scim/v2/Users/00000000-0000-4000-8000-000000000000"],
  ["get", "/scim/v2/Groups"], ["post", "/scim/v2/Groups"], ["get", "/scim/v2/ServiceProviderConfig"], ["get", "/scim/v2/Schemas"], ["get", "/scim/v2/ResourceTypes"],
  ["get", "/api/v2/scim/v2/Users"], ["get", "/SCIM/V2/Users"], ["get", "/scim/v2/%55sers"], ["get", "/scim/v2/x/../Users"], ["get", "/scim//v2/Users"], ["get", "/scim/v2/./Users"],
];
const ADMIN_ROUTES: [string, string][] = [
  ["get", "/api/v2/users"], ["get", "/api/v2/organizations"], ["post", "/api/v2/organizations"], ["get", "/api/v2/tokens"], ["post", "/api/v2/tokens"],
  ["get", "/api/v2/audit"], ["get", "/api/v2/settings/idpsync/organization"], ["patch", "/api/v2/settings/idpsync/organization"], ["post", "/api/v2/reconciliations"],
  ["get", "/api/v2/reconciliations"], ["post", "/api/v2/webhooks"], ["get", "/api/v2/webhooks"], ["get", "/API/V2/users"], ["get", "/api/v2/x/../users"], ["get", "/api/v2/%75sers"],
];

describe.each(testEngines())("authentication on every route on %s", (engine) => {
  let b: TestBridge;
  let revoked: string;
  beforeAll(async () => {
    b = await startTestBridge(engine);
    const t = await b.tokens.create({ name: "soon-revoked", scope: "scim", origin: "cli", actor: "cli" });
    revoked = t.token;
    await b.tokens.revoke("soon-revoked", "cli");
  });
  afterAll(async () => {
    await b.close();
  });

  const credentials = (): [string, Record<string, string>, number][] => [
    ["no token", {}, 401],
    ["an unknown token", { Authorization: "Bearer sbr_scim_0000000000000000000000000000000000000000" }, 401],
    ["a malformed header", { Authorization: "Bearer" }, 401],
    ["a Basic header", { Authorization: "Basic dXNlcjpwYXNz" }, 401],
    ["a revoked token", { Authorization: `Bearer ${revoked}` }, 401],
  ];

  it.each(SCIM_ROUTES)("%s %s refuses bad and wrong-scope credentials", async (method, path) => {
    for (const [, headers, status] of [...credentials(), ["an admin token", { Authorization: `Bearer ${b.adminToken}` }, 403] as [string, Record<string, string>, number]]) {
      const res = await request(b.app)[method as "get"](path).set(headers).send(method === "get" ? undefined : { schemas: [] });
      expect([path, res.status]).toEqual([path, status]);
      expect(res.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(status) });
      if (status === 401) expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
  });

  it.each(ADMIN_ROUTES)("%s %s refuses bad and wrong-scope credentials", async (method, path) => {
    for (const [, headers, status] of [...credentials(), ["a scim token", { Authorization: `Bearer ${b.scimToken}` }, 403] as [string, Record<string, string>, number]]) {
      const res = await request(b.app)[method as "get"](path).set(headers).send(method === "get" ? undefined : {});
      expect([path, res.status]).toEqual([path, status]);
      expect(res.body).toMatchObject({ message: expect.any(String) });
    }
  });

  it("encoded slashes and backslashes never reach a route", async () => {
    for (const path of ["/scim/v2/Users%2F..%2Ftokens", "/scim/v2%2FUsers", "/api/v2/users%5C..%5Ctokens"]) {
      const res = await request(b.app).get(path).set("Authorization", `Bearer ${b.scimToken}`);
      expect([path, res.status]).toEqual([path, 400]);
    }
  });

  it("never writes a token, valid or not, into the logs", async () => {
    const secrets = [b.scimToken, b.adminToken, revoked, "sbr_scim_0000000000000000000000000000000000000000"];
    const logs = b.logs();
    expect(logs.length).toBeGreaterThan(1000);
    for (const s of secrets) expect(logs).not.toContain(s);
    expect(logs).not.toContain(b.scimToken.slice(-20));
  });
});
