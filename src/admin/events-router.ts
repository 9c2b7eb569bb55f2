import { Router } from "express";
import { z } from "zod";
import { parseEventTypes, type EventFeed, type FeedStart } from "../events/feed";
import { eventsPageSchema } from "./openapi/activity-responses";
import { defineRoutes, route } from "./route-doc";
import { parseQuery } from "./validation";

/**
 * `GET /api/v2/events?after=&limit=&type=`: the events feed (src/events/feed.ts), the webhook payloads
 * for readers that cannot receive webhooks. `after`: a `next_cursor`, `start` (the default: the oldest
 * event kept) or `end` (no events, the cursor of the current end). `type`: one or several, repeated or
 * comma-separated.
 */

const query = z.object({
  after: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  type: z.union([z.string(), z.array(z.string())]).optional(),
});

export const eventRoutes = defineRoutes({
  read: {
    method: "get", path: "/events", tag: "events", summary: "Read the events feed",
    description: "The webhook payloads in commit order, for readers that cannot receive webhooks. `after`: a `next_cursor`, `start` (the default: the oldest event kept) or `end`. `type`: one or several event types, repeated or comma-separated.",
    query,
    responses: { 200: { description: "Up to `limit` events and the cursor to read on from.", schema: eventsPageSchema } },
    errors: { 410: "Events after this cursor were deleted (WEBHOOK_RETENTION): read again from `start` or `end`." },
  },
});

export function eventsRouter(feed: EventFeed): Router {
  const r = Router();
  route(r, eventRoutes.read, async (req, res) => {
    const q = parseQuery(query, req.query);
    const after: FeedStart = q.after === undefined || q.after === "start" ? "start" : q.after === "end" ? "end" : { cursor: q.after };
    const types = q.type === undefined ? undefined : parseEventTypes(typeof q.type === "string" ? [q.type] : q.type);
    res.json(await feed.read({ after, limit: q.limit, types: types?.length ? types : undefined }));
  });
  return r;
}
