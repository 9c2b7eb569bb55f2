import { Router } from "express";
import { z } from "zod";
import type { AdminAudit } from "../directory/admin-audit";
import { parseQuery } from "./validation";

/** `GET /api/v2/audit`: every change the bridge made and why, filtered and paged. */

/**
 * An ISO 8601 time with its offset, in the years 1–9999 once taken to UTC: `0000-…` (or `0001-01-01`
 * at a positive offset) is a year PostgreSQL doesn't have, and was a 500.
 */
const time = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999, "must be a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z");

const query = z.object({
  user: z.string().optional(),
  dimension: z.enum(["organization", "group", "role"]).optional(),
  action: z.string().optional(),
  since: time.optional(),
  until: time.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export function auditRouter(audit: AdminAudit): Router {
  const r = Router();
  r.get("/audit", async (req, res) => {
    const { user, dimension, action, since, until, limit, offset } = parseQuery(query, req.query);
    res.json(await audit.list({ user, dimension, action, since, until, limit, offset }));
  });
  return r;
}
