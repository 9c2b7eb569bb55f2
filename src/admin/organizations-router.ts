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

/** Coder's `codersdk.UpdateRoles`: the member's organization roles, all of them. */
const rolesBody = z.object({ roles: z.array(z.string().max(64, "a role name is at most 64 characters")).max(50, "at most 50 roles") }).strict();

export function organizationsRouter(orgs: AdminOrganizations): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";
  r.get("/organizations", async (_req, res) => {
    res.json(await orgs.list());
  });
  r.post("/organizations", async (req, res) => {
    const body = parseBody(createBody, req.body);
    res.status(201).json(await orgs.create(body, actor(res)));
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
  // Coder answers an addition with 200 and the member (not 201), a second addition with 409.
  r.post("/organizations/:org/members/:user", async (req, res) => {
    res.json(await orgs.addMember(String(req.params.org), String(req.params.user), actor(res)));
  });
  r.delete("/organizations/:org/members/:user", async (req, res) => {
    await orgs.removeMember(String(req.params.org), String(req.params.user), actor(res));
    res.status(204).end();
  });
  r.put("/organizations/:org/members/:user/roles", async (req, res) => {
    const { roles } = parseBody(rolesBody, req.body);
    res.json(await orgs.setMemberRoles(String(req.params.org), String(req.params.user), roles, actor(res)));
  });
  return r;
}
