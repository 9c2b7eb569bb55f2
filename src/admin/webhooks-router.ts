import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import type { WebhookService } from "../events/webhook-service";
import { deliveryListSchema, deliverySchema, redeliveredSchema, webhookListSchema, webhookSchema, webhookWithSecretSchema } from "./openapi/activity-responses";
import { defineRoutes, route } from "./route-doc";
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

const endpoint = { id: "The endpoint's id." };
const noEndpoint = { 404: "No such endpoint." };

export const webhookRoutes = defineRoutes({
  create: {
    method: "post", path: "/webhooks", tag: "webhooks", summary: "Add an endpoint",
    description: "`events`: the event types to send (`[\"*\"]` or absent: all). The URL must be public unless WEBHOOK_ALLOW_PRIVATE_TARGETS.",
    body: create,
    responses: { 201: { description: "The endpoint with its signing secret, shown this once; `Location` is its URL.", schema: webhookWithSecretSchema } },
  },
  list: {
    method: "get", path: "/webhooks", tag: "webhooks", summary: "List endpoints",
    responses: { 200: { description: "Every endpoint, without secrets.", schema: webhookListSchema } },
  },
  get: {
    method: "get", path: "/webhooks/:id", tag: "webhooks", summary: "Get an endpoint", params: endpoint,
    responses: { 200: { description: "The endpoint.", schema: webhookSchema } },
    errors: noEndpoint,
  },
  patch: {
    method: "patch", path: "/webhooks/:id", tag: "webhooks", summary: "Change an endpoint",
    description: "`enabled: true` re-enables an endpoint the bridge disabled.",
    params: endpoint, body: patch,
    responses: { 200: { description: "The endpoint as it is now.", schema: webhookSchema } },
    errors: noEndpoint,
  },
  remove: {
    method: "delete", path: "/webhooks/:id", tag: "webhooks", summary: "Delete an endpoint", params: endpoint,
    responses: { 204: { description: "Deleted, with its pending deliveries." } },
    errors: noEndpoint,
  },
  rotateSecret: {
    method: "post", path: "/webhooks/:id/rotate-secret", tag: "webhooks", summary: "Rotate the signing secret", params: endpoint,
    responses: { 200: { description: "The endpoint with its new secret, shown this once.", schema: webhookWithSecretSchema } },
    errors: noEndpoint,
  },
  test: {
    method: "post", path: "/webhooks/:id/test", tag: "webhooks", summary: "Send a test event to this endpoint",
    description: "A `webhook.test` event for this endpoint only, delivered as every event is: signed, in order after what is pending, retried. Not in the events feed.",
    params: endpoint,
    responses: { 202: { description: "The delivery, queued (pending).", schema: deliverySchema } },
    errors: { 404: "No such endpoint.", 409: "The endpoint is disabled: its queue is paused." },
  },
  deliveries: {
    method: "get", path: "/webhooks/:id/deliveries", tag: "webhooks", summary: "List an endpoint's deliveries",
    params: endpoint, query: page,
    responses: { 200: { description: "Deliveries, newest first, with every attempt.", schema: deliveryListSchema } },
    errors: noEndpoint,
  },
  redeliver: {
    method: "post", path: "/webhooks/:id/deliveries/:delivery/redeliver", tag: "webhooks", summary: "Send a failed delivery again",
    params: { ...endpoint, delivery: "The delivery's id." },
    responses: { 200: { description: "The delivery, pending again.", schema: deliverySchema } },
    errors: { 404: "No such endpoint or delivery.", 409: "The delivery has not failed.", 410: "Its event was deleted after WEBHOOK_RETENTION." },
  },
  redeliverSince: {
    method: "post", path: "/webhooks/:id/redeliver", tag: "webhooks", summary: "Send every failed delivery since a time again",
    params: endpoint, body: redeliverBody,
    responses: { 200: { description: "How many deliveries are pending again.", schema: redeliveredSchema } },
    errors: noEndpoint,
  },
});

export function webhooksRouter(webhooks: WebhookService): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";
  route(r, webhookRoutes.create, async (req, res) => {
    const body = parseBody(create, req.body);
    const made = await webhooks.create(body, actor(res));
    res.status(201).location(`${req.baseUrl}/webhooks/${made.id}`).json(made);
  });
  route(r, webhookRoutes.list, async (_req, res) => {
    res.json({ webhooks: await webhooks.list() });
  });
  route(r, webhookRoutes.get, async (req, res) => {
    res.json(await webhooks.get(req.params.id));
  });
  route(r, webhookRoutes.patch, async (req, res) => {
    res.json(await webhooks.patch(req.params.id, parseBody(patch, req.body), actor(res)));
  });
  route(r, webhookRoutes.remove, async (req, res) => {
    await webhooks.remove(req.params.id, actor(res));
    res.status(204).end();
  });
  route(r, webhookRoutes.rotateSecret, async (req, res) => {
    res.json(await webhooks.rotateSecret(req.params.id, actor(res)));
  });
  // 202: queued, not yet sent; the delivery's id finds it (and its attempts) in the endpoint's deliveries.
  route(r, webhookRoutes.test, async (req, res) => {
    res.status(202).json(await webhooks.sendTest(req.params.id, actor(res)));
  });
  route(r, webhookRoutes.deliveries, async (req, res) => {
    res.json(await webhooks.deliveries(req.params.id, parseQuery(page, req.query)));
  });
  route(r, webhookRoutes.redeliver, async (req, res) => {
    res.json(await webhooks.redeliver(req.params.id, req.params.delivery, actor(res)));
  });
  route(r, webhookRoutes.redeliverSince, async (req, res) => {
    const { since } = parseBody(redeliverBody, req.body);
    res.json(await webhooks.redeliverSince(req.params.id, new Date(since), actor(res)));
  });
  return r;
}
