import request from "supertest";
import { createTokenService, type TokenService } from "../../src/auth/token-service";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * Verified tokens are cached in process (TOKEN_CACHE_TTL): a revocation takes effect at once on the
 * instance that made it and within the cache lifetime on the others; `last_used_at` is written at most
 * once a minute, off the request path. "Another instance" is a second token service on the same database.
 */

const SPC = "/scim/v2/ServiceProviderConfig";
const T0 = Date.parse("2030-01-01T00:00:00Z");

describe.each(testEngines())("token cache on %s", (engine) => {
  let b: TestBridge;
  let statements: string[] = [];
  let recording = false;
  beforeAll(async () => {
    b = await startTestBridge(engine, { observe: (sql) => recording && statements.push(sql) });
  });
  afterAll(async () => {
    await b.close();
  });

  /** A token service of its own (another instance) with a clock the test moves. */
  function instance(opts: { cacheTtlMs?: number } = {}): { tokens: TokenService; advance: (ms: number) => void } {
    let t = T0;
    const tokens = createTokenService(b.db, { now: () => new Date(t), ...opts });
    return { tokens, advance: (ms) => void (t += ms) };
  }

  async function lastUsed(name: string): Promise<Date | null | undefined> {
    return (await b.tokens.list()).find((t) => t.name === name)?.lastUsedAt;
  }

  /** The statements sent while `fn` runs, the token service's pending writes included. */
  async function recorded(fn: () => Promise<void>): Promise<string[]> {
    statements = [];
    recording = true;
    try {
      await fn();
      await b.tokens.flush();
    } finally {
      recording = false;
    }
    return statements;
  }

  it("sends no SQL for the token of a second request with it", async () => {
    const { token } = await b.tokens.create({ name: "round-trips", scope: "scim", origin: "cli", actor: "cli" });
    const first = await recorded(async () => {
      expect((await request(b.app).get(SPC).set("Authorization", `Bearer ${token}`)).status).toBe(200);
    });
    // The first asks the database (and records the first use), so the observer sees the token's SQL.
    expect(first.filter((sql) => /api_tokens/.test(sql))).toHaveLength(2);
    const second = await recorded(async () => {
      expect((await request(b.app).get(SPC).set("Authorization", `Bearer ${token}`)).status).toBe(200);
    });
    expect(second).toEqual([]);
  });

  it("refuses a revoked token at once on the instance that revoked it, and on another one after the cache lifetime", async () => {
    const made = await request(b.app).post("/api/v2/tokens").set("Authorization", `Bearer ${b.adminToken}`).send({ name: "cached-okta", scope: "scim" });
    expect(made.status).toBe(201);
    const secret: string = made.body.token;
    const other = instance({ cacheTtlMs: 10_000 });
    const uncached = instance({ cacheTtlMs: 0 });
    expect((await request(b.app).get(SPC).set("Authorization", `Bearer ${secret}`)).status).toBe(200);
    expect(await other.tokens.verify(secret)).toMatchObject({ tokenName: "cached-okta", scope: "scim" });
    expect(await uncached.tokens.verify(secret)).toMatchObject({ tokenName: "cached-okta" });

    expect((await request(b.app).delete("/api/v2/tokens/cached-okta").set("Authorization", `Bearer ${b.adminToken}`)).status).toBe(204);
    expect((await request(b.app).get(SPC).set("Authorization", `Bearer ${secret}`)).status).toBe(401);
    expect(await uncached.tokens.verify(secret)).toBeUndefined();
    // The other instance still trusts what it verified, for up to the cache lifetime.
    other.advance(9_999);
    expect(await other.tokens.verify(secret)).toMatchObject({ tokenName: "cached-okta" });
    other.advance(1);
    expect(await other.tokens.verify(secret)).toBeUndefined();
    await Promise.all([other.tokens.close(), uncached.tokens.close()]);
  });

  it("stops trusting its cache at once when a revocation is made through it, even of a token already revoked elsewhere", async () => {
    const { token } = await b.tokens.create({ name: "twice-revoked", scope: "scim", origin: "cli", actor: "cli" });
    const other = instance();
    expect(await other.tokens.verify(token)).toBeDefined();
    await b.tokens.revoke("twice-revoked", "cli");
    expect(await other.tokens.verify(token)).toBeDefined();
    expect((await other.tokens.revoke("twice-revoked", "cli")).revokedAt).not.toBeNull();
    expect(await other.tokens.verify(token)).toBeUndefined();
    await other.tokens.close();
  });

  it("refuses an env token replaced at start at once on the instance that replaced it", async () => {
    const a = instance();
    const oldSecret = "env-secret-one-0123456789abcdef";
    await a.tokens.syncEnvTokens({ scim: oldSecret, admin: undefined });
    expect(await a.tokens.verify(oldSecret)).toMatchObject({ tokenName: "env:BRIDGE_SCIM_TOKEN" });
    await a.tokens.syncEnvTokens({ scim: "env-secret-two-0123456789abcdef", admin: undefined });
    expect(await a.tokens.verify(oldSecret)).toBeUndefined();
    expect(await a.tokens.verify("env-secret-two-0123456789abcdef")).toBeDefined();
    await a.tokens.syncEnvTokens({ scim: undefined, admin: undefined });
    expect(await a.tokens.verify("env-secret-two-0123456789abcdef")).toBeUndefined();
    await a.tokens.close();
  });

  it("writes last_used_at at most once a minute per token, on every instance", async () => {
    const { token } = await b.tokens.create({ name: "minutely", scope: "scim", origin: "cli", actor: "cli" });
    const a = instance();
    const other = instance();
    expect(await lastUsed("minutely")).toBeNull();
    await a.tokens.verify(token);
    await a.tokens.flush();
    expect(await lastUsed("minutely")).toEqual(new Date(T0));

    // Within the minute nothing is written, whether the answer comes from the cache or the database.
    for (const step of [1_000, 20_000, 38_999]) {
      a.advance(step);
      await a.tokens.verify(token);
      await a.tokens.flush();
      expect(await lastUsed("minutely")).toEqual(new Date(T0));
    }
    other.advance(30_000);
    await other.tokens.verify(token);
    await other.tokens.flush();
    expect(await lastUsed("minutely")).toEqual(new Date(T0));

    a.advance(1); // a minute after the first use
    await a.tokens.verify(token);
    await a.tokens.flush();
    expect(await lastUsed("minutely")).toEqual(new Date(T0 + 60_000));
    await Promise.all([a.tokens.close(), other.tokens.close()]);
  });

  it("lands a pending last_used_at write when closed, and writes none after", async () => {
    const { token } = await b.tokens.create({ name: "closing", scope: "scim", origin: "cli", actor: "cli" });
    const a = instance();
    await a.tokens.verify(token);
    await a.tokens.close();
    expect(await lastUsed("closing")).toEqual(new Date(T0));
    a.advance(120_000);
    expect(await a.tokens.verify(token)).toBeDefined();
    await a.tokens.flush();
    expect(await lastUsed("closing")).toEqual(new Date(T0));
  });
});
