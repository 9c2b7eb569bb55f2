import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import type { SqlRunner } from "../db/database";
import { recordAudit } from "../directory/audit";
import type { Logger } from "../log/logger";
import { createTtlCache } from "./token-cache";
import { hashToken } from "./token-format";
import type { Principal, TokenService } from "./token-service";

/**
 * Browser sign-in sessions for the admin API (issue 18). An admin pastes an admin-scope token once;
 * the bridge answers with a random session secret (the cookie's value) and a CSRF token derived from
 * it. Only the secret's sha256 is stored (`admin_sessions.secret_hash`), with the token it came from.
 *
 * A session ends at `expires_at` (SESSION_MAX_AGE after sign-in), after SESSION_IDLE_TIMEOUT without a
 * request, at sign-out, or when its token is revoked. The lookup joins the token's row, and its answer
 * is cached for TOKEN_CACHE_TTL like a token's: every instance refuses a revoked token's sessions
 * within that time. `last_seen_at` is written at most once a minute, off the request path.
 *
 * A background request (a page's timer-driven poll, marked `X-Background: 1`) is authenticated like
 * any other but is not activity: it neither moves the idle deadline nor writes `last_seen_at`, so a
 * page left open still signs out after SESSION_IDLE_TIMEOUT.
 */

export interface SessionInfo {
  principal: Principal;
  createdAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
  csrfToken: string;
}

export class SessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SessionError";
  }
}

export interface SessionService {
  /** Signs in with an admin token: the secret for the cookie and the session. SessionError when the token is not a valid admin token. */
  create(token: string): Promise<{ secret: string; info: SessionInfo }>;
  /**
   * The session a cookie's secret names, or undefined when unknown, expired, idle too long or its token
   * revoked. It counts as the session's use (moves its idle deadline) unless `background` is set.
   */
  resolve(secret: string, opts?: { background?: boolean }): Promise<SessionInfo | undefined>;
  /** Signs out: the session is deleted (and audited). */
  end(secret: string): Promise<void>;
  /**
   * Forgets every cached session: called when this process revokes a token, so that its sessions are
   * refused here at once (other instances within TOKEN_CACHE_TTL).
   */
  forgetCached(): void;
  /** Deletes sessions past their maximum age or idle timeout; the number deleted. */
  prune(): Promise<number>;
  /** Waits for the `last_seen_at` writes in flight. */
  close(): Promise<void>;
}

export interface SessionServiceOptions {
  maxAgeMs: number;
  idleTimeoutMs: number;
  /** TOKEN_CACHE_TTL: how long a looked-up session is trusted without asking the database. */
  cacheTtlMs: number;
  now?: () => Date;
  logger?: Pick<Logger, "warn">;
}

const LAST_SEEN_RESOLUTION_MS = 60_000;

/** The CSRF token of a session: derived from its secret, so nothing more is stored or looked up. */
export function csrfTokenOf(secret: string): string {
  return createHash("sha256").update(`csrf:${secret}`, "utf8").digest("base64url");
}

/** Compares a presented CSRF token with the expected one in constant time. */
export function csrfTokensEqual(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}

interface Row {
  id: string;
  token_id: string;
  token_name: string;
  scope: string;
  revoked_at: Date | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

interface Cached {
  id: string;
  principal: Principal;
  createdAt: Date;
  expiresAt: Date;
  lastSeenMs: number;
}

export function createSessionService(db: { prisma: PrismaClient; sql: SqlRunner }, tokens: TokenService, opts: SessionServiceOptions): SessionService {
  const { prisma, sql } = db;
  const now = opts.now ?? (() => new Date());
  const cache = createTtlCache<Cached>({ ttlMs: opts.cacheTtlMs, maxEntries: 4096 });
  const pending = new Set<Promise<void>>();
  let closed = false;

  function info(c: Cached, secret: string): SessionInfo {
    const idle = Math.min(c.lastSeenMs + opts.idleTimeoutMs, c.expiresAt.getTime());
    return { principal: c.principal, createdAt: c.createdAt, expiresAt: c.expiresAt, idleExpiresAt: new Date(idle), csrfToken: csrfTokenOf(secret) };
  }

  async function remove(id: string, actor: string, reason: "signed_out" | "token_revoked", tokenId: string): Promise<void> {
    await prisma.$transaction(async (tx) => {
      const gone = await tx.adminSession.deleteMany({ where: { id } });
      if (gone.count > 0) await recordAudit(tx, { actor, action: "session.ended", resourceType: "token", resourceId: tokenId, details: { session: id, reason } });
    });
  }

  function touch(c: Cached, t: number): void {
    if (closed || t - c.lastSeenMs < LAST_SEEN_RESOLUTION_MS) return;
    c.lastSeenMs = t;
    const write: Promise<void> = sql
      .query("UPDATE admin_sessions SET last_seen_at = $1 WHERE id = $2::uuid AND last_seen_at < $1", [new Date(t), c.id], "session_touch")
      .then(
        () => undefined,
        (err: unknown) => {
          opts.logger?.warn("could not record a session's last use", { error: err instanceof Error ? err.message : String(err) });
        },
      );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  return {
    async create(token) {
      const principal = await tokens.verify(token);
      if (!principal || principal.scope !== "admin") throw new SessionError("sign-in needs a valid admin-scope token");
      const secret = `sb_session_${randomBytes(32).toString("base64url")}`;
      const t = now();
      const expiresAt = new Date(t.getTime() + opts.maxAgeMs);
      const row = await prisma.$transaction(async (tx) => {
        const made = await tx.adminSession.create({ data: { secretHash: hashToken(secret), tokenId: principal.tokenId, createdAt: t, lastSeenAt: t, expiresAt } });
        await recordAudit(tx, { actor: principal.tokenName, action: "session.created", resourceType: "token", resourceId: principal.tokenId, details: { session: made.id, name: principal.tokenName } });
        return made;
      });
      const c: Cached = { id: row.id, principal, createdAt: t, expiresAt, lastSeenMs: t.getTime() };
      cache.set(hashToken(secret), c, t.getTime());
      return { secret, info: info(c, secret) };
    },

    async resolve(secret, resolveOpts) {
      const digest = hashToken(secret);
      const t = now().getTime();
      let c = cache.get(digest, t);
      // Idle by this instance's reckoning: another instance may have seen it since, so ask the database.
      if (c && c.lastSeenMs + opts.idleTimeoutMs <= t) c = undefined;
      if (!c) {
        const [row] = await sql.query<Row>(
          `SELECT s.id::text AS id, s.token_id::text AS token_id, a.name AS token_name, a.scope::text AS scope, a.revoked_at, s.created_at, s.last_seen_at, s.expires_at
             FROM admin_sessions s JOIN api_tokens a ON a.id = s.token_id WHERE s.secret_hash = $1`,
          [digest],
          "session_by_digest",
        );
        if (!row) return undefined;
        if (row.revoked_at || row.scope !== "admin") {
          await remove(row.id, row.token_name, "token_revoked", row.token_id);
          return undefined;
        }
        c = {
          id: row.id,
          principal: Object.freeze({ tokenId: row.token_id, tokenName: row.token_name, scope: "admin" }),
          createdAt: new Date(row.created_at),
          expiresAt: new Date(row.expires_at),
          lastSeenMs: new Date(row.last_seen_at).getTime(),
        };
        cache.set(digest, c, t);
      }
      if (c.expiresAt.getTime() <= t || c.lastSeenMs + opts.idleTimeoutMs <= t) return undefined;
      if (!resolveOpts?.background) touch(c, t);
      return info(c, secret);
    },

    async end(secret) {
      const digest = hashToken(secret);
      cache.delete(digest);
      const [row] = await sql.query<{ id: string; token_id: string; token_name: string }>(
        "SELECT s.id::text AS id, s.token_id::text AS token_id, a.name AS token_name FROM admin_sessions s JOIN api_tokens a ON a.id = s.token_id WHERE s.secret_hash = $1",
        [digest],
      );
      if (row) await remove(row.id, row.token_name, "signed_out", row.token_id);
    },

    forgetCached() {
      cache.clear();
    },

    async prune() {
      const t = now();
      const rows = await sql.query<{ id: string }>(
        "DELETE FROM admin_sessions WHERE expires_at <= $1 OR last_seen_at <= $2 RETURNING id::text AS id",
        [t, new Date(t.getTime() - opts.idleTimeoutMs)],
      );
      return rows.length;
    },

    async close() {
      closed = true;
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
