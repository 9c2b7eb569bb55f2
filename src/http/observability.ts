import { randomUUID } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import type { Logger } from "../log/logger";
import { failureOf, tokenNameOf } from "./request-notes";

/**
 * Request ids, one log line per request, and Prometheus metrics. The registry belongs to one app
 * instance (not prom-client's global default), so several apps in one process (tests) don't clash.
 */

export interface Metrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  duration: Histogram<"method" | "route" | "status">;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: "bridge_http_requests_total",
      help: "HTTP requests by method, route and status",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: "bridge_http_request_duration_seconds",
      help: "HTTP request latency by method, route and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The route template (`/api/v2/tokens/:id`, never the concrete path: metric cardinality stays bounded)
 * for logs and metrics. It is taken when the router matches the route (it sets `req.route`), because by
 * the time the response finishes an error passed to `next()` has restored `req.baseUrl` to the app's,
 * and the label would lose its mount (`/tokens`). A request no route matched is labelled by the
 * deepest mount it entered (`/api/v2/*`: refused by authentication), else `unmatched`.
 */
function routeLabeller(req: Request): () => string {
  let route: unknown;
  let label: string | undefined;
  let mount = "";
  let baseUrl: string = req.baseUrl ?? "";
  Object.defineProperty(req, "baseUrl", {
    configurable: true,
    enumerable: true,
    get: () => baseUrl,
    set(value: string) {
      baseUrl = value;
      if (value.length > mount.length) mount = value;
    },
  });
  Object.defineProperty(req, "route", {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      // A mounted router's root route (`/` under `/scim/v2/Users`) is the mount itself.
      if (value && typeof value === "object" && "path" in value && typeof value.path === "string") label = value.path === "/" && baseUrl ? baseUrl : `${baseUrl}${value.path}`;
    },
  });
  return () => label ?? (mount ? `${mount}/*` : "unmatched");
}

/** Probes are polled every few seconds: their lines would drown the rest at `info`. */
const PROBE_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

export function requestContext(deps: { logger: Logger; metrics: Metrics }): RequestHandler {
  return (req: Request, res: Response, next) => {
    const incoming = req.get("x-request-id");
    const id = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    const start = process.hrtime.bigint();
    const routeLabel = routeLabeller(req);
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeLabel();
      const labels = { method: req.method, route, status: String(res.statusCode) };
      deps.metrics.requests.inc(labels);
      deps.metrics.duration.observe(labels, seconds);
      const level = PROBE_ROUTES.has(route) ? "debug" : "info";
      // Winston builds and pipes the entry even when the level is off: not on every request.
      if (!deps.logger.isLevelEnabled(level)) return;
      const tokenName = tokenNameOf(res);
      // A refused request says why (the detail its client got, the scimType), so an admin can answer "why 400?".
      const failure = res.statusCode >= 400 ? failureOf(res) : undefined;
      // The path only: query strings can carry personal data (filter values); never headers.
      deps.logger.log(level, "request", {
        requestId: id,
        method: req.method,
        route,
        path: req.originalUrl.split("?")[0],
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        // The TCP peer, or the client a proxy named in X-Forwarded-For when TRUST_PROXY trusts that proxy.
        clientIp: req.ip,
        ...(tokenName !== undefined ? { tokenName } : {}),
        ...(failure?.scimType !== undefined ? { scimType: failure.scimType } : {}),
        ...(failure ? { detail: failure.detail } : {}),
      });
    });
    next();
  };
}
