import { Router, type Request, type Response } from "express";
import { principalOf } from "../../auth/middleware";
import type { BaseUrlResolver } from "../../http/base-url";
import { isDatabaseUnavailable, sendScim } from "../../http/errors";
import type { Logger } from "../../log/logger";
import type { BulkLimits } from "../capabilities";
import { ScimError } from "../errors";
import type { ResourceOperations } from "../resource-operations";
import { parseBulkRequest } from "./request";
import { runBulk } from "./run";

/**
 * `POST /Bulk` (RFC 7644 §3.7): parse, run every operation, answer 200 with a BulkResponse whatever
 * each operation's outcome (the request as a whole succeeded; each result says how its operation
 * went). The body limit (maxPayloadSize) is applied by the body parser mounted for this route
 * (src/app.ts); maxOperations here. One HTTP request: it counts once against RATE_LIMIT.
 */

export interface BulkRouterDeps {
  baseUrl: BaseUrlResolver;
  writes: readonly ResourceOperations[];
  limits: BulkLimits;
  logger: Logger;
}

export function bulkRouter(deps: BulkRouterDeps): Router {
  const r = Router({ caseSensitive: false });
  const resourceTypes = deps.writes.map((w) => w.resourceType);

  /** As the error handler answers a failure it doesn't know, but for one operation. */
  const unexpected = (req: Request, res: Response) => (err: unknown, index: number) => {
    const requestId = String(res.locals.requestId);
    if (isDatabaseUnavailable(err)) {
      deps.logger.error("database unavailable", { requestId, operation: index, error: String(err) });
      // The operations left would fail the same way: the client retries those not listed.
      return { error: new ScimError(503, "the database is unavailable; retry this operation and those not listed later"), stop: true };
    }
    deps.logger.error("unhandled error", { requestId, method: req.method, path: req.path, operation: index, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    return { error: new ScimError(500, `internal error; see the server log for request id ${requestId}`), stop: false };
  };

  r.post("/Bulk", async (req, res) => {
    const request = parseBulkRequest(req.body, { resourceTypes, maxOperations: deps.limits.maxOperations });
    const response = await runBulk(request, {
      writes: deps.writes,
      base: `${deps.baseUrl(req)}${req.baseUrl}`,
      actor: principalOf(res)?.tokenName ?? "unknown",
      unexpected: unexpected(req, res),
    });
    sendScim(res, 200, response);
  });
  r.all("/Bulk", (_req, res) => {
    res.setHeader("Allow", "POST");
    throw new ScimError(405, "this endpoint supports POST");
  });
  return r;
}
