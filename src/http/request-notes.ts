import type { Response } from "express";

/**
 * What the request log line says about a failed request, beyond its status: the error's detail and
 * scimType (noted by the error middleware, the one place errors become responses) and the name of the
 * token that was refused for its scope (noted by the auth middleware; an accepted token is the principal).
 */

export interface FailureNote {
  detail: string;
  scimType?: string;
}

export function noteFailure(res: Response, note: FailureNote): void {
  res.locals.failure = note;
}

export function failureOf(res: Response): FailureNote | undefined {
  const f: unknown = res.locals.failure;
  return f && typeof f === "object" && "detail" in f && typeof f.detail === "string" ? (f as FailureNote) : undefined;
}

export function noteRefusedToken(res: Response, tokenName: string): void {
  res.locals.refusedTokenName = tokenName;
}

/** The accepted token's name, or the one refused for its scope. */
export function tokenNameOf(res: Response): string | undefined {
  const principal: unknown = res.locals.principal;
  if (principal && typeof principal === "object" && "tokenName" in principal && typeof principal.tokenName === "string") return principal.tokenName;
  const refused: unknown = res.locals.refusedTokenName;
  return typeof refused === "string" ? refused : undefined;
}
