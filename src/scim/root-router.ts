import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { BaseUrlResolver } from "../http/base-url";
import { principalOf } from "../auth/middleware";
import { sendScim } from "../http/errors";
import { ScimError } from "./errors";
import { parseFilterAcross } from "./filter/across";
import { observed, type ScimOperationObserver } from "./operation-observer";
import { boundListParams, readListParams } from "./list-query";
import { parseProjection, project, showsAttribute } from "./projection";
import { listResponse, renderResource } from "./render";
import type { ResourceRecord, ResourceService } from "./resource-service";
import type { RootBranch, RootSearch } from "./root-search";
import { resolvePath } from "./schema/resolve";

/**
 * Queries at the service root (RFC 7644 §3.4.2.1, §3.4.3): `GET /?filter=…` and `POST /.search`,
 * over every served resource type at once, with the parameters of a resource type's list. Each
 * result is rendered by its own type (its `schemas`, `meta`, projection). Handlers parse, call the
 * root search once for the page, load its resources through each type's service, and render.
 */

export interface RootRouterDeps {
  services: readonly ResourceService[];
  search: RootSearch;
  baseUrl: BaseUrlResolver;
  /** The ServiceProviderConfig's filter.maxResults: the largest page served. */
  maxResults: number;
  /** Counts each query (metrics), as resource type `root`: it spans every type. */
  observe?: ScimOperationObserver;
}

/** A SearchRequest body (RFC 7644 §3.4.3) is a JSON object; its members are read as list parameters. */
const searchBody = z.looseObject({});

export function rootRouter(deps: RootRouterDeps): Router {
  const r = Router({ caseSensitive: false });
  const types = deps.services.map((s) => s.resourceType);
  const base = (req: Request) => `${deps.baseUrl(req)}${req.baseUrl}`;

  async function query(req: Request, res: Response, source: Record<string, unknown>): Promise<void> {
    const params = boundListParams(readListParams(source), deps.maxResults);
    const filters = params.filter === undefined ? types.map(() => true) : parseFilterAcross(types, params.filter);
    const sortBy = types.map((rt) => (params.sortBy === undefined ? undefined : resolvePath(rt, params.sortBy)));
    if (params.sortBy !== undefined && sortBy.every((p) => p === undefined)) {
      throw ScimError.badRequest("invalidValue", `sortBy: unknown attribute "${params.sortBy}" for ${types.map((t) => t.name).join(" or ")}`);
    }
    const branches = types.flatMap((rt, i): RootBranch[] => {
      const filter = filters[i]!;
      return filter === false ? [] : [{ resourceType: rt, filter: filter === true ? undefined : filter, sortBy: sortBy[i] }];
    });
    const page = await deps.search.search({
      branches,
      sorted: params.sortBy !== undefined,
      sortOrder: params.sortOrder,
      startIndex: params.startIndex,
      count: params.count,
    });

    const projections = types.map((rt) => parseProjection(rt, params));
    const loaded = await Promise.all(
      deps.services.map(async (service, i): Promise<Map<string, ResourceRecord>> => {
        const ids = page.entries.filter((e) => e.resourceType === service.resourceType.name).map((e) => e.id);
        if (ids.length === 0) return new Map();
        const records = await service.getMany(ids, { withMembers: showsAttribute(projections[i]!, "members") });
        return new Map(records.map((rec) => [rec.id, rec]));
      }),
    );
    const resources = page.entries.flatMap((e) => {
      const i = types.findIndex((t) => t.name === e.resourceType);
      const record = loaded[i]?.get(e.id);
      // Deleted between choosing the page and reading it: left out (itemsPerPage says so).
      return record ? [project(types[i]!, renderResource(types[i]!, record, base(req)), projections[i]!)] : [];
    });
    sendScim(res, 200, listResponse(page.total, params.startIndex, resources));
  }

  const counted = (res: Response, fn: () => Promise<void>) => observed(deps.observe, { resourceType: "root", operation: "list", token: principalOf(res)?.tokenName ?? "unknown" }, fn);
  r.get("/", (req, res) => counted(res, () => query(req, res, req.query as Record<string, unknown>)));
  r.post("/.search", (req, res) =>
    counted(res, async () => {
      const body = searchBody.safeParse(req.body ?? {});
      if (!body.success) throw ScimError.badRequest("invalidSyntax", "a search request body must be a JSON object (RFC 7644 §3.4.3 SearchRequest)");
      await query(req, res, body.data);
    }),
  );

  // RFC 7644 §3.12: a method the endpoint does not support is 405, with the ones it does.
  const notAllowed = (allow: string) => (_req: Request, res: Response) => {
    res.setHeader("Allow", allow);
    throw new ScimError(405, `this endpoint supports ${allow}`);
  };
  r.all("/.search", notAllowed("POST"));
  r.all("/", notAllowed("GET"));
  return r;
}
