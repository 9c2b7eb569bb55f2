import { Router } from "express";
import type { BaseUrlResolver } from "../http/base-url";
import { notFound, sendScim } from "../http/errors";
import { CAPABILITIES, serviceProviderConfig } from "./capabilities";

/**
 * The SCIM service (RFC 7644), mounted behind authentication and body parsing. Handlers are thin:
 * parse, call one service, serialise. Paths are matched case-insensitively, as IdPs vary.
 */
export function scimRouter(deps: { baseUrl: BaseUrlResolver }): Router {
  const r = Router({ caseSensitive: false });

  // RFC 7644 §4: what this service provider supports, derived from CAPABILITIES.
  r.get("/ServiceProviderConfig", (req, res) => {
    sendScim(res, 200, serviceProviderConfig(CAPABILITIES, `${deps.baseUrl(req)}${req.baseUrl}`));
  });

  r.use(notFound("scim"));
  return r;
}
