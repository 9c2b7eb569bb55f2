import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { reconciliationRequestSchema } from "../reconcile/request";
import type { ReconciliationService, Started } from "../reconcile/service";
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

export function reconciliationsRouter(service: ReconciliationService): Router {
  const r = Router();
  const answer = (res: Response, req: Request, started: Started) => {
    res.location(`${req.baseUrl}/reconciliations/${started.run.id}`);
    res.status(started.run.status === "running" ? 202 : 201).json(started.run);
  };

  r.post("/reconciliations", async (req, res) => {
    const body = parseBody(reconciliationRequestSchema, req.body);
    const { wait } = parseQuery(waitQuery, req.query);
    answer(res, req, await service.start(body, principalOf(res)?.tokenName ?? "unknown", { waitMs: wait * 1000 }));
  });

  r.get("/reconciliations", async (req, res) => {
    const { limit, offset } = parseQuery(pageQuery, req.query);
    res.json(await service.list({ limit, offset }));
  });

  r.get("/reconciliations/:id", async (req, res) => {
    res.json(await service.get(req.params.id, parseQuery(pageQuery, req.query)));
  });

  r.post("/reconciliations/:id/apply", async (req, res) => {
    const { wait } = parseQuery(waitQuery, req.query);
    answer(res, req, await service.applyReviewed(req.params.id, principalOf(res)?.tokenName ?? "unknown", { waitMs: wait * 1000 }));
  });
  return r;
}
