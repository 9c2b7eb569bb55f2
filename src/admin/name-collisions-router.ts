import { Router } from "express";
import type { NameCollisions } from "../directory/name-collisions";

/**
 * `GET /api/v2/name-collisions`: users and IdP groups whose names became one name when name keys were
 * recomputed (one record is marked; the other, not SCIM-deleted or else the older, keeps the name), each
 * with the record holding it.
 */
export function nameCollisionsRouter(collisions: NameCollisions): Router {
  const r = Router();
  r.get("/name-collisions", async (_req, res) => {
    res.json(await collisions.list());
  });
  return r;
}
