import { Router } from "express";
import { z } from "zod";
import type { AdminAudit } from "../directory/admin-audit";
import { auditPageSchema } from "./openapi/activity-responses";
import { defineRoutes, route } from "./route-doc";
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

export const auditRoutes = defineRoutes({
  list: {
    method: "get", path: "/audit", tag: "audit", summary: "Read the audit log",
    description: "Newest first. `user`: id or username; `dimension`: sync decisions of that kind; `action`: a prefix (`token.`, `user.`); `since` (inclusive) and `until` (exclusive): ISO 8601 times with an offset.",
    query,
    responses: { 200: { description: "A page of audit rows and the count of all that match.", schema: auditPageSchema } },
    errors: { 404: "No such user." },
  },
});

export function auditRouter(audit: AdminAudit): Router {
  const r = Router();
  route(r, auditRoutes.list, async (req, res) => {
    const { user, dimension, action, since, until, limit, offset } = parseQuery(query, req.query);
    res.json(await audit.list({ user, dimension, action, since, until, limit, offset }));
  });
  return r;
}
