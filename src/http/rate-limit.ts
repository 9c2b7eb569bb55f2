import type { RequestHandler } from "express";
import { principalOf } from "../auth/middleware";

/**
 * Per-token rate limiting (a token bucket per token, in this process): `limit` requests, refilled
 * evenly over `perMs`. Over it, 429 with an integer `Retry-After` (seconds), which Okta honours, in the
 * API's own error envelope (src/http/errors.ts). Mounted after authentication: a request is counted
 * against the token that made it. With several instances each counts its own share. The same buckets
 * limit sign-in attempts per client address (`attemptLimiter`), where there is no token yet.
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

/**
 * Token buckets by key, in this process: `take(key)` spends one request of the key's bucket, or answers
 * the error to refuse it with. Idle buckets (full again) are forgotten once a period.
 */
function buckets(rate: RateLimit, now: () => number): (key: string) => RateLimitedError | undefined {
  const held = new Map<string, Bucket>();
  const perKey = rate.limit / rate.perMs;
  let swept = now();
  return (key) => {
    const t = now();
    if (t - swept > rate.perMs) {
      for (const [k, b] of held) if (b.tokens + (t - b.at) * perKey >= rate.limit) held.delete(k);
      swept = t;
    }
    const b = held.get(key) ?? { tokens: rate.limit, at: t };
    b.tokens = Math.min(rate.limit, b.tokens + (t - b.at) * perKey);
    b.at = t;
    held.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    return new RateLimitedError(Math.max(1, Math.ceil((1 - b.tokens) / perKey / 1000)));
  };
}

export function rateLimiter(rate: RateLimit | undefined, now: () => number = Date.now): RequestHandler {
  if (!rate) return (_req, _res, next) => next();
  const take = buckets(rate, now);
  return (_req, res, next) => {
    const key = principalOf(res)?.tokenId;
    if (!key) return next();
    next(take(key));
  };
}

/**
 * Attempts by key (sign-in attempts by client address): `take` throws RateLimitedError once the key has
 * made `limit` attempts in `perMs` (a token bucket, like the per-token limiter). Created by the app's
 * composition (src/app.ts) and handed to the route that uses it: no state outside it.
 */
export interface AttemptLimiter {
  take(key: string): void;
}

export function attemptLimiter(rate: RateLimit | undefined, now: () => number = Date.now): AttemptLimiter {
  if (!rate) return { take: () => undefined };
  const take = buckets(rate, now);
  return {
    take(key) {
      const refused = take(key);
      if (refused) throw refused;
    },
  };
}
