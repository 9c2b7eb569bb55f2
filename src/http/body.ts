import express, { type RequestHandler } from "express";
import type { Protocol } from "./errors";
import { ScimError } from "../scim/errors";
import { AdminError } from "../admin/errors";
import { refuseUnstorable, type StorableInputOptions } from "./storable-input";

/**
 * JSON request bodies for both APIs. SCIM clients send `application/scim+json` or
 * `application/json`, sometimes with a charset; Okta sometimes sends no Content-Type at all, so a
 * body without one is read as JSON. Any other declared type is refused with 415. Bodies are read
 * after authentication (the parser is mounted behind it), so unauthenticated callers cost nothing.
 * Oversized bodies are cut off at the limit and answered 413 by the error handler; a compressed body
 * (Content-Encoding gzip, deflate, br) is inflated as it is read and its inflated size counts against
 * the same limit, so a small zip bomb is a 413 too. Encodings body-parser doesn't decode are 415. Then
 * every string of the body and of the query string must be storable (src/http/storable-input.ts).
 */

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

function hasBody(req: express.Request): boolean {
  const len = req.get("content-length");
  return req.get("transfer-encoding") !== undefined || (len !== undefined && len !== "0");
}

/**
 * body-parser hands a decompression failure (zlib's or brotli's error, bytes that don't match the
 * Content-Encoding) to `next` without its usual `type`, so it would fall through to a 500: it is the
 * client's malformed body, a 400.
 */
function decompressionFailure(err: unknown, encoding: string | undefined): boolean {
  return encoding !== undefined && encoding.toLowerCase() !== "identity" && err !== null && typeof err === "object" && !("type" in err) && (err as { status?: unknown }).status === 400;
}

export function jsonBody(limitBytes: number, protocol: Exclude<Protocol, "plain">, opts: StorableInputOptions = {}): RequestHandler[] {
  const refuseOtherTypes: RequestHandler = (req, _res, next) => {
    const type = req.get("content-type");
    if (hasBody(req) && type && !JSON_TYPE.test(type)) {
      const message = `Content-Type ${type.split(";")[0]} is not accepted; send application/scim+json or application/json`;
      next(protocol === "scim" ? new ScimError(415, message) : new AdminError(415, message));
      return;
    }
    next();
  };
  const json = express.json({
    limit: limitBytes,
    type: (req) => {
      const type = req.headers["content-type"];
      return !type || JSON_TYPE.test(type);
    },
  });
  const parse: RequestHandler = (req, res, next) =>
    json(req, res, (err?: unknown) => {
      const encoding = req.get("content-encoding");
      if (err === undefined || !decompressionFailure(err, encoding)) return next(err);
      const message = `request body could not be decompressed: it is not valid ${encoding} data (Content-Encoding: ${encoding})`;
      next(protocol === "scim" ? ScimError.badRequest("invalidSyntax", message) : new AdminError(400, message));
    });
  return [refuseOtherTypes, parse, refuseUnstorable(protocol, opts)];
}
