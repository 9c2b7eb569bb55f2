import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks (standardwebhooks.com) signing, so a consumer's existing library verifies what we
 * send: headers `webhook-id`, `webhook-timestamp` (Unix seconds), `webhook-signature` (`v1,` + base64
 * HMAC-SHA256 over `id.timestamp.body`, keyed with the base64-decoded secret after `whsec_`). Pure.
 */

export const SECRET_PREFIX = "whsec_";

/** A new signing secret: `whsec_` + 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

function keyOf(secret: string): Buffer {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(raw, "base64");
  if (key.length === 0) throw new Error("the webhook secret is empty");
  return key;
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

export function signedHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": sign(secret, id, timestamp, body) };
}

export type Verification = { ok: true } | { ok: false; reason: string };

/**
 * Verifies a received webhook: every header present, the timestamp within `toleranceSeconds` of `now`
 * (replays), and one of the space-separated `v1,` signatures equal (compared in constant time).
 */
export function verify(secret: string, headers: Record<string, string | undefined>, body: string, now: number, toleranceSeconds = 300): Verification {
  const id = headers["webhook-id"];
  const ts = headers["webhook-timestamp"];
  const sigs = headers["webhook-signature"];
  if (!id || !ts || !sigs) return { ok: false, reason: "missing webhook-id, webhook-timestamp or webhook-signature" };
  const timestamp = Number(ts);
  if (!/^\d+$/.test(ts)) return { ok: false, reason: `webhook-timestamp ${JSON.stringify(ts)} is not Unix seconds` };
  if (Math.abs(now - timestamp) > toleranceSeconds) return { ok: false, reason: `webhook-timestamp is ${now - timestamp} s off (tolerance ${toleranceSeconds} s)` };
  const expected = Buffer.from(sign(secret, id, timestamp, body).slice(3), "base64");
  for (const candidate of sigs.split(" ")) {
    const [version, value] = candidate.split(",", 2);
    if (version !== "v1" || !value) continue;
    const got = Buffer.from(value, "base64");
    if (got.length === expected.length && timingSafeEqual(got, expected)) return { ok: true };
  }
  return { ok: false, reason: "no webhook-signature matches" };
}
