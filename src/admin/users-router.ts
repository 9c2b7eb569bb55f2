import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { userSearchProblem, type AdminUsers } from "../directory/admin-users";
import type { UserGrantsService } from "../directory/grants";
import { AdminError } from "./errors";

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

export function usersRouter(users: AdminUsers, grants: UserGrantsService): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";

  r.get("/users", async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) {
      throw new AdminError(400, "Invalid query parameters.", { validations: parsed.error.issues.map((i) => ({ field: i.path.join("."), detail: i.message })) });
    }
    const { q, limit, offset, after_id } = parsed.data;
    // Coder: limit 0 means no limit; here it means the largest page, 1,000.
    res.json(await users.list({ q, limit: limit === 0 ? 1000 : limit, offset, afterId: after_id }));
  });

  r.get("/users/:user", async (req, res) => {
    res.json(await users.get(String(req.params.user)));
  });

  // Not in Coder: why the user holds each organization, group and role (src/directory/grants.ts).
  r.get("/users/:user/grants", async (req, res) => {
    res.json(await grants.get(String(req.params.user)));
  });

  r.put("/users/:user/status/suspend", async (req, res) => {
    res.json(await users.suspend(String(req.params.user), actor(res)));
  });

  r.put("/users/:user/status/activate", async (req, res) => {
    res.json(await users.activate(String(req.params.user), actor(res)));
  });

  return r;
}
