import type { RequestHandler, Router } from "express";
import type { z } from "zod";

/**
 * One admin API route as the OpenAPI document describes it (src/admin/openapi/document.ts). Each router
 * file keeps a table of these beside its handlers and registers every handler with `route(r, doc, …)`,
 * so a route's method and path are written once, in its doc entry. Request schemas are the very zod
 * schemas the handler validates with; a test walks the real Express routers and fails on any route
 * without an entry (test/admin/openapi.test.ts).
 */

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";
export type SuccessStatus = 200 | 201 | 202 | 204;
/** Statuses a route answers with the admin error body, beside those every route can (401, 403, 429, 500, 503). */
export type RouteErrorStatus = 400 | 404 | 409 | 410 | 412 | 413;

export interface RouteDoc<P extends string = string> {
  method: HttpMethod;
  /** The path under `/api/v2` as Express matches it: `/users/:user`. */
  path: P;
  /** Groups operations in the document (and in generated clients): `users`, `webhooks`, … */
  tag: string;
  summary: string;
  description?: string;
  /** Each `:name` of the path, described. */
  params?: Record<string, string>;
  /** The schema the handler parses `req.query` with (its input side is documented). */
  query?: z.ZodObject;
  /** The schema the handler parses the body with (its input side is documented). */
  body?: z.ZodType;
  /** Success answers; a 204 has no schema. Schemas are the output side of response schemas. */
  responses: Partial<Record<SuccessStatus, { description: string; schema?: z.ZodType }>>;
  /** When the route answers each error status (400 is added for any route with a body or query). */
  errors?: Partial<Record<RouteErrorStatus, string>>;
  /** Reached without credentials (sign-in: the token is in its body); documented with `security: []`. */
  public?: true;
}

/** A router file's table: the literal paths are kept, so handlers get typed `req.params`. */
export function defineRoutes<const T extends Record<string, RouteDoc>>(table: T): T {
  return table;
}

/** `"/webhooks/:id/deliveries/:delivery"` → `"id" | "delivery"`. */
type ParamNames<P extends string> = P extends `${string}:${infer N}/${infer Rest}` ? N | ParamNames<`/${Rest}`> : P extends `${string}:${infer N}` ? N : never;

/** Registers `handlers` at the doc's method and path. */
export function route<P extends string>(router: Router, doc: RouteDoc<P>, ...handlers: RequestHandler<Record<ParamNames<P>, string>>[]): void {
  // Express matched the path, so each of its parameters is there: the narrower type is the true one.
  router[doc.method](doc.path, ...(handlers as unknown as RequestHandler[]));
}
