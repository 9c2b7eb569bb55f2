import { randomBytes } from "node:crypto";
import request from "supertest";
import { buildBridge, type BridgeApp } from "../../src/app";
import { createTokenService, type TokenService } from "../../src/auth/token-service";
import { openDatabase, type Database } from "../../src/db/database";
import { createSecretBox } from "../../src/events/secret-box";
import { createLogger } from "../../src/log/logger";
import { migratedDatabase, testEngines, type TestDatabase } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * Two bridge instances on one PostgreSQL (each with its own caches): a session made on one works on
 * the other, and a token revoked on one ends its sessions on the other within TOKEN_CACHE_TTL.
 */

const engines = testEngines().filter((e) => e === "postgres");
const describeIf = engines.length > 0 ? describe : describe.skip;

describeIf("admin sessions across instances on postgres", () => {
  let t: TestDatabase;
  let a: TestBridge;
  let db2: Database;
  let tokens2: TokenService;
  let b: BridgeApp;
  let clock = Date.parse("2026-12-03T10:00:00Z");

  beforeAll(async () => {
    t = await migratedDatabase("postgres");
    if (t.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    a = await startTestBridge("postgres", { databaseUrl: t.target.url });
    db2 = await openDatabase({ kind: "postgres", url: t.target.url, poolSize: 2 });
    tokens2 = createTokenService(db2, { cacheTtlMs: 10_000 });
    b = buildBridge({
      db: db2,
      tokens: tokens2,
      logger: createLogger({ level: "error", format: "json" }),
      baseUrl: undefined,
      bodyLimitBytes: 1024 * 1024,
      secretBox: createSecretBox(randomBytes(32)),
      webhooks: { allowPrivateTargets: true, timeoutMs: 2000, retryScheduleMs: [50], pollIntervalMs: 50, retentionMs: 86_400_000 },
      sessions: { now: () => new Date(clock), cacheTtlMs: 10_000 },
    });
  });
  afterAll(async () => {
    await b.close();
    await tokens2.close();
    await db2.close();
    await a.close();
    await t.cleanup();
  });

  it("a session made on one instance works on the other until its token is revoked there", async () => {
    const made = await request(a.app).post("/api/v2/tokens").set("Authorization", `Bearer ${a.adminToken}`).send({ name: "console", scope: "admin" });
    expect(made.status).toBe(201);
    const signed = await request(a.app).post("/api/v2/sessions").send({ token: (made.body as { token: string }).token });
    expect(signed.status).toBe(201);
    const cookie = (signed.headers["set-cookie"] as unknown as string[])[0]!.split(";")[0]!;
    const onB = () => request(b.app).get("/api/v2/sessions/current").set("Cookie", cookie);
    expect((await onB()).body).toMatchObject({ token_name: "console", via: "session" });

    expect((await request(a.app).delete("/api/v2/tokens/console").set("Authorization", `Bearer ${a.adminToken}`)).status).toBe(204);
    // Refused at once where it was revoked; on the other instance once its cache lifetime has passed.
    expect((await request(a.app).get("/api/v2/sessions/current").set("Cookie", cookie)).status).toBe(401);
    clock += 10_001;
    expect((await onB()).status).toBe(401);
  });
});
