import { Router, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { clearSessionCookie, originRefusal, sessionSecretOf, setSessionCookie } from "../auth/session-cookie";
import { SessionError, type SessionInfo, type SessionService } from "../auth/session-service";
import type { AttemptLimiter } from "../http/rate-limit";
import { AdminError } from "./errors";
import { createdSessionSchema, currentSessionSchema } from "./openapi/session-responses";
import { defineRoutes, route } from "./route-doc";
import { parseBody } from "./validation";

/**
 * `/api/v2/sessions`: browser sign-in (issue 18). A browser client posts an admin token once and
 * from then on sends the HttpOnly session cookie instead; the token itself is never stored by the
 * browser. See src/auth/session-service.ts for lifetimes and src/auth/session-cookie.ts for CSRF.
 */

const signInBody = z.strictObject({ token: z.string().min(1, "token is required").max(512, "token is too long") });

export const sessionRoutes = defineRoutes({
  create: {
    method: "post", path: "/sessions", tag: "sessions", summary: "Sign in (browser session)", public: true,
    description:
      "Needs no credentials: send an admin-scope token in the body. Answers with a `Set-Cookie` for the session (HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS) and the CSRF token to send as `X-CSRF-Token` on state-changing requests made with the cookie. A SCIM-scope, unknown or revoked token is refused with 401 and no cookie. Refused with 403 when the browser says the request comes from another site (`Sec-Fetch-Site` other than same-origin or none, or an `Origin` that is not this bridge). Attempts are limited per client address (SIGN_IN_RATE_LIMIT, default 10 a minute, successful ones included): over it, 429 with `Retry-After`.",
    body: signInBody,
    responses: { 201: { description: "Signed in; the cookie is set.", schema: createdSessionSchema } },
  },
  current: {
    method: "get", path: "/sessions/current", tag: "sessions", summary: "Who is signed in",
    description:
      "With the session cookie: the session, its lifetimes and its CSRF token (a reloaded page gets it here). With a bearer token: the token's name and no session. Like any request with the cookie, it moves the session's idle deadline unless sent with `X-Background: 1` (a page's timer-driven polling, which is not the user's activity).",
    responses: { 200: { description: "The caller.", schema: currentSessionSchema } },
  },
  end: {
    method: "delete", path: "/sessions/current", tag: "sessions", summary: "Sign out",
    description: "Ends the session of the cookie sent (with its X-CSRF-Token) and clears the cookie. With a bearer token there is no session: nothing ends.",
    responses: { 204: { description: "Signed out; the cookie is cleared." } },
  },
});

function sessionJson(s: SessionInfo) {
  return {
    token_name: s.principal.tokenName,
    expires_at: s.expiresAt.toISOString(),
    idle_expires_at: s.idleExpiresAt.toISOString(),
    csrf_token: s.csrfToken,
  };
}

function sessionOf(res: Response): SessionInfo | undefined {
  const s: unknown = res.locals.session;
  return s && typeof s === "object" && "csrfToken" in s ? (s as SessionInfo) : undefined;
}

/**
 * `signIns` limits sign-in attempts per client address (`req.ip`, which follows TRUST_PROXY). Every
 * attempt counts, successful or not, and is counted before its token is checked: concurrent guesses
 * cannot outrun the count, and an admin signs in a few times a day. A request refused as cross-site
 * is refused first and not counted, so another site's page cannot spend a browser's attempts.
 */
export function sessionsRouter(sessions: SessionService, signIns: AttemptLimiter): Router {
  const r = Router();

  route(r, sessionRoutes.create, async (req, res) => {
    const foreign = originRefusal(req);
    if (foreign) throw new AdminError(403, foreign);
    signIns.take(req.ip ?? "unknown");
    const { token } = parseBody(signInBody, req.body);
    const made = await sessions.create(token).catch((e: unknown) => Promise.reject(e instanceof SessionError ? new AdminError(401, e.message) : e));
    setSessionCookie(req, res, made.secret, made.info.expiresAt);
    res.status(201).json(sessionJson(made.info));
  });

  route(r, sessionRoutes.current, (_req, res) => {
    const session = sessionOf(res);
    res.json({ token_name: principalOf(res)?.tokenName ?? "unknown", via: session ? "session" : "token", session: session ? sessionJson(session) : null });
  });

  route(r, sessionRoutes.end, async (req, res) => {
    const secret = sessionSecretOf(req);
    if (secret !== undefined && sessionOf(res)) await sessions.end(secret);
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  return r;
}
