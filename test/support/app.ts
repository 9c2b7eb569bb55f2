import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import type { Express } from "express";
import { randomBytes } from "node:crypto";
import { buildBridge, type BridgeApp } from "../../src/app";
import type { BulkLimits } from "../../src/scim/capabilities";
import type { TrustProxy } from "../../src/config/trust-proxy";
import { createSecretBox, type SecretBox } from "../../src/events/secret-box";
import { createTokenService, type TokenService } from "../../src/auth/token-service";
import type { SessionServiceOptions } from "../../src/auth/session-service";
import { openDatabase, type Database, type StatementObserver } from "../../src/db/database";
import { migrate } from "../../src/db/migrate";
import { ensureDefaultOrganization } from "../../src/directory/bootstrap";
import { createLogger } from "../../src/log/logger";
import { openMigrated, type EngineName } from "./databases";
import { listenOnLoopback } from "./net";

/** A bridge app on a real, migrated database, with one token of each scope and captured logs. */
export interface TestBridge {
  app: Express;
  bridge: BridgeApp;
  secretBox: SecretBox;
  db: Database;
  tokens: TokenService;
  scimToken: string;
  adminToken: string;
  /** Everything the app logged so far (JSON lines). */
  logs(): string;
  close(): Promise<void>;
}

/** A PostgreSQL database the caller made (and cleans up), migrated here. */
async function openUrl(url: string, observe?: StatementObserver): Promise<{ db: Database; done: () => Promise<void> }> {
  const db = await openDatabase({ kind: "postgres", url, poolSize: 5, ...(observe ? { observe } : {}) });
  await migrate(db);
  return { db, done: () => db.close() };
}

export async function startTestBridge(engine: EngineName, opts: { bodyLimitBytes?: number; maxSuspendShare?: number; retryScheduleMs?: number[]; allowPrivateTargets?: boolean; rateLimit?: { limit: number; perMs: number }; signInRateLimit?: { limit: number; perMs: number }; databaseUrl?: string; runRetentionMs?: number; observe?: StatementObserver; bulk?: BulkLimits; trustProxy?: TrustProxy; sessions?: Partial<SessionServiceOptions> } = {}): Promise<TestBridge> {
  const { db, done } = opts.databaseUrl ? await openUrl(opts.databaseUrl, opts.observe) : await openMigrated(engine, opts.observe ? { observe: opts.observe } : {});
  await ensureDefaultOrganization(db);
  const tokens = createTokenService(db);
  const scimToken = (await tokens.create({ name: "test-scim", scope: "scim", origin: "cli", actor: "cli" })).token;
  const adminToken = (await tokens.create({ name: "test-admin", scope: "admin", origin: "cli", actor: "cli" })).token;
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
  const logger = createLogger({ level: "debug", format: "json", stream });
  const secretBox = createSecretBox(randomBytes(32));
  const bridge = buildBridge({
    db,
    tokens,
    logger,
    baseUrl: undefined,
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
    bodyLimitBytes: opts.bodyLimitBytes ?? 1024 * 1024,
    maxSuspendShare: opts.maxSuspendShare ?? 0.1,
    ...(opts.runRetentionMs !== undefined ? { runRetentionMs: opts.runRetentionMs } : {}),
    secretBox,
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    ...(opts.signInRateLimit ? { signInRateLimit: opts.signInRateLimit } : {}),
    ...(opts.bulk ? { bulk: opts.bulk } : {}),
    ...(opts.sessions ? { sessions: opts.sessions } : {}),
    // Tests deliver to listeners on loopback, with short retry delays.
    webhooks: { allowPrivateTargets: opts.allowPrivateTargets ?? true, timeoutMs: 2000, retryScheduleMs: opts.retryScheduleMs ?? [50, 100, 200], pollIntervalMs: 50, retentionMs: 30 * 86_400_000 },
  });
  const close = async () => {
    await bridge.close();
    await tokens.close();
    await done();
  };
  return { app: bridge.app, bridge, secretBox, db, tokens, scimToken, adminToken, logs: () => chunks.join(""), close };
}

/**
 * A test bridge listening on a loopback port, for clients that need a real address (the harness, the
 * CLI) or one base URL across requests (supertest would bind a new port per request).
 */
export interface ServedTestBridge {
  b: TestBridge;
  server: Server;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

export async function serveTestBridge(engine: EngineName, opts: Parameters<typeof startTestBridge>[1] = {}): Promise<ServedTestBridge> {
  const b = await startTestBridge(engine, opts);
  const server = await listenOnLoopback(b.app);
  return {
    b,
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((r) => server.close(r));
      await b.close();
    },
  };
}
