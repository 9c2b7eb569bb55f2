import { Router } from "express";
import type { NameCollisions } from "../directory/name-collisions";
import { nameCollisionsSchema } from "./openapi/responses";
import { defineRoutes, route } from "./route-doc";

/**
 * `GET /api/v2/name-collisions`: users and IdP groups whose names became one name when name keys were
 * recomputed (one record is marked; the other, not SCIM-deleted or else the older, keeps the name), each
 * with the record holding it.
 */
export const nameCollisionRoutes = defineRoutes({
  list: {
    method: "get", path: "/name-collisions", tag: "users", summary: "List name collisions",
    description: "Users and IdP groups whose names became one when name keys were recomputed, each with the record holding the name.",
    responses: { 200: { description: "The collisions.", schema: nameCollisionsSchema } },
  },
});

export function nameCollisionsRouter(collisions: NameCollisions): Router {
  const r = Router();
  route(r, nameCollisionRoutes.list, async (_req, res) => {
    res.json(await collisions.list());
  });
  return r;
}
