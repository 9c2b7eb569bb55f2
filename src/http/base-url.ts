import type { Request } from "express";

/**
 * The public base URL for `Location` and `meta.location`: BASE_URL when configured (set it behind a
 * proxy), else derived from the request's scheme and host: its own, or `X-Forwarded-Proto` and
 * `X-Forwarded-Host` when they come from a proxy TRUST_PROXY names (Express's `req.protocol`, `req.host`).
 */
export type BaseUrlResolver = (req: Request) => string;

export function baseUrlResolver(configured: string | undefined): BaseUrlResolver {
  if (configured) return () => configured;
  return (req) => `${req.protocol}://${req.host ?? "localhost"}`;
}
