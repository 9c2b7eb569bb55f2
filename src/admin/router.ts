import { Router } from "express";
import type { TokenService } from "../auth/token-service";
import type { AdminOrganizations } from "../directory/admin-organizations";
import type { AdminUsers } from "../directory/admin-users";
import { notFound } from "../http/errors";
import { organizationsRouter } from "./organizations-router";
import { tokensRouter } from "./tokens-router";
import { usersRouter } from "./users-router";

/** The admin API under `/api/v2` (scope admin). Authentication and body parsing are mounted in front. */
export function adminRouter(deps: { tokens: TokenService; users: AdminUsers; organizations: AdminOrganizations }): Router {
  const r = Router();
  r.use(tokensRouter(deps.tokens));
  r.use(usersRouter(deps.users));
  r.use(organizationsRouter(deps.organizations));
  r.use(notFound("admin"));
  return r;
}
