import { Router } from "express";
import { z } from "zod";
import { parseEventTypes, type EventFeed, type FeedStart } from "../events/feed";
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

export function eventsRouter(feed: EventFeed): Router {
  const r = Router();
  r.get("/events", async (req, res) => {
    const q = parseQuery(query, req.query);
    const after: FeedStart = q.after === undefined || q.after === "start" ? "start" : q.after === "end" ? "end" : { cursor: q.after };
    const types = q.type === undefined ? undefined : parseEventTypes(typeof q.type === "string" ? [q.type] : q.type);
    res.json(await feed.read({ after, limit: q.limit, types: types?.length ? types : undefined }));
  });
  return r;
}
