import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { userSearchProblem, type AdminUsers } from "../directory/admin-users";
import type { UserGrantsService } from "../directory/grants";
import { AdminError } from "./errors";
import { userGrantsSchema, userListSchema, userSchema, userScimSchema } from "./openapi/responses";
import { defineRoutes, route } from "./route-doc";

/** `/api/v2/users` (Coder's paths and `codersdk.User` JSON). */

const listQuery = z.object({
  q: z
    .string()
    .optional()
    .superRefine((q, ctx) => {
      const problem = userSearchProblem(q);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  limit: z.coerce.number().int().min(0).max(1000).default(0),
  offset: z.coerce.number().int().min(0).default(0),
  after_id: z.string().optional(),
});

const user = { user: "The user's id or username." };

export const userRoutes = defineRoutes({
  list: {
    method: "get", path: "/users", tag: "users", summary: "List and search users",
    description: "Oldest first. `q`: free words match username, email or name; `status:`, `login_type:`, `email:`, `username:` filter. `limit` 0 (the default) is the largest page, 1,000; page on with `offset` or `after_id`.",
    query: listQuery,
    responses: { 200: { description: "A page of users and the count of all that match.", schema: userListSchema } },
  },
  get: {
    method: "get", path: "/users/:user", tag: "users", summary: "Get a user", params: user,
    responses: { 200: { description: "The user.", schema: userSchema } },
    errors: { 404: "No such user." },
  },
  scim: {
    method: "get", path: "/users/:user/scim", tag: "users", summary: "The user's SCIM resource and derived claims",
    description: "Not in Coder. The resource as the IdP last sent it (without `id`, `meta`, `groups` and never a password; null once the IdP deleted it) and the claims IdP sync reads, derived from it and from the user's IdP groups.",
    params: user,
    responses: { 200: { description: "The SCIM resource and claims.", schema: userScimSchema } },
    errors: { 404: "No such user." },
  },
  grants: {
    method: "get", path: "/users/:user/grants", tag: "users", summary: "Why the user holds each organization, group and role",
    description: "Not in Coder. Each grant with the claim value and the sync rule behind it, or `manual`.",
    params: user,
    responses: { 200: { description: "The user's grants, each explained.", schema: userGrantsSchema } },
    errors: { 404: "No such user." },
  },
  suspend: {
    method: "put", path: "/users/:user/status/suspend", tag: "users", summary: "Suspend a user", params: user,
    responses: { 200: { description: "The user, suspended (already suspended: unchanged).", schema: userSchema } },
    errors: { 404: "No such user." },
  },
  activate: {
    method: "put", path: "/users/:user/status/activate", tag: "users", summary: "Activate a user", params: user,
    responses: { 200: { description: "The user, active.", schema: userSchema } },
    errors: { 404: "No such user." },
  },
});

export function usersRouter(users: AdminUsers, grants: UserGrantsService): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";

  route(r, userRoutes.list, async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) {
      throw new AdminError(400, "Invalid query parameters.", { validations: parsed.error.issues.map((i) => ({ field: i.path.join("."), detail: i.message })) });
    }
    const { q, limit, offset, after_id } = parsed.data;
    // Coder: limit 0 means no limit; here it means the largest page, 1,000.
    res.json(await users.list({ q, limit: limit === 0 ? 1000 : limit, offset, afterId: after_id }));
  });

  route(r, userRoutes.get, async (req, res) => {
    res.json(await users.get(String(req.params.user)));
  });

  route(r, userRoutes.scim, async (req, res) => {
    res.json(await users.scim(String(req.params.user)));
  });

  // Not in Coder: why the user holds each organization, group and role (src/directory/grants.ts).
  route(r, userRoutes.grants, async (req, res) => {
    res.json(await grants.get(String(req.params.user)));
  });

  route(r, userRoutes.suspend, async (req, res) => {
    res.json(await users.suspend(String(req.params.user), actor(res)));
  });

  route(r, userRoutes.activate, async (req, res) => {
    res.json(await users.activate(String(req.params.user), actor(res)));
  });

  return r;
}
