import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Bearer tokens: format, hashing and comparison. Pure functions; no storage here.
 *
 * A generated token looks like `sb_scim_<43 base64url chars>` (256 random bits). The prefix names the
 * product and scope so secret scanners and people can recognise a leaked one. Only the sha256 digest
 * is stored; a presented token is hashed and compared digest-to-digest in constant time (equal-length
 * digests, so no length leak either).
 */

export const TOKEN_SCOPES = ["scim", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function generateToken(scope: TokenScope, random: (n: number) => Buffer = randomBytes): string {
  return `sb_${scope}_${random(32).toString("base64url")}`;
}

/** Hex sha256 of the token, as stored in `api_tokens.token_hash`. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Compares two hex digests in constant time. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/**
 * The displayable start of a token: the prefix and four secret characters for generated tokens,
 * four characters for others. Enough to tell tokens apart, far too little to guess one.
 */
export function tokenHint(token: string): string {
  const m = /^(sb_(?:scim|admin)_)(.{4})/.exec(token);
  return m ? `${m[1]}${m[2]}…` : `${token.slice(0, 4)}…`;
}
