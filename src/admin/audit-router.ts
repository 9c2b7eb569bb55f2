import { Router } from "express";
import { z } from "zod";
import type { AdminAudit } from "../directory/admin-audit";
import { parseQuery } from "./validation";

/** `GET /api/v2/audit`: every change the bridge made and why, filtered and paged. */

const query = z.object({
  user: z.string().optional(),
  dimension: z.enum(["organization", "group", "role"]).optional(),
  action: z.string().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export function auditRouter(audit: AdminAudit): Router {
  const r = Router();
  r.get("/audit", async (req, res) => {
    const { user, dimension, action, since, until, limit, offset } = parseQuery(query, req.query);
    res.json(await audit.list({ user, dimension, action, since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined, limit, offset }));
  });
  return r;
}
