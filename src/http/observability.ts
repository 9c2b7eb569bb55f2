import { randomUUID } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import type { Logger } from "../log/logger";

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

/** The route pattern (not the concrete path) keeps metric cardinality bounded. */
function routeLabel(req: Request): string {
  const route: unknown = req.route;
  if (route && typeof route === "object" && "path" in route && typeof route.path === "string") {
    return `${req.baseUrl}${route.path}`;
  }
  return req.baseUrl ? `${req.baseUrl}/*` : "unmatched";
}

export function requestContext(deps: { logger: Logger; metrics: Metrics }): RequestHandler {
  return (req: Request, res: Response, next) => {
    const incoming = req.get("x-request-id");
    const id = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      deps.metrics.requests.inc(labels);
      deps.metrics.duration.observe(labels, seconds);
      // Winston builds and pipes the entry even when the level is off: not on every request.
      if (!deps.logger.isLevelEnabled("info")) return;
      const principal: unknown = res.locals.principal;
      // The path only: query strings can carry personal data (filter values); never headers.
      deps.logger.info("request", {
        requestId: id,
        method: req.method,
        path: req.originalUrl.split("?")[0],
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        // The TCP peer, or the client a proxy named in X-Forwarded-For when TRUST_PROXY trusts that proxy.
        clientIp: req.ip,
        ...(principal && typeof principal === "object" && "tokenName" in principal ? { tokenName: principal.tokenName } : {}),
      });
    });
    next();
  };
}
