import type { NextFunction, Request, RequestHandler, Response } from "express";
import passport from "passport";
import { Strategy as BearerStrategy } from "passport-http-bearer";
import { AdminError } from "../admin/errors";
import { ScimError } from "../scim/errors";
import type { TokenScope } from "./token-format";
import type { Principal, TokenService } from "./token-service";
import { noteRefusedToken } from "../http/request-notes";
import { clearSessionCookie, csrfRefusal, isBackgroundRequest, sessionSecretOf } from "./session-cookie";
import { csrfTokensEqual, type SessionService } from "./session-service";

/**
 * Authentication bound to each mounted API: whatever Express routes into `/scim/v2` has passed
 * `requireScope("scim")` first, and likewise for the admin API, so no path spelling can reach a
 * router without it (paths are normalised before routing, see src/http/normalize-path.ts).
 *
 * - `Authorization: Bearer <token>` (scheme case-insensitive) through passport-http-bearer;
 * - on the admin API also Coder's `Coder-Session-Token: <token>` header;
 * - tokens in the URL (`?access_token=`) are refused: URLs end up in access logs and proxies.
 * - on the admin API also the browser session cookie (src/auth/session-cookie.ts), when no token
 *   header is sent; its state-changing requests must pass the CSRF checks (403 otherwise). Sign-in,
 *   `POST /api/v2/sessions`, needs no credentials: it checks the token in its body. The SCIM API
 *   never accepts the cookie. A cookie request marked `X-Background: 1` (a page's polling) is
 *   authenticated the same way but does not keep the session from its idle timeout.
 * Missing, unknown or revoked token → 401; a valid token of the other scope → 403.
 */

type Protocol = "scim" | "admin";

const REALM = 'Bearer realm="scim-bridge"';

function fail(protocol: Protocol, status: 403, message: string): Error {
  return protocol === "scim" ? new ScimError(status, message) : new AdminError(status, message);
}

/** A 401, with the challenge RFC 6750 §3 requires on it (and only on it: a 200 or a 403 carries none). */
function unauthorized(res: Response, protocol: Protocol, message: string): Error {
  res.setHeader("WWW-Authenticate", REALM);
  return protocol === "scim" ? new ScimError(401, message) : new AdminError(401, message);
}

export function principalOf(res: Response): Principal | undefined {
  const p: unknown = res.locals.principal;
  return p && typeof p === "object" && "tokenId" in p ? (p as Principal) : undefined;
}

/** Sign-in: the one admin route reached without credentials (the token is in its body). */
function isSignIn(req: Request): boolean {
  return req.method === "POST" && /^\/sessions\/?$/.test(req.path);
}

export function createAuth(tokens: TokenService, sessions?: SessionService) {
  // A private passport instance: no process-wide singleton state.
  const authenticator = new passport.Passport();
  authenticator.use(
    new BearerStrategy((token, done) => {
      tokens.verify(token).then(
        (principal) => done(null, principal ?? false),
        (err: unknown) => done(err),
      );
    }),
  );

  function accept(res: Response, next: NextFunction, principal: Principal, scope: TokenScope, protocol: Protocol): void {
    if (principal.scope !== scope) {
      noteRefusedToken(res, principal.tokenName);
      next(fail(protocol, 403, `this token has scope "${principal.scope}"; ${protocol === "scim" ? "/scim/v2" : "/api/v2"} needs a token with scope "${scope}"`));
      return;
    }
    res.locals.principal = principal;
    next();
  }

  return function requireScope(scope: TokenScope, protocol: Protocol): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const query = req.query as Record<string, unknown>;
      if (query.access_token !== undefined) {
        next(unauthorized(res, protocol, "tokens in the URL are not accepted; send Authorization: Bearer <token>"));
        return;
      }
      const coderHeader = req.get("coder-session-token");
      if (protocol === "admin" && isSignIn(req)) {
        next();
        return;
      }
      const secret = protocol === "admin" && sessions && req.get("authorization") === undefined && coderHeader === undefined ? sessionSecretOf(req) : undefined;
      if (secret !== undefined && sessions) {
        sessions.resolve(secret, { background: isBackgroundRequest(req) }).then((session) => {
          if (!session) {
            // The browser drops the dead cookie: a page then knows to show sign-in.
            clearSessionCookie(req, res);
            next(unauthorized(res, protocol, "the session has ended (signed out, expired or its token revoked): sign in again"));
            return;
          }
          const refusal = csrfRefusal(req, session.csrfToken, csrfTokensEqual);
          if (refusal) {
            next(new AdminError(403, refusal));
            return;
          }
          res.locals.session = session;
          accept(res, next, session.principal, scope, protocol);
        }, next);
        return;
      }
      if (protocol === "admin" && coderHeader !== undefined && req.get("authorization") === undefined) {
        tokens.verify(coderHeader.trim()).then((principal) => {
          if (!principal) next(unauthorized(res, protocol, "invalid or revoked token"));
          else accept(res, next, principal, scope, protocol);
        }, next);
        return;
      }
      const handler = authenticator.authenticate("bearer", { session: false }, (err: unknown, user: Principal | false) => {
        if (err) {
          next(err);
          return;
        }
        if (!user) {
          const missing = !req.get("authorization");
          next(unauthorized(res, protocol, missing ? "missing bearer token (Authorization: Bearer <token>)" : "invalid or revoked token"));
          return;
        }
        accept(res, next, user, scope, protocol);
      }) as RequestHandler;
      void handler(req, res, next);
    };
  };
}
