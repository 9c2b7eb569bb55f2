import { Router } from "express";
import type { BaseUrlResolver } from "../http/base-url";
import { notFound, sendScim } from "../http/errors";
import type { Logger } from "../log/logger";
import { bulkRouter } from "./bulk/router";
import { CAPABILITIES, serviceProviderConfig, withBulk, type BulkLimits } from "./capabilities";
import { ScimError } from "./errors";
import type { ScimOperationObserver } from "./operation-observer";
import { resourceOperations } from "./resource-operations";
import { resourceRouter } from "./resource-router";
import type { ResourceService } from "./resource-service";
import { rootRouter } from "./root-router";
import type { RootSearch } from "./root-search";
import { resourceTypeDocument, resourceTypesList, schemaDocument, schemasList, allSchemas } from "./schema/discovery";

/**
 * The SCIM service (RFC 7644), mounted behind authentication and body parsing: discovery documents,
 * one generic resource router per served resource type, and queries at the root across them all.
 * Discovery lists only what is served.
 * Paths are matched case-insensitively, as IdPs vary.
 */
export interface ScimResource {
  service: ResourceService;
  detached?: readonly string[];
}

export interface ScimRouterDeps {
  baseUrl: BaseUrlResolver;
  resources: readonly ScimResource[];
  bulk: BulkLimits;
  logger: Logger;
  root: RootSearch;
  /** Told the outcome of every resource operation, single or in a Bulk request (metrics). */
  observe?: ScimOperationObserver;
}

export function scimRouter(deps: ScimRouterDeps): Router {
  const r = Router({ caseSensitive: false });
  const served = deps.resources.map((x) => x.service.resourceType);
  const base = (req: Parameters<BaseUrlResolver>[0]) => `${deps.baseUrl(req)}${req.baseUrl}`;
  const capabilities = withBulk(CAPABILITIES, deps.bulk);

  r.get("/ServiceProviderConfig", (req, res) => {
    sendScim(res, 200, serviceProviderConfig(capabilities, base(req)));
  });
  r.get("/Schemas", (req, res) => {
    sendScim(res, 200, schemasList(served, base(req)));
  });
  r.get("/Schemas/:id", (req, res) => {
    const schema = allSchemas(served).find((s) => s.id.toLowerCase() === String(req.params.id).toLowerCase());
    if (!schema) throw ScimError.notFound(`schema ${String(req.params.id)} not found`);
    sendScim(res, 200, schemaDocument(schema, base(req)));
  });
  r.get("/ResourceTypes", (req, res) => {
    sendScim(res, 200, resourceTypesList(served, base(req)));
  });
  r.get("/ResourceTypes/:id", (req, res) => {
    const rt = served.find((t) => t.name.toLowerCase() === String(req.params.id).toLowerCase());
    if (!rt) throw ScimError.notFound(`resource type ${String(req.params.id)} not found`);
    sendScim(res, 200, resourceTypeDocument(rt, base(req)));
  });

  // RFC 7644 §3.7: each operation through the same writes as the resource routers below (and so counted alike).
  const writes = deps.resources.map((x) => resourceOperations(x.service, x.detached ?? [], deps.observe));
  r.use(bulkRouter({ baseUrl: deps.baseUrl, writes, limits: deps.bulk, logger: deps.logger }));
  for (const w of writes) {
    r.use(w.resourceType.endpoint, resourceRouter({ writes: w, baseUrl: deps.baseUrl, maxResults: CAPABILITIES.filter.maxResults, ...(deps.observe ? { observe: deps.observe } : {}) }));
  }
  // `GET /` and `POST /.search` (RFC 7644 §3.4.2.1): after the resource routers, whose paths it never matches.
  r.use(rootRouter({ services: deps.resources.map((x) => x.service), search: deps.root, baseUrl: deps.baseUrl, maxResults: CAPABILITIES.filter.maxResults, ...(deps.observe ? { observe: deps.observe } : {}) }));
  r.use(notFound("scim"));
  return r;
}
