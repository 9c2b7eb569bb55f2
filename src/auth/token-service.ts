import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { SqlRunner } from "../db/database";
import { recordAudit } from "../directory/audit";
import type { Logger } from "../log/logger";
import { createTtlCache } from "./token-cache";
import { digestsEqual, generateToken, hashToken, tokenHint, type TokenScope } from "./token-format";

/** A token as listings show it: never the secret, never the hash. */
export interface TokenInfo {
  id: string;
  name: string;
  scope: TokenScope;
  hint: string;
  origin: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The caller a verified token identifies. */
export interface Principal {
  tokenId: string;
  tokenName: string;
  scope: TokenScope;
}

export class TokenError extends Error {
  readonly kind: "duplicate" | "notFound" | "invalid";
  constructor(kind: TokenError["kind"], message: string) {
    super(message);
    this.name = "TokenError";
    this.kind = kind;
  }
}

const ENV_TOKEN_NAMES: Record<TokenScope, string> = { scim: "env:BRIDGE_SCIM_TOKEN", admin: "env:BRIDGE_ADMIN_TOKEN" };

/** How often `last_used_at` is written for one token (a write per request would be wasted I/O). */
const LAST_USED_RESOLUTION_MS = 60_000;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._:@-]{0,63}$/;

/** Copies only the listed fields: a row also carries the hash, which must not travel further. */
function toInfo(row: TokenInfo): TokenInfo {
  const { id, name, scope, hint, origin, createdAt, lastUsedAt, revokedAt } = row;
  return { id, name, scope, hint, origin, createdAt, lastUsedAt, revokedAt };
}

/**
 * Every change is audited (`token.created`, `token.revoked`, and for env tokens `token.replaced` and
 * `token.reinstated`) in the transaction that makes it. `actor` is who did it: the admin token's name
 * on the API, `cli` from the command line, `startup` for the environment's tokens. Audit details
 * carry the name, scope and origin, never the secret, its hash or its hint.
 */
export interface TokenService {
  create(input: { name: string; scope: TokenScope; origin: "cli" | "api"; actor: string }): Promise<{ token: string; info: TokenInfo }>;
  list(): Promise<TokenInfo[]>;
  /** Revokes by id or name; revoking an already revoked token is not an error (and audits nothing). */
  revoke(idOrName: string, actor: string): Promise<TokenInfo>;
  /** The principal for a presented token, or undefined when unknown or revoked. */
  verify(token: string): Promise<Principal | undefined>;
  /**
   * Makes the environment's tokens (BRIDGE_SCIM_TOKEN / BRIDGE_ADMIN_TOKEN) the valid env tokens:
   * stored hashed under a fixed name; a changed value replaces the old one; an unset variable revokes
   * the token it made before.
   */
  syncEnvTokens(env: { scim: string | undefined; admin: string | undefined }): Promise<void>;
  /** Waits for the `last_used_at` writes already started (they run off the request path). */
  flush(): Promise<void>;
  /** Starts no more `last_used_at` writes and waits for those in flight: call before the database closes. */
  close(): Promise<void>;
}

export interface TokenServiceOptions {
  now?: () => Date;
  /**
   * TOKEN_CACHE_TTL: how long a verified token is trusted without asking the database again. A
   * revocation made by this process takes effect at once; one made by another process (another
   * instance on the same PostgreSQL, the CLI) within this time. 0: every request asks the database.
   */
  cacheTtlMs?: number;
  /** Most tokens held (least recently used out first). */
  cacheMaxEntries?: number;
  /** Where a failed `last_used_at` write is reported (it never fails a request). */
  logger?: Pick<Logger, "warn">;
}

export const DEFAULT_TOKEN_CACHE_TTL_MS = 10_000;
const DEFAULT_TOKEN_CACHE_ENTRIES = 4096;

/** Key of the transaction-level advisory lock that serialises env-token sync across instances. */
const ENV_TOKENS_LOCK_KEY = 0x5c1b02;

/** The actor of changes made by `syncEnvTokens` at start. */
export const STARTUP_ACTOR = "startup";

type TokenAction = "token.created" | "token.revoked" | "token.replaced" | "token.reinstated";

function audit(tx: Prisma.TransactionClient, actor: string, action: TokenAction, row: { id: string; name: string; scope: TokenScope; origin: string }): Promise<void> {
  return recordAudit(tx, { actor, action, resourceType: "token", resourceId: row.id, details: { name: row.name, scope: row.scope, origin: row.origin } });
}

/** A token the database accepted: who it is, and its `last_used_at` as read. */
interface Verified {
  principal: Readonly<Principal>;
  lastUsedMs: number;
}

/**
 * `sql` carries what runs at every start and on the request path (a token's lookup, its last use, the
 * listing, an unchanged env token): raw statements through the driver, so an idle bridge never loads
 * Prisma's query compiler (about 30 MiB of WebAssembly; README, Performance). Changes go through Prisma.
 */
export function createTokenService(db: { prisma: PrismaClient; sql: SqlRunner }, opts: TokenServiceOptions = {}): TokenService {
  const { prisma, sql } = db;
  const now = opts.now ?? (() => new Date());
  // Only accepted tokens are cached, keyed by digest (the secret is never kept). Unknown and revoked
  // ones are not: a flood of random tokens would only churn a negative cache (each is new), a
  // repeated bad token costs one indexed lookup, and a cached "no" would keep refusing an env token
  // another instance has just created or reinstated. The size bound is defensive: entries are
  // valid tokens used within the lifetime, a few in practice.
  const cache = createTtlCache<Verified>({ ttlMs: opts.cacheTtlMs ?? DEFAULT_TOKEN_CACHE_TTL_MS, maxEntries: opts.cacheMaxEntries ?? DEFAULT_TOKEN_CACHE_ENTRIES });
  // Concurrent first requests with one token share one lookup (an IdP opens many connections at once).
  const inflight = new Map<string, Promise<Verified | undefined>>();
  // Bumped by every change of validity: a lookup that started before it must not fill the cache after it.
  let generation = 0;
  // Per token id (bounded by the tokens that exist): when this process last wrote `last_used_at`.
  const lastUsedWritten = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  let closed = false;

  /** Forgets every cached answer and every lookup in flight: the next request asks the database. */
  function invalidate(): void {
    generation += 1;
    cache.clear();
    inflight.clear();
  }

  async function select(digest: string): Promise<Verified | undefined> {
    // The lookup is by digest, so the index search reveals nothing about the secret; the digests
    // are compared again in constant time.
    // Raw SQL on this path: Prisma 6's client compiles each model query on the event loop (~0.6 ms
    // of CPU; raw statements skip it). See bench/.
    const [row] = await sql.query<{ id: string; name: string; scope: TokenScope; token_hash: string; revoked_at: Date | null; last_used_at: Date | null }>(
      "SELECT id::text AS id, name, scope::text AS scope, token_hash, revoked_at, last_used_at FROM api_tokens WHERE token_hash = $1",
      [digest],
      "token_by_digest",
    );
    if (!row || row.revoked_at || !digestsEqual(row.token_hash, digest)) return undefined;
    return {
      principal: Object.freeze({ tokenId: row.id, tokenName: row.name, scope: row.scope }),
      lastUsedMs: row.last_used_at ? new Date(row.last_used_at).getTime() : 0,
    };
  }

  function lookup(digest: string): Promise<Verified | undefined> {
    const running = inflight.get(digest);
    if (running) return running;
    const started = generation;
    const p = select(digest)
      .then((v) => {
        if (v && started === generation) cache.set(digest, v, now().getTime());
        return v;
      })
      .finally(() => {
        if (inflight.get(digest) === p) inflight.delete(digest);
      });
    inflight.set(digest, p);
    return p;
  }

  /**
   * Records the use at most once a minute per token, without making the request wait: the write is
   * tracked (close() awaits it) and its failure only logged. A failed write is not retried before the
   * next minute, so an unreachable database is not asked again on every request.
   */
  function touch(v: Verified, t: number): void {
    const id = v.principal.tokenId;
    const last = Math.max(lastUsedWritten.get(id) ?? 0, v.lastUsedMs);
    if (closed || t - last < LAST_USED_RESOLUTION_MS) return;
    lastUsedWritten.set(id, t);
    const at = new Date(t);
    // Never moves backwards: another instance may have written a later time meanwhile.
    const write: Promise<void> = sql.query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2::uuid AND (last_used_at IS NULL OR last_used_at < $1)", [at, id], "token_touch").then(
      () => undefined,
      (err: unknown) => {
        opts.logger?.warn("could not record a token's last use", { tokenName: v.principal.tokenName, error: err instanceof Error ? err.message : String(err) });
      },
    );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  async function flush(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  return {
    // A new token needs no invalidation: only accepted tokens are cached, and its secret is new.
    async create({ name, scope, origin, actor }) {
      if (!NAME_RE.test(name) || name.startsWith("env:")) {
        throw new TokenError("invalid", "name must be 1-64 characters of letters, digits, space and ._:@- (not starting with env:)");
      }
      const existing = await prisma.apiToken.findUnique({ where: { name } });
      if (existing) throw new TokenError("duplicate", `a token named "${name}" already exists`);
      const token = generateToken(scope);
      try {
        const row = await prisma.$transaction(async (tx) => {
          const made = await tx.apiToken.create({ data: { name, scope, tokenHash: hashToken(token), hint: tokenHint(token), origin } });
          await audit(tx, actor, "token.created", made);
          return made;
        });
        return { token, info: toInfo(row) };
      } catch (err) {
        // Lost a race with another create of the same name.
        if ((err as { code?: string }).code === "P2002") {
          throw new TokenError("duplicate", `a token named "${name}" already exists`);
        }
        throw err;
      }
    },

    async list() {
      return sql.query<TokenInfo>(
        `SELECT id::text AS id, name, scope::text AS scope, hint, origin, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
           FROM api_tokens ORDER BY created_at, name`,
      );
    },

    async revoke(idOrName, actor) {
      // Whatever happens (even a revocation made earlier by another instance), this process stops
      // trusting what it cached: a revoke here takes effect here at once.
      try {
        return await revokeRow(idOrName, actor);
      } finally {
        invalidate();
      }
    },

    async verify(token) {
      if (token.length === 0 || token.length > 512) return undefined;
      const digest = hashToken(token);
      // A cache hit compares digests by Map lookup, as the database compares them by index.
      const found = cache.get(digest, now().getTime()) ?? (await lookup(digest));
      if (!found) return undefined;
      touch(found, now().getTime());
      return found.principal;
    },

    async syncEnvTokens(env) {
      try {
        await syncEnv(env);
      } finally {
        invalidate();
      }
    },

    flush,

    async close() {
      closed = true;
      await flush();
    },
  };

  async function revokeRow(idOrName: string, actor: string): Promise<TokenInfo> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
    const row = await prisma.apiToken.findFirst({
      where: isUuid ? { OR: [{ id: idOrName }, { name: idOrName }] } : { name: idOrName },
    });
    if (!row) throw new TokenError("notFound", `no token with id or name "${idOrName}"`);
    if (row.revokedAt) return toInfo(row);
    return prisma.$transaction(async (tx) => {
      // Only a revocation that happens here is audited: of two concurrent ones, the second changes nothing.
      const { count } = await tx.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now() } });
      const updated = await tx.apiToken.findUniqueOrThrow({ where: { id: row.id } });
      if (count === 1) await audit(tx, actor, "token.revoked", updated);
      return toInfo(updated);
    });
  }

  /** Whether the env tokens already match `env` (every ordinary start): read without a lock or a transaction. */
  async function envTokensCurrent(env: { scim: string | undefined; admin: string | undefined }): Promise<boolean> {
    const digests = { scim: env.scim === undefined ? null : hashToken(env.scim), admin: env.admin === undefined ? null : hashToken(env.admin) };
    const rows = await sql.query<{ name: string; scope: string; token_hash: string; revoked: boolean }>(
      "SELECT name, scope::text AS scope, token_hash, revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE name = ANY($1::text[]) OR token_hash = ANY($2::text[])",
      [Object.values(ENV_TOKEN_NAMES), [digests.scim, digests.admin].filter((d): d is string => d !== null)],
    );
    return (["scim", "admin"] as const).every((scope) => {
      const name = ENV_TOKEN_NAMES[scope];
      const digest = digests[scope];
      const existing = rows.find((r) => r.name === name);
      if (digest === null) return !existing || existing.revoked;
      // A clash with another token's secret is refused by the locked path below, with its message.
      if (rows.some((r) => r.token_hash === digest && r.name !== name)) return false;
      return existing !== undefined && existing.token_hash === digest && !existing.revoked && existing.scope === scope;
    });
  }

  async function syncEnv(env: { scim: string | undefined; admin: string | undefined }): Promise<void> {
    if (await envTokensCurrent(env)) return;
    // One transaction: a start either applies both variables (and their audit rows) or neither.
    // Instances starting at once take turns, so only one of them creates or replaces a token.
    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ENV_TOKENS_LOCK_KEY})`;
      for (const scope of ["scim", "admin"] as const) {
        const name = ENV_TOKEN_NAMES[scope];
        const secret = env[scope];
        const existing = await tx.apiToken.findUnique({ where: { name } });
        if (secret === undefined) {
          if (existing && !existing.revokedAt) {
            await audit(tx, STARTUP_ACTOR, "token.revoked", await tx.apiToken.update({ where: { id: existing.id }, data: { revokedAt: now() } }));
          }
          continue;
        }
        const tokenHash = hashToken(secret);
        const clash = await tx.apiToken.findUnique({ where: { tokenHash } });
        if (clash && clash.name !== name) {
          throw new TokenError("invalid", `${name.slice(4)} has the same value as the token "${clash.name}": use a distinct secret`);
        }
        if (!existing) {
          await audit(tx, STARTUP_ACTOR, "token.created", await tx.apiToken.create({ data: { name, scope, tokenHash, hint: tokenHint(secret), origin: "env" } }));
          continue;
        }
        const replaced = existing.tokenHash !== tokenHash;
        // An unchanged, valid env token (every ordinary start) changes and audits nothing.
        if (!replaced && !existing.revokedAt && existing.scope === scope) continue;
        const updated = await tx.apiToken.update({ where: { id: existing.id }, data: { scope, tokenHash, hint: tokenHint(secret), revokedAt: null } });
        await audit(tx, STARTUP_ACTOR, replaced ? "token.replaced" : "token.reinstated", updated);
      }
    });
  }
}
