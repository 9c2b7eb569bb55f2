import path from "node:path";
import { z } from "zod";
import { resolveFileVariables } from "./secret-files";
import { parseTrustProxy, TRUST_PROXY_MESSAGE, type TrustProxy } from "./trust-proxy";

/**
 * The bridge's configuration, read from the environment once at start (the only place that reads
 * `process.env`) and validated with messages that say what to fix. Every other module receives the
 * parts it uses from the composition root.
 */

const LOG_LEVELS = ["error", "warn", "info", "http", "debug"] as const;

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === undefined || s === "" ? undefined : s));

const tokenSecret = (name: string) =>
  optionalString.refine((v) => v === undefined || v.length >= 24, {
    message: `${name} must be at least 24 characters (use \`openssl rand -hex 32\` or \`scim-bridge token create\`)`,
  });

const sizeRe = /^(\d+)\s*(b|kb|mb)?$/i;

/** `250ms`, `5s`, `30m`, `2h`, `30d` (a bare number is milliseconds, and warned about at start). */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "ms") as "ms" | "s" | "m" | "h" | "d"];
  return Math.round(Number(m[1]) * unit);
}

/** `512kB`, `16MB`, `1GB` (PostgreSQL's memory units; a unit is required) in kB. */
export function memoryKb(text: string): number | undefined {
  const m = /^(\d+)\s*(kB|MB|GB)$/i.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { kb: 1, mb: 1024, gb: 1024 * 1024 }[m[2]!.toLowerCase() as "kb" | "mb" | "gb"];
}

/** `100/s`, `3000/m`, `10000/h`: requests per period, per token. */
export function parseRate(text: string): { limit: number; perMs: number } | undefined {
  const m = /^(\d+)\s*\/\s*(s|m|h)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) return undefined;
  return { limit: Number(m[1]), perMs: { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "s" | "m" | "h"] };
}

/** The duration variables; each is also accepted as a bare number of milliseconds (see bareDurationWarnings). */
const DURATION_VARIABLES = ["RUN_RETENTION", "WEBHOOK_TIMEOUT", "WEBHOOK_RETRY_SCHEDULE", "WEBHOOK_POLL_INTERVAL", "WEBHOOK_RETENTION", "TOKEN_CACHE_TTL", "SESSION_MAX_AGE", "SESSION_IDLE_TIMEOUT"] as const;

/**
 * A bare number is read as milliseconds (documented, and kept for the configurations that rely on it),
 * but `WEBHOOK_TIMEOUT=10` more likely meant seconds: each such value gets a warning showing both unit
 * forms. `0` needs no unit (`TOKEN_CACHE_TTL=0`).
 */
function bareDurationWarnings(env: Record<string, string | undefined>): string[] {
  const warnings: string[] = [];
  for (const name of DURATION_VARIABLES) {
    const bare = (env[name] ?? "").split(",").map((d) => d.trim()).filter((d) => /^\d+(\.\d+)?$/.test(d) && Number(d) !== 0);
    if (bare.length === 0) continue;
    const unit = (suffix: string) => (env[name] ?? "").split(",").map((d) => d.trim()).map((d) => (bare.includes(d) ? `${d}${suffix}` : d)).join(",");
    warnings.push(`${name}=${env[name]!.trim()} has no unit and is read as milliseconds: write ${name}=${unit("ms")} to keep that, or ${name}=${unit("s")} if seconds were meant`);
  }
  return warnings;
}

/** 32 bytes as 64 hex digits or base64. */
export function parseEncryptionKey(text: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, "hex");
  if (!/^[A-Za-z0-9+/]+=*$/.test(text)) return undefined;
  const b = Buffer.from(text, "base64");
  return b.length === 32 ? b : undefined;
}

const envSchema = z.object({
  PORT: z.coerce
    .number({ message: "PORT must be a number" })
    .int("PORT must be a whole number")
    .min(0, "PORT must be between 0 and 65535")
    .max(65535, "PORT must be between 0 and 65535")
    .default(8080),
  HOST: optionalString.default("127.0.0.1"),
  DATABASE_URL: optionalString.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    { message: "DATABASE_URL must start with postgresql:// (leave it unset for the embedded database)" },
  ),
  DATA_DIR: optionalString.default("./data"),
  EMBEDDED_SHARED_BUFFERS: optionalString.default("16MB").refine((v) => {
    const kb = memoryKb(v);
    return kb !== undefined && kb >= 1024 && kb <= 1024 * 1024;
  }, { message: "EMBEDDED_SHARED_BUFFERS must be a size from 1MB to 1GB, such as 16MB or 128MB" }),
  BASE_URL: optionalString.refine(
    (v) => v === undefined || /^https?:\/\/[^/]+/.test(v),
    { message: "BASE_URL must be an absolute http(s) URL such as https://scim.example.com" },
  ),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"], { message: "LOG_FORMAT must be json or pretty" }).optional(),
  BODY_LIMIT: optionalString.default("1mb").refine((v) => sizeRe.test(v), {
    message: "BODY_LIMIT must be a size such as 1048576, 512kb or 2mb",
  }),
  IMPORT_BODY_LIMIT: optionalString.default("100mb").refine((v) => sizeRe.test(v), {
    message: "IMPORT_BODY_LIMIT must be a size such as 104857600, 50mb or 200mb",
  }),
  BULK_MAX_OPERATIONS: z.coerce
    .number({ message: "BULK_MAX_OPERATIONS must be a number from 1 to 100000" })
    .int("BULK_MAX_OPERATIONS must be a whole number from 1 to 100000")
    .min(1, "BULK_MAX_OPERATIONS must be from 1 to 100000")
    .max(100_000, "BULK_MAX_OPERATIONS must be from 1 to 100000")
    .default(1000),
  BULK_MAX_PAYLOAD: optionalString.default("10mb").refine((v) => sizeRe.test(v) && parseSize(v) >= 1024, {
    message: "BULK_MAX_PAYLOAD must be a size of at least 1kb, such as 10485760, 10mb or 20mb",
  }),
  RECONCILE_MAX_SUSPEND_SHARE: z.coerce
    .number({ message: "RECONCILE_MAX_SUSPEND_SHARE must be a number between 0 and 1" })
    .min(0, "RECONCILE_MAX_SUSPEND_SHARE must be between 0 and 1")
    .max(1, "RECONCILE_MAX_SUSPEND_SHARE must be between 0 and 1")
    .default(0.1),
  RUN_RETENTION: optionalString.default("90d").refine((v) => durationMs(v) !== undefined && durationMs(v)! >= 3_600_000, {
    message: "RUN_RETENTION must be a duration of at least an hour, such as 90d or 720h",
  }),
  BRIDGE_ENCRYPTION_KEY: optionalString.refine((v) => v === undefined || parseEncryptionKey(v) !== undefined, {
    message: "BRIDGE_ENCRYPTION_KEY must be 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits",
  }),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: optionalString.default("false").refine((v) => v === "true" || v === "false", {
    message: "WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false",
  }),
  WEBHOOK_TIMEOUT: optionalString.default("10s").refine((v) => durationMs(v) !== undefined && durationMs(v)! > 0, {
    message: "WEBHOOK_TIMEOUT must be a duration such as 10s or 2500ms",
  }),
  WEBHOOK_RETRY_SCHEDULE: optionalString.default("5s,5m,30m,2h,5h,10h,10h").refine((v) => v.split(",").every((d) => durationMs(d.trim()) !== undefined), {
    message: "WEBHOOK_RETRY_SCHEDULE must be comma-separated durations such as 5s,5m,30m,2h",
  }),
  WEBHOOK_RETENTION: optionalString.default("30d").refine((v) => durationMs(v) !== undefined && durationMs(v)! >= 3_600_000, {
    message: "WEBHOOK_RETENTION must be a duration of at least an hour, such as 30d or 72h",
  }),
  WEBHOOK_POLL_INTERVAL: optionalString.default("1s").refine((v) => durationMs(v) !== undefined && durationMs(v)! > 0, {
    message: "WEBHOOK_POLL_INTERVAL must be a duration such as 1s or 250ms",
  }),
  RATE_LIMIT: optionalString.default("100/s").refine((v) => v === "off" || parseRate(v) !== undefined, {
    message: "RATE_LIMIT must be requests per second, minute or hour per token, such as 100/s or 3000/m, or off",
  }),
  SIGN_IN_RATE_LIMIT: optionalString.default("10/m").refine((v) => v === "off" || parseRate(v) !== undefined, {
    message: "SIGN_IN_RATE_LIMIT must be sign-in attempts per second, minute or hour per client address, such as 10/m, or off",
  }),
  TOKEN_CACHE_TTL: optionalString.default("10s").refine((v) => durationMs(v) !== undefined && durationMs(v)! <= 300_000, {
    message: "TOKEN_CACHE_TTL must be a duration of at most 5m, such as 10s or 30s, or 0 to ask the database on every request",
  }),
  SESSION_MAX_AGE: optionalString.default("12h").refine((v) => durationMs(v) !== undefined && durationMs(v)! >= 60_000, {
    message: "SESSION_MAX_AGE must be a duration of at least a minute, such as 12h or 8h",
  }),
  SESSION_IDLE_TIMEOUT: optionalString.default("30m").refine((v) => durationMs(v) !== undefined && durationMs(v)! >= 60_000, {
    message: "SESSION_IDLE_TIMEOUT must be a duration of at least a minute, such as 30m or 1h",
  }),
  TRUST_PROXY: optionalString.refine((v) => parseTrustProxy(v) !== undefined, { message: TRUST_PROXY_MESSAGE }),
  BRIDGE_SCIM_TOKEN: tokenSecret("BRIDGE_SCIM_TOKEN"),
  BRIDGE_ADMIN_TOKEN: tokenSecret("BRIDGE_ADMIN_TOKEN"),
  // The CLI's client mode (src/cli/http-backend.ts): the running bridge to talk to, and an admin token for it.
  SCIM_BRIDGE_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), {
    message: "SCIM_BRIDGE_URL must be the bridge's http(s) URL, such as http://127.0.0.1:8080",
  }),
  SCIM_BRIDGE_TOKEN: optionalString,
  NODE_ENV: optionalString,
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  /** The database to use: PostgreSQL when DATABASE_URL is set, else the embedded PGlite. */
  database: { kind: "postgres"; url: string } | { kind: "embedded"; dataDir: string; sharedBuffersKb: number };
  /** Absolute directory for embedded data and the lock file. */
  dataDir: string;
  /** Public base URL of the bridge (for `Location` and `meta.location`); derived per request if unset. */
  baseUrl: string | undefined;
  /** Express's `trust proxy`: whose X-Forwarded-For/-Proto/-Host are believed (src/config/trust-proxy.ts). */
  trustProxy: TrustProxy;
  log: { level: LogLevel; format: "json" | "pretty" };
  /** Maximum request body size in bytes. */
  bodyLimitBytes: number;
  /** Maximum body of `POST /api/v2/reconciliations` (an import carries the whole export). */
  importBodyLimitBytes: number;
  /** Largest share of active users one import may suspend without `allow_mass_suspend`. */
  maxSuspendShare: number;
  /** `POST /scim/v2/Bulk` (RFC 7644 §3.7.4): most operations per request, and its body limit in bytes (maxPayloadSize). */
  bulk: { maxOperations: number; maxPayloadBytes: number };
  /** Finished reconciliation runs older than this are deleted (never a running one or the newest of a kind). */
  runRetentionMs: number;
  /** Requests per token before 429 (undefined: no limit). */
  rateLimit: { limit: number; perMs: number } | undefined;
  /** Sign-in attempts (`POST /api/v2/sessions`) per client address before 429 (undefined: no limit). */
  signInRateLimit: { limit: number; perMs: number } | undefined;
  /** Encrypts webhook secrets at rest; when unset, a key file under DATA_DIR is used. */
  encryptionKey: Buffer | undefined;
  webhooks: {
    /** Allow loopback and private addresses as webhook targets (tests, internal consumers). */
    allowPrivateTargets: boolean;
    timeoutMs: number;
    /** Delays before each retry; the attempts are this list's length + 1. */
    retryScheduleMs: number[];
    pollIntervalMs: number;
    /** Finished deliveries and delivered events older than this are deleted. */
    retentionMs: number;
  };
  /**
   * How long a verified token is trusted without asking the database (0: never cached). A token
   * revoked through another process keeps working here for up to this long.
   */
  tokenCacheTtlMs: number;
  /** Browser sign-in sessions of the admin API: they end this long after sign-in, or this long idle. */
  sessions: { maxAgeMs: number; idleTimeoutMs: number };
  /** Secrets from BRIDGE_SCIM_TOKEN / BRIDGE_ADMIN_TOKEN, stored hashed at start. */
  envTokens: { scim: string | undefined; admin: string | undefined };
  /** Accepted but worth a `warn` line at start (a duration without a unit), each saying what to write. */
  warnings: string[];
  /**
   * The CLI's client mode defaults (SCIM_BRIDGE_URL, SCIM_BRIDGE_TOKEN): with a URL, admin commands
   * go to that running bridge's admin API instead of opening the database. `--url`/`--token` win.
   */
  client: { url: string | undefined; token: string | undefined };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    // One line, whatever the number of problems: it is what `serve` prints before exiting.
    super(`invalid configuration: ${problems.map((p) => p.replace(/^(\w+): (?=\1 )/, "")).join("; ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

function parseSize(text: string): number {
  const m = sizeRe.exec(text);
  if (!m) throw new Error(`bad size ${text}`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "b").toLowerCase();
  return unit === "mb" ? n * 1024 * 1024 : unit === "kb" ? n * 1024 : n;
}

/**
 * Parses configuration from an environment object, reading the `*_FILE` variables' files
 * (src/config/secret-files.ts; relative to `cwd`). `isTty` decides the default log format (readable
 * in a terminal, JSON otherwise). Throws ConfigError naming every problem at once.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  opts: { cwd: string; isTty: boolean },
): Config {
  const files = resolveFileVariables(env, opts.cwd);
  const parsed = envSchema.safeParse(files.env);
  const problems = [
    ...files.problems,
    // A bad value read from a file is reported under the variable the admin set: VAR_FILE.
    ...(parsed.success ? [] : parsed.error.issues.map((i) => {
      const name = i.path.join(".");
      return `${files.fromFile.has(name) ? `${name}_FILE` : name}: ${i.message}`;
    })),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = path.resolve(opts.cwd, e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "embedded", dataDir, sharedBuffersKb: memoryKb(e.EMBEDDED_SHARED_BUFFERS)! },
    dataDir,
    baseUrl: e.BASE_URL?.replace(/\/+$/, ""),
    trustProxy: parseTrustProxy(e.TRUST_PROXY)!,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (opts.isTty ? "pretty" : "json") },
    bodyLimitBytes: parseSize(e.BODY_LIMIT),
    importBodyLimitBytes: parseSize(e.IMPORT_BODY_LIMIT),
    maxSuspendShare: e.RECONCILE_MAX_SUSPEND_SHARE,
    bulk: { maxOperations: e.BULK_MAX_OPERATIONS, maxPayloadBytes: parseSize(e.BULK_MAX_PAYLOAD) },
    runRetentionMs: durationMs(e.RUN_RETENTION)!,
    rateLimit: e.RATE_LIMIT === "off" ? undefined : parseRate(e.RATE_LIMIT),
    signInRateLimit: e.SIGN_IN_RATE_LIMIT === "off" ? undefined : parseRate(e.SIGN_IN_RATE_LIMIT),
    encryptionKey: e.BRIDGE_ENCRYPTION_KEY ? parseEncryptionKey(e.BRIDGE_ENCRYPTION_KEY) : undefined,
    webhooks: {
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS === "true",
      timeoutMs: durationMs(e.WEBHOOK_TIMEOUT)!,
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE.split(",").map((d) => durationMs(d.trim())!),
      pollIntervalMs: durationMs(e.WEBHOOK_POLL_INTERVAL)!,
      retentionMs: durationMs(e.WEBHOOK_RETENTION)!,
    },
    tokenCacheTtlMs: durationMs(e.TOKEN_CACHE_TTL)!,
    sessions: { maxAgeMs: durationMs(e.SESSION_MAX_AGE)!, idleTimeoutMs: durationMs(e.SESSION_IDLE_TIMEOUT)! },
    envTokens: { scim: e.BRIDGE_SCIM_TOKEN, admin: e.BRIDGE_ADMIN_TOKEN },
    warnings: bareDurationWarnings(env),
    client: { url: e.SCIM_BRIDGE_URL, token: e.SCIM_BRIDGE_TOKEN },
  };
}

/** The configuration of this process: the one call site of `process.env`. */
export function configFromProcess(): Config {
  return loadConfig(process.env, { cwd: process.cwd(), isTty: Boolean(process.stdout.isTTY) });
}
