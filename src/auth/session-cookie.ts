import type { Request, Response } from "express";

/**
 * The admin session cookie (issue 18): HttpOnly (scripts never read it, so the token is never in
 * web storage), SameSite=Strict (no other site's page sends it), Path=/, no Domain (this host only),
 * and Secure when the request came over HTTPS (`req.secure`, which follows TRUST_PROXY): over plain
 * HTTP a Secure cookie would never come back.
 */
export const SESSION_COOKIE = "scim_bridge_session";

/** The header a cookie-authenticated state-changing request carries its session's CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";

/**
 * The header a page sets on its timer-driven requests (polling): `X-Background: 1`. Such a request is
 * authenticated as usual but does not count as the session's use (see src/auth/session-service.ts).
 */
export const BACKGROUND_HEADER = "x-background";

export function isBackgroundRequest(req: Request): boolean {
  return req.get(BACKGROUND_HEADER)?.trim() === "1";
}

export function sessionSecretOf(req: Request): string | undefined {
  const header = req.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^sb_session_[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function setSessionCookie(req: Request, res: Response, secret: string, expiresAt: Date): void {
  res.cookie(SESSION_COOKIE, secret, { httpOnly: true, sameSite: "strict", path: "/", secure: req.secure, expires: expiresAt, encode: String });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "strict", path: "/", secure: req.secure });
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a cookie-authenticated request is refused as a possible cross-site request forgery, or
 * undefined when it may go on. Safe methods pass. A state-changing one needs the session's CSRF token
 * in X-CSRF-Token (a page of another site cannot read it) and, when the browser says where it came
 * from, the same origin: `Sec-Fetch-Site` same-origin (or none: typed by the user), `Origin` equal
 * to this host.
 */
export function csrfRefusal(req: Request, expected: string, equal: (a: string, b: string) => boolean): string | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const foreign = originRefusal(req);
  if (foreign) return foreign;
  const presented = req.get(CSRF_HEADER);
  if (presented === undefined || presented === "") return "missing X-CSRF-Token header (the csrf_token of the session, from sign-in or GET /api/v2/sessions/current)";
  if (!equal(presented, expected)) return "wrong X-CSRF-Token";
  return undefined;
}

/**
 * Why a request is refused as coming from another site, or undefined: the browser says so in
 * `Sec-Fetch-Site` (anything but same-origin, or none: typed by the user) or sends an `Origin` that is
 * not this host. A client that sends neither (curl, a script) passes. The half of the CSRF checks that
 * needs no session: sign-in applies it too (a page of another site could otherwise sign the browser
 * in with a token of its choosing, or spend the address's sign-in attempts).
 */
export function originRefusal(req: Request): string | undefined {
  const site = req.get("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = req.get("origin");
  if (origin !== undefined && origin !== `${req.protocol}://${req.get("host") ?? ""}`) return "cross-origin request refused (Origin is not this bridge)";
  return undefined;
}
