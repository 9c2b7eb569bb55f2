import { Router } from "express";
import type { AdminOverview } from "../directory/overview";
import { overviewSchema } from "./openapi/overview-responses";
import { defineRoutes, route } from "./route-doc";

/** `GET /api/v2/overview`: the console's first page in one call (src/directory/overview.ts). */

export const overviewRoutes = defineRoutes({
  get: {
    method: "get", path: "/overview", tag: "overview", summary: "The directory at a glance",
    description: "Not in Coder. User counts by status, group and organization counts, each SCIM token's last request and its writes in the last 24 hours (counted from the audit log), sync problems in the last 24 hours, every webhook endpoint's queue and last failure, and the latest reconciliation run. A few indexed statements, whatever the directory's size.",
    responses: { 200: { description: "The overview.", schema: overviewSchema } },
  },
});

export function overviewRouter(overview: AdminOverview): Router {
  const r = Router();
  route(r, overviewRoutes.get, async (_req, res) => {
    res.json(await overview.get());
  });
  return r;
}
