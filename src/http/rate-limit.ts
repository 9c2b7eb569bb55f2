import type { RequestHandler } from "express";
import { principalOf } from "../auth/middleware";

/**
 * Per-token rate limiting (a token bucket per token, in this process): `limit` requests, refilled
 * evenly over `perMs`. Over it, 429 with an integer `Retry-After` (seconds), which Okta honours, in the
 * API's own error envelope (src/http/errors.ts). Mounted after authentication: a request is counted
 * against the token that made it. With several instances each counts its own share.
 */

export interface RateLimit {
  limit: number;
  perMs: number;
}

/** Thrown to the error handler: rendered once, as 429 with Retry-After. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many requests: retry after ${retryAfterSeconds} s`);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

export function rateLimiter(rate: RateLimit | undefined, now: () => number = Date.now): RequestHandler {
  if (!rate) return (_req, _res, next) => next();
  const buckets = new Map<string, Bucket>();
  const perToken = rate.limit / rate.perMs;
  let swept = now();
  return (_req, res, next) => {
    const key = principalOf(res)?.tokenId;
    if (!key) return next();
    const t = now();
    // Forget tokens idle long enough to be full again (revoked or unused ones), once a period.
    if (t - swept > rate.perMs) {
      for (const [k, b] of buckets) if (b.tokens + (t - b.at) * perToken >= rate.limit) buckets.delete(k);
      swept = t;
    }
    const b = buckets.get(key) ?? { tokens: rate.limit, at: t };
    b.tokens = Math.min(rate.limit, b.tokens + (t - b.at) * perToken);
    b.at = t;
    buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return next();
    }
    next(new RateLimitedError(Math.max(1, Math.ceil((1 - b.tokens) / perToken / 1000))));
  };
}
