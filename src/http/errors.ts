import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { AdminError } from "../admin/errors";
import type { Logger } from "../log/logger";
import { DirectoryError } from "../directory/errors";
import { ScimError } from "../scim/errors";
import { RateLimitedError } from "./rate-limit";
import { noteFailure } from "./request-notes";

/**
 * The one place where errors become HTTP responses. Each mounted API marks its requests with the
 * protocol it speaks (`markProtocol`); an error is then rendered in that protocol's envelope:
 * RFC 7644 §3.12 for SCIM, Coder's `{message, detail, validations}` for the admin API.
 */

export type Protocol = "scim" | "admin" | "plain";

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";

export function markProtocol(protocol: Protocol): RequestHandler {
  return (_req, res, next) => {
    res.locals.protocol = protocol;
    next();
  };
}

function protocolOf(res: Response): Protocol {
  const p: unknown = res.locals.protocol;
  return p === "scim" || p === "admin" ? p : "plain";
}

/** A failure the HTTP layer knows how to describe, independent of protocol. */
interface Problem {
  status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 429 | 500 | 503;
  message: string;
  scimType?: "invalidSyntax";
}

/** Connection-level failures that mean "the database is unavailable", not "the thing is missing". */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "57P01", "57P02", "57P03", "08000", "08003", "08006",
  // Prisma's: can't reach the server, timed out, server closed the connection, no pool connection in time.
  "P1001", "P1002", "P1008", "P1017", "P2024",
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && cur && typeof cur === "object"; depth++) {
    const o = cur as { code?: unknown; message?: unknown; cause?: unknown; kind?: unknown };
    if (typeof o.code === "string" && UNAVAILABLE_CODES.has(o.code)) return true;
    if (typeof o.message === "string" && /Connection terminated|Can't reach database server|connection timeout|timeout exceeded when trying to connect|Cannot use a pool after calling end|PGlite is closed/i.test(o.message)) return true;
    cur = o.cause;
  }
  return false;
}

/** body-parser's errors carry `type` and `status`. */
function bodyParserProblem(err: unknown, limit: number): Problem | undefined {
  if (!err || typeof err !== "object" || !("type" in err)) return undefined;
  switch ((err as { type: unknown }).type) {
    case "entity.too.large":
      return { status: 413, message: `request body must not exceed ${limit} bytes` };
    case "entity.parse.failed":
      return { status: 400, message: "request body is not valid JSON", scimType: "invalidSyntax" };
    case "encoding.unsupported":
    case "charset.unsupported":
      return { status: 415, message: "request body must be UTF-8 encoded JSON" };
    case "request.aborted":
    case "request.size.invalid":
      return { status: 400, message: "request body could not be read" };
    default:
      return undefined;
  }
}

export function sendScim(res: Response, status: number, body: unknown): void {
  // Straight to Node's response: Express's send() (charset negotiation, freshness, ETag checks that
  // are off here anyway) cost more CPU than the rest of a SCIM read. Node drops the body of a HEAD.
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", SCIM_CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

function render(res: Response, protocol: Protocol, p: Problem): void {
  noteFailure(res, { detail: p.message, ...(p.scimType ? { scimType: p.scimType } : {}) });
  if (protocol === "scim") {
    const e = p.scimType ? new ScimError(p.status, p.message, p.scimType) : new ScimError(p.status, p.message);
    sendScim(res, p.status, e.toBody());
  } else {
    res.status(p.status).json(new AdminError(p.status, p.message).toBody());
  }
}

const directoryStatus = (err: DirectoryError) => ({ notFound: 404, conflict: 409, preconditionFailed: 412, invalid: 400, gone: 410 }[err.kind] as 404 | 409 | 412 | 400 | 410);

/**
 * A SCIM or record-layer error as the SCIM error it is answered with; undefined for anything else
 * (a bug or an outage, answered 500 or 503). Also used for each operation of a Bulk request.
 */
export function scimErrorOf(err: unknown): ScimError | undefined {
  if (err instanceof ScimError) return err;
  if (!(err instanceof DirectoryError)) return undefined;
  const scimType = err.kind === "conflict" ? "uniqueness" : err.kind === "invalid" ? "invalidValue" : undefined;
  return new ScimError(directoryStatus(err), err.message, scimType);
}

/** The one translation of record-layer errors into each protocol. */
function renderDirectoryError(res: Response, protocol: Protocol, err: DirectoryError): void {
  const status = directoryStatus(err);
  const scim = scimErrorOf(err)!;
  noteFailure(res, { detail: err.message, ...(protocol === "scim" && scim.scimType ? { scimType: scim.scimType } : {}) });
  if (protocol === "scim") {
    sendScim(res, status, scim.toBody());
  } else {
    res.status(status).json(new AdminError(status, err.message, err.validations ? { validations: err.validations } : {}).toBody());
  }
}

export function errorHandler(deps: { logger: Logger; bodyLimitBytes: number }): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const protocol = protocolOf(res);
    if (err instanceof ScimError) {
      noteFailure(res, { detail: err.detail, ...(err.scimType ? { scimType: err.scimType } : {}) });
      sendScim(res, err.status, err.toBody());
      return;
    }
    if (err instanceof AdminError) {
      noteFailure(res, { detail: err.detail === undefined ? err.message : `${err.message}: ${err.detail}` });
      res.status(err.status).json(err.toBody());
      return;
    }
    if (err instanceof DirectoryError) {
      renderDirectoryError(res, protocol, err);
      return;
    }
    if (err instanceof RateLimitedError) {
      res.setHeader("Retry-After", String(err.retryAfterSeconds));
      render(res, protocol, { status: 429, message: err.message });
      return;
    }
    const parsed = bodyParserProblem(err, deps.bodyLimitBytes);
    if (parsed) {
      render(res, protocol, parsed);
      return;
    }
    if (isDatabaseUnavailable(err)) {
      deps.logger.error("database unavailable", { requestId: res.locals.requestId, error: String(err) });
      res.setHeader("Retry-After", "5");
      render(res, protocol, { status: 503, message: "the database is unavailable; retry later" });
      return;
    }
    deps.logger.error("unhandled error", {
      requestId: res.locals.requestId,
      method: req.method,
      path: req.path,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    render(res, protocol, { status: 500, message: "internal error; see the server log for request id " + String(res.locals.requestId) });
  };
}

/** The last route of a mounted API: anything it does not serve is a 404 in its own envelope. */
export function notFound(protocol: Protocol): RequestHandler {
  return (req, res) => {
    render(res, protocol, { status: 404, message: `${req.method} ${req.originalUrl.split("?")[0]} is not served here` });
  };
}
