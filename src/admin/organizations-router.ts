import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { ORGANIZATION_NAME_RE, type AdminOrganizations } from "../directory/admin-organizations";
import { parseBody } from "./validation";

/** `/api/v2/organizations` (Coder's paths and JSON). */

const createBody = z.object({
  name: z.string().min(1, "name is required").max(32, "name must be at most 32 characters").regex(ORGANIZATION_NAME_RE, "name may contain only letters, digits and single hyphens between them"),
  display_name: z.string().max(64).optional(),
  description: z.string().max(1024).optional(),
  icon: z.string().max(256).optional(),
});

export function organizationsRouter(orgs: AdminOrganizations): Router {
  const r = Router();
  r.get("/organizations", async (_req, res) => {
    res.json(await orgs.list());
  });
  r.post("/organizations", async (req, res) => {
    const body = parseBody(createBody, req.body);
    res.status(201).json(await orgs.create(body, principalOf(res)?.tokenName ?? "unknown"));
  });
  r.get("/organizations/:org", async (req, res) => {
    res.json(await orgs.get(String(req.params.org)));
  });
  r.get("/organizations/:org/members", async (req, res) => {
    res.json(await orgs.members(String(req.params.org)));
  });
  r.get("/organizations/:org/members/:user", async (req, res) => {
    res.json(await orgs.member(String(req.params.org), String(req.params.user)));
  });
  return r;
}
