import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { reconciliationRequestSchema } from "../reconcile/request";
import type { ReconciliationService, Started } from "../reconcile/service";
import { runListSchema, runReportSchema, runSchema } from "./openapi/activity-responses";
import { defineRoutes, route } from "./route-doc";
import { parseBody, parseQuery } from "./validation";

/**
 * `/api/v2/reconciliations`: start a resync or an import (a dry run unless `dry_run: false`), list
 * runs, read one with its report lines (paged), and apply a reviewed dry run. A run that is still
 * going after `?wait=` seconds (default 5) is answered 202 with `status: "running"`; poll its URL
 * (`?consequences=false` keeps each poll cheap: the run's counters, without summing up its report).
 */

const waitQuery = z.object({ wait: z.coerce.number().min(0).max(60).default(5) });
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  kind: z.enum(["change", "problem", "error"]).optional(),
  // The sync consequences summed up over the whole report: by default on the first page only;
  // `false` skips them there too (a client polling a run's progress), `true` adds them to any page.
  consequences: z
    .enum(["true", "false"], { message: "consequences must be true or false" })
    .transform((v) => v === "true")
    .optional(),
});
/** A run's report: its lines filtered as well (the console's diff of a 100k-line report). */
const reportQuery = pageQuery.extend({
  dimension: z.enum(["organization", "group", "role", "user", "idp_group", "export"]).optional(),
  // A user id (exact) or part of a username (any case): one user's lines in a large report.
  user: z.string().trim().min(1).max(200).optional(),
});

const run = { id: "The run's id." };
const started = {
  201: { description: "The run, finished within `wait` seconds; `Location` is its URL.", schema: runSchema },
  202: { description: "The run, still going after `wait` seconds (`status: running`): poll its `Location`.", schema: runSchema },
};

export const reconciliationRoutes = defineRoutes({
  start: {
    method: "post", path: "/reconciliations", tag: "reconciliations", summary: "Start a resync or an import",
    description: "A dry run unless `dry_run: false`. `wait` (query, seconds, default 5): how long to wait for the run to finish before answering 202. The body may be up to IMPORT_BODY_LIMIT.",
    query: waitQuery, body: reconciliationRequestSchema, responses: started,
    errors: { 409: "Another apply is running, or the bridge is shutting down.", 413: "The body is larger than IMPORT_BODY_LIMIT." },
  },
  list: {
    method: "get", path: "/reconciliations", tag: "reconciliations", summary: "List runs",
    query: pageQuery,
    responses: { 200: { description: "Runs, newest first, and their count.", schema: runListSchema } },
  },
  get: {
    method: "get", path: "/reconciliations/:id", tag: "reconciliations", summary: "Read a run and a page of its report",
    description: "`kind`, `dimension` and `user` (a user id, or part of a username in any case) keep only the report lines that match all given; `limit` and `offset` page them.",
    params: run, query: reportQuery,
    responses: { 200: { description: "The run with one page of its report lines.", schema: runReportSchema } },
    errors: { 404: "No such run." },
  },
  apply: {
    method: "post", path: "/reconciliations/:id/apply", tag: "reconciliations", summary: "Apply a reviewed dry run",
    description: "Applies exactly the reviewed plan: if anything it covers changed since, the answer is 409 and nothing is applied.",
    params: run, query: waitQuery, responses: started,
    errors: { 404: "No such run.", 409: "Not a completed dry run, already applied, another apply running, or the plan changed since the review." },
  },
});

export function reconciliationsRouter(service: ReconciliationService): Router {
  const r = Router();
  const answer = (res: Response, req: Request, started: Started) => {
    res.location(`${req.baseUrl}/reconciliations/${started.run.id}`);
    res.status(started.run.status === "running" ? 202 : 201).json(started.run);
  };

  route(r, reconciliationRoutes.start, async (req, res) => {
    const body = parseBody(reconciliationRequestSchema, req.body);
    const { wait } = parseQuery(waitQuery, req.query);
    answer(res, req, await service.start(body, principalOf(res)?.tokenName ?? "unknown", { waitMs: wait * 1000 }));
  });

  route(r, reconciliationRoutes.list, async (req, res) => {
    const { limit, offset } = parseQuery(pageQuery, req.query);
    res.json(await service.list({ limit, offset }));
  });

  route(r, reconciliationRoutes.get, async (req, res) => {
    res.json(await service.get(req.params.id, parseQuery(reportQuery, req.query)));
  });

  route(r, reconciliationRoutes.apply, async (req, res) => {
    const { wait } = parseQuery(waitQuery, req.query);
    answer(res, req, await service.applyReviewed(req.params.id, principalOf(res)?.tokenName ?? "unknown", { waitMs: wait * 1000 }));
  });
  return r;
}
