import { Router } from "express";
import type { TokenService } from "../auth/token-service";
import { notFound } from "../http/errors";
import { tokensRouter } from "./tokens-router";

/** The admin API under `/api/v2` (scope admin). Authentication and body parsing are mounted in front. */
export function adminRouter(deps: { tokens: TokenService }): Router {
  const r = Router();
  r.use(tokensRouter(deps.tokens));
  r.use(notFound("admin"));
  return r;
}
