import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { TOKEN_SCOPES } from "../auth/token-format";
import type { SessionService } from "../auth/session-service";
import { TokenError, type TokenInfo, type TokenService } from "../auth/token-service";
import { AdminError } from "./errors";
import { createdTokenSchema, tokenSchema } from "./openapi/responses";
import { defineRoutes, route } from "./route-doc";
import { parseBody } from "./validation";

/**
 * `/api/v2/tokens`: manage bearer tokens while the server runs (with the embedded database the CLI
 * cannot open it then). The secret is returned once, by POST; listings never show it.
 */

const createBody = z.object({
  name: z.string().min(1, "name is required"),
  scope: z.enum(TOKEN_SCOPES, { message: `scope must be one of ${TOKEN_SCOPES.join(", ")}` }),
});

export const tokenRoutes = defineRoutes({
  create: {
    method: "post", path: "/tokens", tag: "tokens", summary: "Create a token",
    description: "The secret is in the answer's `token`, this once; only its sha256 is stored.",
    body: createBody,
    responses: { 201: { description: "The token, with its secret.", schema: createdTokenSchema } },
    errors: { 409: "A token of that name exists." },
  },
  list: {
    method: "get", path: "/tokens", tag: "tokens", summary: "List tokens",
    description: "Names, scopes, hints and last use, revoked ones too; never secrets.",
    responses: { 200: { description: "Every token.", schema: z.array(tokenSchema) } },
  },
  revoke: {
    method: "delete", path: "/tokens/:token", tag: "tokens", summary: "Revoke a token",
    params: { token: "The token's id or name." },
    responses: { 204: { description: "Revoked: refused from now on (by other instances within TOKEN_CACHE_TTL)." } },
    errors: { 404: "No such token." },
  },
});

function tokenJson(t: TokenInfo) {
  return {
    id: t.id,
    name: t.name,
    scope: t.scope,
    hint: t.hint,
    origin: t.origin,
    created_at: t.createdAt.toISOString(),
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
    revoked_at: t.revokedAt?.toISOString() ?? null,
  };
}

function translate(err: unknown): unknown {
  if (!(err instanceof TokenError)) return err;
  const status = err.kind === "duplicate" ? 409 : err.kind === "notFound" ? 404 : 400;
  return new AdminError(status, err.message);
}

export function tokensRouter(tokens: TokenService, sessions: Pick<SessionService, "forgetCached">): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";

  route(r, tokenRoutes.create, async (req, res) => {
    const body = parseBody(createBody, req.body);
    const created = await tokens.create({ ...body, origin: "api", actor: actor(res) }).catch((e: unknown) => Promise.reject(translate(e)));
    res.status(201).json({ ...tokenJson(created.info), token: created.token });
  });

  route(r, tokenRoutes.list, async (_req, res) => {
    res.json((await tokens.list()).map(tokenJson));
  });

  route(r, tokenRoutes.revoke, async (req, res) => {
    await tokens.revoke(req.params.token, actor(res)).catch((e: unknown) => Promise.reject(translate(e)));
    // The token's browser sessions end here at once, as the token does.
    sessions.forgetCached();
    res.status(204).end();
  });

  return r;
}
