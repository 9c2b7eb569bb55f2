import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import type { AdminGroups } from "../directory/admin-groups";
import { GROUP_NAME_MAX_LENGTH } from "../sync/group-name";
import { INT32_MAX, parseBody } from "./validation";

/** Application groups: `/api/v2/organizations/{org}/groups…` and `/api/v2/groups/{group}` (Coder's JSON). */

const name = z.string().trim().min(1, "name is required").max(GROUP_NAME_MAX_LENGTH, `name must be at most ${GROUP_NAME_MAX_LENGTH} characters`);
const fields = {
  display_name: z.string().max(255).optional(),
  avatar_url: z.string().max(2048).optional(),
  // The column is a 32-bit integer (PostgreSQL `integer`): 0 … 2^31-1.
  quota_allowance: z.number().int().min(0, "quota_allowance must be 0 or more").max(INT32_MAX, `quota_allowance must be at most ${INT32_MAX} (2^31-1, the largest the database stores)`).optional(),
};
const createBody = z.object({ name, ...fields });
const patchBody = z.object({
  name: name.optional(),
  ...fields,
  add_users: z.array(z.string()).max(10_000).optional(),
  remove_users: z.array(z.string()).max(10_000).optional(),
});

export function groupsRouter(groups: AdminGroups): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";
  r.get("/organizations/:org/groups", async (req, res) => {
    res.json(await groups.list(String(req.params.org)));
  });
  r.post("/organizations/:org/groups", async (req, res) => {
    res.status(201).json(await groups.create(String(req.params.org), parseBody(createBody, req.body), actor(res)));
  });
  r.get("/organizations/:org/groups/:groupName", async (req, res) => {
    res.json(await groups.getByName(String(req.params.org), String(req.params.groupName)));
  });
  r.get("/groups/:group", async (req, res) => {
    res.json(await groups.get(String(req.params.group)));
  });
  r.patch("/groups/:group", async (req, res) => {
    res.json(await groups.patch(String(req.params.group), parseBody(patchBody, req.body), actor(res)));
  });
  r.delete("/groups/:group", async (req, res) => {
    res.json(await groups.remove(String(req.params.group), actor(res)));
  });
  return r;
}
