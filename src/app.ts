import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express, { type Express, type RequestHandler } from "express";
import { buildOpenApiDocument, type OpenApiDocument } from "./admin/openapi/document";
import { ADMIN_ROUTES, adminRouter } from "./admin/router";
import { createAuth } from "./auth/middleware";
import { createTokenService, DEFAULT_TOKEN_CACHE_TTL_MS, type TokenService } from "./auth/token-service";
import { createSessionService, type SessionService, type SessionServiceOptions } from "./auth/session-service";
import type { Config } from "./config/config";
import type { TrustProxy } from "./config/trust-proxy";
import type { Database } from "./db/database";
import { noteLockAddress } from "./db/embedded-lock";
import { startEmbeddedUpkeep } from "./db/embedded-upkeep";
import { createAdminAudit } from "./directory/admin-audit";
import { createAdminGroups } from "./directory/admin-groups";
import { createAdminOrganizations } from "./directory/admin-organizations";
import { createAdminUsers } from "./directory/admin-users";
import { createUserGrants } from "./directory/grants";
import { ensureDefaultOrganization } from "./directory/bootstrap";
import { createGroupService } from "./directory/groups/group-service";
import { createUserService } from "./directory/users/user-service";
import { createRootSearch } from "./directory/root-search";
import { createNameCollisions } from "./directory/name-collisions";
import { createOverview } from "./directory/overview";
import { createSyncSettings } from "./sync/settings-service";
import { baseUrlResolver } from "./http/base-url";
import { jsonBody } from "./http/body";
import { errorHandler, markProtocol, notFound } from "./http/errors";
import { normalizePathMiddleware } from "./http/normalize-path";
import { attemptLimiter, rateLimiter } from "./http/rate-limit";
import { securityHeaders } from "./http/security-headers";
import { consoleRouter } from "./http/console";
import { createMetrics, requestContext, type Metrics } from "./http/observability";
import type { Logger } from "./log/logger";
import { createBridgeMetrics } from "./metrics/bridge-metrics";
import { scimRouter } from "./scim/router";
import { DEFAULT_BULK_LIMITS, type BulkLimits } from "./scim/capabilities";
import { ScimError } from "./scim/errors";
import { createDispatcher, type Dispatcher } from "./events/dispatcher";
import { createSecretBox, encryptionKey, type SecretBox } from "./events/secret-box";
import { createWebhookService } from "./events/webhook-service";
import { createEventFeed, rebaseFeedAfterRestore } from "./events/feed";
import { createReconciliationService, type ReconciliationService } from "./reconcile/service";
import { dataDirFailure, listenFailure } from "./startup/errors";
import { openForProcess } from "./startup/open-database";
import { assertPortFree } from "./startup/port";
import { missingTokenWarnings } from "./startup/token-warnings";

// The CLI's direct mode and the tests open the database as `serve` does.
export { databaseTarget, openForProcess } from "./startup/open-database";

/**
 * The composition root: the one place that builds repositories → services → routers and hands each
 * exactly what it uses. Nothing else reads configuration or creates long-lived objects.
 */

export interface AppDeps {
  db: Database;
  tokens: TokenService;
  logger: Logger;
  metrics?: Metrics;
  baseUrl: string | undefined;
  /** TRUST_PROXY: whose X-Forwarded-* headers set the client address, scheme and host (default: nobody's). */
  trustProxy?: TrustProxy;
  bodyLimitBytes: number;
  /** The body limit of `POST /api/v2/reconciliations` (an import carries the whole export). */
  importBodyLimitBytes?: number;
  /** Largest share of active users one import may suspend without `allow_mass_suspend`. */
  maxSuspendShare?: number;
  /** RUN_RETENTION: finished reconciliation runs older than this are deleted (default 90 days). */
  runRetentionMs?: number;
  /** Encrypts webhook signing secrets at rest. */
  secretBox: SecretBox;
  webhooks: Config["webhooks"];
  /** Requests per token before 429; undefined: unlimited. */
  rateLimit?: Config["rateLimit"];
  /** Sign-in attempts (`POST /api/v2/sessions`) per client address before 429; undefined: unlimited. */
  signInRateLimit?: Config["signInRateLimit"];
  /** `POST /scim/v2/Bulk`'s limits (its body limit is its own, maxPayloadSize); default 1,000 operations, 10 MiB. */
  bulk?: BulkLimits;
  /** The built admin console (dist/console), served at /admin/; undefined: /admin/ says it is not built. */
  consoleDir?: string;
  /** Browser sessions' lifetimes (SESSION_MAX_AGE, SESSION_IDLE_TIMEOUT; default 12h, 30m), cache lifetime (TOKEN_CACHE_TTL) and clock. */
  sessions?: Partial<SessionServiceOptions>;
}

/** The HTTP app and what must be stopped before the database closes (reconciliation runs). */
export interface BridgeApp {
  app: Express;
  reconciliations: ReconciliationService;
  /** Not started here: `startBridge` starts it (tests drive it with `tick()` or start it themselves). */
  dispatcher: Dispatcher;
  /** Browser sign-in sessions; `startBridge` prunes the ended ones hourly. */
  sessions: SessionService;
  close(): Promise<void>;
}

/** Runs body-parsing middleware in turn, as one. */
function chain(handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    const step = (i: number, err?: unknown): void => {
      if (err !== undefined || i === handlers.length) return next(err);
      handlers[i]!(req, res, (e?: unknown) => step(i + 1, e));
    };
    step(0);
  };
}

/** Reconciliations carry whole exports: their body limit is the import limit, the rest keep theirs. */
function adminBody(deps: AppDeps): RequestHandler {
  const normalChain = chain(jsonBody(deps.bodyLimitBytes, "admin"));
  // An import's `data` is checked record by record by the export parser: one bad record is one error line.
  const largeChain = chain(jsonBody(deps.importBodyLimitBytes ?? 100 * 1024 * 1024, "admin", { uncheckedBodyKeys: ["data"] }));
  return (req, res, next) => (req.method === "POST" && /^\/reconciliations\/?$/.test(req.path) ? largeChain : normalChain)(req, res, next);
}

/**
 * A Bulk request's body limit is maxPayloadSize (RFC 7644 §3.7.4: 1,000 Entra-shaped creates are
 * over BODY_LIMIT), answered 413 `tooLarge` past it; the rest keep BODY_LIMIT. Each operation's strings
 * are checked by the Bulk parser, so that one unstorable value fails its operation only.
 */
function scimBody(deps: AppDeps, bulk: BulkLimits): RequestHandler {
  const normalChain = chain(jsonBody(deps.bodyLimitBytes, "scim"));
  const bulkChain = chain(jsonBody(bulk.maxPayloadBytes, "scim", { uncheckedBodyKeys: ["Operations"] }));
  const tooLarge = (err: unknown) => err !== null && typeof err === "object" && (err as { type?: unknown }).type === "entity.too.large";
  const bulkBody: RequestHandler = (req, res, next) =>
    bulkChain(req, res, (err?: unknown) =>
      next(tooLarge(err) ? new ScimError(413, `the request body exceeds maxPayloadSize (${bulk.maxPayloadBytes} bytes): split it into several Bulk requests`, "tooLarge") : err),
    );
  return (req, res, next) => (req.method === "POST" && /^\/bulk\/?$/i.test(req.path) ? bulkBody : normalChain)(req, res, next);
}

/** The SCIM service is mounted at both paths: `/scim/v2` and the seed documents' `/api/v2/scim/v2`. */
export const SCIM_MOUNTS = ["/scim/v2", "/api/v2/scim/v2"] as const;

/** Where the admin API's OpenAPI document is served, under `/api/v2`. */
export const OPENAPI_PATH = "/openapi.json";

export function buildApp(deps: AppDeps): Express {
  return buildBridge(deps).app;
}

export function buildBridge(deps: AppDeps): BridgeApp {
  const metrics = deps.metrics ?? createMetrics();
  // The bridge's own metrics on the same registry: each layer below gets the observer it reports to.
  const observe = createBridgeMetrics(metrics.registry, { db: deps.db, logger: deps.logger });
  const app = express();
  app.disable("x-powered-by");
  // SCIM ETags are meta.version, set by the SCIM layer; Express's body-hash ETags would contradict them.
  app.set("etag", false);
  app.set("query parser", "simple");
  // req.ip, req.protocol, req.secure and req.host (logs, base URLs, security headers) follow it.
  app.set("trust proxy", deps.trustProxy ?? false);

  // First, so that a path refused by normalisation is logged and counted too.
  app.use(requestContext({ logger: deps.logger, metrics }));
  app.use(normalizePathMiddleware());
  app.use(securityHeaders());

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await deps.db.ping();
      res.json({ status: "ready", database: deps.db.kind });
    } catch {
      res.status(503).json({ status: "unavailable", database: deps.db.kind });
    }
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const sessions = createSessionService(deps.db, deps.tokens, {
    maxAgeMs: 12 * 3_600_000,
    idleTimeoutMs: 30 * 60_000,
    cacheTtlMs: DEFAULT_TOKEN_CACHE_TTL_MS,
    logger: deps.logger,
    ...deps.sessions,
  });
  const requireScope = createAuth(deps.tokens, sessions);
  // One limiter for both APIs: the buckets are per token.
  const limit = rateLimiter(deps.rateLimit);
  const users = createUserService(deps.db, observe.sync);
  const groups = createGroupService(deps.db, observe.sync);
  const bulk = deps.bulk ?? DEFAULT_BULK_LIMITS;
  const scim = scimRouter({
    baseUrl: baseUrlResolver(deps.baseUrl),
    bulk,
    logger: deps.logger,
    resources: [
      { service: users },
      // Group members live in their own table: PATCHes on them become set operations.
      { service: groups, detached: ["members"] },
    ],
    root: createRootSearch(deps.db.sql),
    observe: observe.scim,
  });
  const reconciliations = createReconciliationService({
    db: deps.db,
    users,
    groups,
    maxSuspendShare: deps.maxSuspendShare ?? 0.1,
    logger: deps.logger,
    runRetentionMs: deps.runRetentionMs ?? 90 * 86_400_000,
    observe: { runs: observe.runs, sync: observe.sync },
  });
  const webhooks = createWebhookService(deps.db.prisma, deps.secretBox, { allowPrivateTargets: deps.webhooks.allowPrivateTargets });
  const dispatcher = createDispatcher({ prisma: deps.db.prisma, sql: deps.db.sql, box: deps.secretBox, logger: deps.logger, ...deps.webhooks, observe: observe.deliveries });
  // The SCIM mounts come before `/api/v2`, so `/api/v2/scim/v2` is never judged by the admin scope.
  const scimBodies = scimBody(deps, bulk);
  for (const mount of SCIM_MOUNTS) {
    app.use(mount, markProtocol("scim"), requireScope("scim", "scim"), limit, scimBodies, scim);
  }
  // The admin API's description is public, as API descriptions usually are: it holds no data, and
  // client generators and API tools fetch it without credentials. Built on the first request (it
  // takes tens of milliseconds, which an app that never serves it need not spend), then kept.
  let openApi: OpenApiDocument | undefined;
  app.get(`/api/v2${OPENAPI_PATH}`, (_req, res) => {
    openApi ??= buildOpenApiDocument(ADMIN_ROUTES, { selfPath: OPENAPI_PATH });
    res.json(openApi);
  });
  app.use(
    "/api/v2",
    markProtocol("admin"),
    requireScope("admin", "admin"),
    limit,
    adminBody(deps),
    adminRouter({
      tokens: deps.tokens,
      sessions,
      signIns: attemptLimiter(deps.signInRateLimit),
      users: createAdminUsers(deps.db.prisma),
      grants: createUserGrants(deps.db.prisma),
      organizations: createAdminOrganizations(deps.db.prisma),
      groups: createAdminGroups(deps.db.prisma),
      syncSettings: createSyncSettings(deps.db.prisma),
      audit: createAdminAudit(deps.db.prisma),
      reconciliations,
      webhooks,
      events: createEventFeed(deps.db.prisma),
      nameCollisions: createNameCollisions(deps.db.prisma),
      overview: createOverview(deps.db.prisma, deps.db.sql),
    }),
  );
  app.use(consoleRouter(deps.consoleDir));
  app.use(notFound("plain"));
  app.use(errorHandler({ logger: deps.logger, bodyLimitBytes: deps.bodyLimitBytes }));
  return {
    app,
    reconciliations,
    dispatcher,
    sessions,
    close: async () => {
      await reconciliations.close();
      await dispatcher.stop();
      await sessions.close();
    },
  };
}

/** The address a client on this machine reaches a server at (a wildcard address is reached on loopback). */
function localUrl(addr: AddressInfo): string {
  const host = addr.address === "0.0.0.0" ? "127.0.0.1" : addr.address === "::" ? "::1" : addr.address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}`;
}

export interface RunningBridge {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the whole bridge: database, migrations, bootstrap, env tokens, HTTP server. */
export async function startBridge(config: Config, logger: Logger): Promise<RunningBridge> {
  const started = Date.now();
  for (const warning of config.warnings) logger.warn(warning);
  // Before the database is opened: a taken port or an unusable key file stops the start with nothing migrated.
  await assertPortFree(config.host, config.port);
  let secretBox: SecretBox;
  try {
    secretBox = createSecretBox(encryptionKey(config.encryptionKey, config.dataDir));
  } catch (err) {
    throw dataDirFailure(err, config.dataDir) ?? err;
  }
  const { db, close: closeDb } = await openForProcess(config, "serve", logger);
  try {
    const org = await ensureDefaultOrganization(db);
    if (org.created) logger.info("created the default organization", { id: org.id });
    const tokens = createTokenService(db, { cacheTtlMs: config.tokenCacheTtlMs, logger });
    await tokens.syncEnvTokens(config.envTokens);
    for (const warning of missingTokenWarnings(await tokens.list(), db.kind)) logger.warn(warning);
    const rebased = await rebaseFeedAfterRestore(db.sql);
    if (rebased > 0) logger.warn("events were ahead of this database server's transaction ids (restored from another server?): moved them to the feed's end", { events: rebased });
    const bridge = buildBridge({
      db,
      tokens,
      logger,
      baseUrl: config.baseUrl,
      trustProxy: config.trustProxy,
      bodyLimitBytes: config.bodyLimitBytes,
      importBodyLimitBytes: config.importBodyLimitBytes,
      maxSuspendShare: config.maxSuspendShare,
      runRetentionMs: config.runRetentionMs,
      secretBox,
      webhooks: config.webhooks,
      rateLimit: config.rateLimit,
      signInRateLimit: config.signInRateLimit,
      bulk: config.bulk,
      sessions: { ...config.sessions, cacheTtlMs: config.tokenCacheTtlMs },
      // Beside the compiled app: dist/app.js and dist/console/ (npm run build makes both).
      consoleDir: join(__dirname, "console"),
    });
    const app = bridge.app;
    const server = await new Promise<Server>((resolve, reject) => {
      // Express 5 hands a listen error to this callback.
      const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(listenFailure(err, config.host, config.port) ?? err) : resolve(s)));
    });
    // Deliveries left pending by an earlier run (a crash, a kill -9) go out now.
    bridge.dispatcher.start();
    // Run retention (RUN_RETENTION): now, then hourly; a failed pass is logged and tried again next hour.
    const pruneRuns = () =>
      void bridge.reconciliations
        .prune()
        .then((n) => n > 0 && logger.info("deleted reconciliation runs past RUN_RETENTION", { runs: n }))
        .catch((err: unknown) => logger.warn("reconciliation run retention pass failed", { error: err instanceof Error ? err.message : String(err) }));
    // Ended browser sessions (past SESSION_MAX_AGE or SESSION_IDLE_TIMEOUT): one driver statement, same hour.
    const pruneSessions = () =>
      void bridge.sessions.prune().catch((err: unknown) => logger.warn("session retention pass failed", { error: err instanceof Error ? err.message : String(err) }));
    pruneRuns();
    pruneSessions();
    const pruneTimer = setInterval(() => {
      pruneRuns();
      pruneSessions();
    }, 3_600_000);
    pruneTimer.unref();
    // Embedded: autovacuum's work (statistics, re-planned prepared statements, dead rows), src/db/embedded-upkeep.ts.
    const stopUpkeep = db.kind === "embedded" ? startEmbeddedUpkeep(db, logger) : undefined;
    const addr = server.address() as AddressInfo;
    const url = `http://${addr.address.includes(":") ? `[${addr.address}]` : addr.address}:${addr.port}`;
    // A CLI command refused by the lock shows this address in the client-mode command it suggests.
    if (config.database.kind === "embedded") noteLockAddress(config.dataDir, localUrl(addr));
    logger.info("scim-bridge listening", {
      url,
      database: db.kind,
      ...(config.database.kind === "embedded" ? { dataDir: config.dataDir } : {}),
      startupMs: Date.now() - started,
    });
    return {
      url,
      server,
      close: async () => {
        clearInterval(pruneTimer);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await stopUpkeep?.();
        await bridge.close();
        // The last `last_used_at` writes (off the request path) land before the database closes.
        await tokens.close();
        await closeDb();
      },
    };
  } catch (err) {
    await closeDb();
    throw err;
  }
}
