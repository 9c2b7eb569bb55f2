import express, { type RequestHandler } from "express";
import type { Protocol } from "./errors";
import { ScimError } from "../scim/errors";
import { AdminError } from "../admin/errors";

/**
 * JSON request bodies for both APIs. SCIM clients send `application/scim+json` or
 * `application/json`, sometimes with a charset; Okta sometimes sends no Content-Type at all, so a
 * body without one is read as JSON. Any other declared type is refused with 415. Bodies are read
 * after authentication (the parser is mounted behind it), so unauthenticated callers cost nothing.
 * Oversized bodies are cut off at the limit and answered 413 by the error handler.
 */

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

function hasBody(req: express.Request): boolean {
  const len = req.get("content-length");
  return req.get("transfer-encoding") !== undefined || (len !== undefined && len !== "0");
}

export function jsonBody(limitBytes: number, protocol: Exclude<Protocol, "plain">): RequestHandler[] {
  const refuseOtherTypes: RequestHandler = (req, _res, next) => {
    const type = req.get("content-type");
    if (hasBody(req) && type && !JSON_TYPE.test(type)) {
      const message = `Content-Type ${type.split(";")[0]} is not accepted; send application/scim+json or application/json`;
      next(protocol === "scim" ? new ScimError(415, message) : new AdminError(415, message));
      return;
    }
    next();
  };
  const parse = express.json({
    limit: limitBytes,
    type: (req) => {
      const type = req.headers["content-type"];
      return !type || JSON_TYPE.test(type);
    },
  });
  return [refuseOtherTypes, parse];
}
