import type { Request } from "express";

/**
 * The public base URL for `Location` and `meta.location`: BASE_URL when configured (set it behind a
 * proxy), else derived from the request's own scheme and Host.
 */
export type BaseUrlResolver = (req: Request) => string;

export function baseUrlResolver(configured: string | undefined): BaseUrlResolver {
  if (configured) return () => configured;
  return (req) => `${req.protocol}://${req.get("host") ?? "localhost"}`;
}
