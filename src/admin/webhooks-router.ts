import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import type { WebhookService } from "../events/webhook-service";
import { parseBody, parseQuery } from "./validation";

/** `/api/v2/webhooks`: endpoints that receive the bridge's signed events, and their deliveries. */

const create = z.object({ url: z.string().min(1).max(2000), events: z.array(z.string()).max(50).optional(), description: z.string().max(500).optional() }).strict();
const patch = z
  .object({ url: z.string().min(1).max(2000).optional(), events: z.array(z.string()).max(50).optional(), description: z.string().max(500).optional(), enabled: z.boolean().optional() })
  .strict();
const redeliverBody = z.object({ since: z.iso.datetime({ offset: true, message: "since must be an ISO 8601 time, such as 2026-01-31T00:00:00Z" }) }).strict();
const page = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  status: z.enum(["pending", "succeeded", "failed"]).optional(),
});

export function webhooksRouter(webhooks: WebhookService): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";
  r.post("/webhooks", async (req, res) => {
    const body = parseBody(create, req.body);
    const made = await webhooks.create(body, actor(res));
    res.status(201).location(`${req.baseUrl}/webhooks/${made.id}`).json(made);
  });
  r.get("/webhooks", async (_req, res) => {
    res.json({ webhooks: await webhooks.list() });
  });
  r.get("/webhooks/:id", async (req, res) => {
    res.json(await webhooks.get(req.params.id));
  });
  r.patch("/webhooks/:id", async (req, res) => {
    res.json(await webhooks.patch(req.params.id, parseBody(patch, req.body), actor(res)));
  });
  r.delete("/webhooks/:id", async (req, res) => {
    await webhooks.remove(req.params.id, actor(res));
    res.status(204).end();
  });
  r.post("/webhooks/:id/rotate-secret", async (req, res) => {
    res.json(await webhooks.rotateSecret(req.params.id, actor(res)));
  });
  // 202: queued, not yet sent; the delivery's id finds it (and its attempts) in the endpoint's deliveries.
  r.post("/webhooks/:id/test", async (req, res) => {
    res.status(202).json(await webhooks.sendTest(req.params.id, actor(res)));
  });
  r.get("/webhooks/:id/deliveries", async (req, res) => {
    res.json(await webhooks.deliveries(req.params.id, parseQuery(page, req.query)));
  });
  r.post("/webhooks/:id/deliveries/:delivery/redeliver", async (req, res) => {
    res.json(await webhooks.redeliver(req.params.id, req.params.delivery, actor(res)));
  });
  r.post("/webhooks/:id/redeliver", async (req, res) => {
    const { since } = parseBody(redeliverBody, req.body);
    res.json(await webhooks.redeliverSince(req.params.id, new Date(since), actor(res)));
  });
  return r;
}
