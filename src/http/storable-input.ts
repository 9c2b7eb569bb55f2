import type { RequestHandler } from "express";
import { AdminError } from "../admin/errors";
import { ScimError } from "../scim/errors";
import { describeUnstorable, findUnstorable, type UnstorableFound } from "../text/storable";
import type { Protocol } from "./errors";

/**
 * Refuses, before any handler runs, a request whose JSON body or query string holds a string the
 * database can't store (src/text/storable.ts: U+0000, lone surrogates), keys included: 400 in the
 * API's envelope naming where it is (SCIM `invalidValue`; admin `validations`). Route parameters
 * are covered earlier: the path normaliser refuses control characters, and a percent-encoded lone
 * surrogate is malformed UTF-8 there.
 *
 * `uncheckedBodyKeys`: top-level body members left to their handler (an import's `data`, where one
 * bad record is one error line of the report, not a refusal of the whole export).
 */

export interface StorableInputOptions {
  uncheckedBodyKeys?: readonly string[];
}

function refusal(protocol: Exclude<Protocol, "plain">, found: UnstorableFound, where: "body" | "query"): Error {
  const { field, detail } = describeUnstorable(found, where === "query" ? "parameter" : "attribute");
  if (protocol === "scim") return ScimError.badRequest("invalidValue", `${where === "query" ? "query parameter " : ""}${field}: ${detail}`);
  return new AdminError(400, where === "query" ? "Invalid query parameters." : "Validation failed.", { validations: [{ field, detail }] });
}

function checkedBody(body: unknown, unchecked: readonly string[]): unknown {
  if (unchecked.length === 0 || body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) rest[k] = unchecked.includes(k) ? null : v;
  return rest;
}

export function refuseUnstorable(protocol: Exclude<Protocol, "plain">, opts: StorableInputOptions = {}): RequestHandler {
  const unchecked = opts.uncheckedBodyKeys ?? [];
  return (req, _res, next) => {
    const inQuery = findUnstorable(req.query);
    if (inQuery) return next(refusal(protocol, inQuery, "query"));
    const inBody = req.body === undefined ? undefined : findUnstorable(checkedBody(req.body, unchecked));
    if (inBody) return next(refusal(protocol, inBody, "body"));
    next();
  };
}
