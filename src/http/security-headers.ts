import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * helmet's headers, with the two that assume HTTPS sent only on requests that came over HTTPS
 * (`req.secure`: the bridge itself speaks plain HTTP, so that is an `X-Forwarded-Proto: https` from a
 * proxy TRUST_PROXY names). Over plain HTTP, `Strict-Transport-Security` would be ignored at best, and
 * CSP's `upgrade-insecure-requests` makes a browser fetch every asset of a page over HTTPS, which a
 * bridge reached at http://10.0.0.5:8080 (the compose setup) doesn't serve: the page wouldn't load.
 */
export function securityHeaders(): RequestHandler {
  const overHttps = helmet();
  const overHttp = helmet({
    strictTransportSecurity: false,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  return (req, res, next) => (req.secure ? overHttps : overHttp)(req, res, next);
}
