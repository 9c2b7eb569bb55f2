import { Router, type Request, type Response } from "express";
import { principalOf } from "../auth/middleware";
import type { BaseUrlResolver } from "../http/base-url";
import { sendScim } from "../http/errors";
import { ScimError } from "./errors";
import { parseFilter } from "./filter/parse";
import { boundListParams, readListParams } from "./list-query";
import { parseProjection, project, showsAttribute, type Projection } from "./projection";
import { listResponse, locationOf, renderResource } from "./render";
import { observed, type ScimOperation, type ScimOperationObserver } from "./operation-observer";
import type { ResourceOperations } from "./resource-operations";
import { etagOf, type ResourceRecord, type WriteContext } from "./resource-service";
import { resolvePath } from "./schema/resolve";

/**
 * One router for every resource type (RFC 7644 §3): list, `.search`, get, create, replace, patch,
 * delete. Handlers parse, call the resource service once, and render; the protocol rules live in the
 * pure modules they call. Writes go through resource-operations.ts, as Bulk operations do. Mounted at
 * the resource type's endpoint (`/Users`, `/Groups`).
 */

export interface ResourceRouterDeps {
  /** The resource type's writes (shared with Bulk); reads go to its service. */
  writes: ResourceOperations;
  baseUrl: BaseUrlResolver;
  /** The ServiceProviderConfig's filter.maxResults: the largest page served. */
  maxResults: number;
  /** Told the outcome of every read (writes report through `writes`). */
  observe?: ScimOperationObserver;
}

export function resourceRouter(deps: ResourceRouterDeps): Router {
  const { writes } = deps;
  const service = writes.service;
  const rt = service.resourceType;
  const r = Router({ caseSensitive: false });
  const counted = (operation: ScimOperation, res: Response, fn: () => Promise<void>) => observed(deps.observe, { resourceType: rt.name, operation, token: principalOf(res)?.tokenName ?? "unknown" }, fn);

  const base = (req: Request) => `${deps.baseUrl(req)}${req.baseUrl.slice(0, req.baseUrl.length - rt.endpoint.length)}`;
  const ctx = (req: Request, res: Response): WriteContext => ({ actor: principalOf(res)?.tokenName ?? "unknown", ifMatch: req.get("if-match") });
  const projectionOf = (q: Record<string, unknown>): Projection => {
    const p = readListParams(q);
    return parseProjection(rt, { attributes: p.attributes, excludedAttributes: p.excludedAttributes });
  };
  const send = (req: Request, res: Response, status: number, record: ResourceRecord, projection: Projection) => {
    res.setHeader("ETag", etagOf(record.version));
    sendScim(res, status, project(rt, renderResource(rt, record, base(req)), projection));
  };

  async function list(req: Request, res: Response, source: Record<string, unknown>): Promise<void> {
    const params = boundListParams(readListParams(source), deps.maxResults);
    const projection = parseProjection(rt, params);
    const sortBy = params.sortBy === undefined ? undefined : resolvePath(rt, params.sortBy);
    if (params.sortBy !== undefined && !sortBy) throw ScimError.badRequest("invalidValue", `sortBy: unknown attribute "${params.sortBy}"`);
    const result = await service.list({
      filter: params.filter === undefined ? undefined : parseFilter(rt, params.filter),
      startIndex: params.startIndex,
      count: params.count,
      sortBy,
      sortOrder: params.sortOrder,
      withMembers: showsAttribute(projection, "members"),
    });
    const resources = result.records.map((rec) => project(rt, renderResource(rt, rec, base(req)), projection));
    sendScim(res, 200, listResponse(result.total, params.startIndex, resources));
  }

  r.get("/", (req, res) => counted("list", res, () => list(req, res, req.query as Record<string, unknown>)));
  // RFC 7644 §3.4.3: the same query in a body, for filters too long or too private for a URL.
  r.post("/.search", (req, res) => counted("list", res, () => list(req, res, (req.body ?? {}) as Record<string, unknown>)));

  r.get("/:id", (req, res) =>
    counted("get", res, async () => {
      const projection = projectionOf(req.query as Record<string, unknown>);
      const record = await service.get(String(req.params.id), { withMembers: showsAttribute(projection, "members") });
      if (!record) throw ScimError.notFound(`${rt.name} ${String(req.params.id)} not found`);
      send(req, res, 200, record, projection);
    }),
  );

  r.post("/", async (req, res) => {
    const record = await writes.create(req.body, ctx(req, res));
    res.setHeader("Location", locationOf(rt, base(req), record.id));
    send(req, res, 201, record, projectionOf(req.query as Record<string, unknown>));
  });

  r.put("/:id", async (req, res) => {
    const record = await writes.replace(String(req.params.id), req.body, ctx(req, res));
    send(req, res, 200, record, projectionOf(req.query as Record<string, unknown>));
  });

  r.patch("/:id", async (req, res) => {
    const record = await writes.patch(String(req.params.id), req.body, ctx(req, res));
    send(req, res, 200, record, projectionOf(req.query as Record<string, unknown>));
  });

  r.delete("/:id", async (req, res) => {
    await writes.remove(String(req.params.id), ctx(req, res));
    res.status(204).end();
  });

  // RFC 7644 §3.12: a method the endpoint does not support is 405, with the ones it does.
  const notAllowed = (allow: string) => (_req: Request, res: Response) => {
    res.setHeader("Allow", allow);
    throw new ScimError(405, `this endpoint supports ${allow}`);
  };
  r.all("/.search", notAllowed("POST"));
  r.all("/", notAllowed("GET, POST"));
  r.all("/:id", notAllowed("GET, PUT, PATCH, DELETE"));

  return r;
}
