import type { RequestHandler } from "express";
import { ScimError } from "../scim/errors";
import { sendScim } from "./errors";
import { noteFailure } from "./request-notes";

/**
 * Decodes and normalises the request path before anything decides on it, so that the routes and
 * the authentication bound to them see one canonical path: `/scim/v2/%55sers` is `/scim/v2/Users`,
 * `/scim/v2/x/../Users` is `/scim/v2/Users`, `//scim//v2/Users` is `/scim/v2/Users`. An encoded
 * slash, backslash or control character could make a path mean two things, so it is refused.
 */

export type NormalizedPath = { ok: true; path: string } | { ok: false; reason: string };

export function normalizePath(rawPath: string): NormalizedPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, reason: "the request path has a malformed percent-encoding" };
  }
  if (/%2f|%5c/i.test(rawPath) || decoded.includes("\\") || /[\u0000-\u001f\u007f]/.test(decoded)) {
    return { ok: false, reason: "the request path contains an encoded slash, a backslash or a control character" };
  }
  const out: string[] = [];
  for (const segment of decoded.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      out.pop();
      continue;
    }
    out.push(segment);
  }
  const trailing = decoded.length > 1 && decoded.endsWith("/") && out.length > 0 ? "/" : "";
  return { ok: true, path: `/${out.join("/")}${trailing}` };
}

/** Re-encodes a normalised path for `req.url` (Express decodes route parameters itself). */
function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) => encodeURIComponent(s).replace(/%40/g, "@").replace(/%3A/gi, ":"))
    .join("/");
}

/** `/scim/v2/…` or `/api/v2/scim/v2/…`, however the slashes are doubled or the letters cased. */
const SCIM_PATH = /^\/+(api\/+v2\/+)?scim\/+v2(\/|$)/i;

/** Rewrites `req.url` to the canonical path, or answers 400 when the path is ambiguous. */
export function normalizePathMiddleware(): RequestHandler {
  return (req, res, next) => {
    const q = req.url.indexOf("?");
    const rawPath = q === -1 ? req.url : req.url.slice(0, q);
    const result = normalizePath(rawPath);
    if (!result.ok) {
      // Nothing is mounted yet: answer in the envelope of the API the path is under (SCIM's, or the
      // `{message}` the admin API and the rest share). A NUL or other control character in an id lands here.
      noteFailure(res, { detail: result.reason, ...(SCIM_PATH.test(rawPath) ? { scimType: "invalidValue" } : {}) });
      if (SCIM_PATH.test(rawPath)) sendScim(res, 400, ScimError.badRequest("invalidValue", result.reason).toBody());
      else res.status(400).json({ message: result.reason });
      return;
    }
    const canonical = encodePath(result.path);
    if (canonical !== rawPath) req.url = canonical + (q === -1 ? "" : req.url.slice(q));
    next();
  };
}
