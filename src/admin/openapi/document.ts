import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import type { HttpMethod, RouteDoc, RouteErrorStatus } from "../route-doc";
import { adminErrorSchema } from "./responses";

/**
 * The OpenAPI 3.1 document of the admin API, made from the route tables (src/admin/route-doc.ts):
 * request schemas are the zod schemas the handlers validate with (their input side: defaults make a
 * field optional, coercions take strings), responses the zod schemas in ./responses.ts (their output
 * side). zod 4's `z.toJSONSchema` writes JSON Schema 2020-12, OpenAPI 3.1's own dialect. A schema with
 * an `id` (`.meta({ id })`) becomes a component, referenced wherever it is used.
 */

/** A JSON Schema (2020-12) object. */
export type Schema = { [keyword: string]: unknown; properties?: Record<string, Schema>; required?: string[]; description?: string };
type Components = Record<string, Schema>;

/** The parts of OpenAPI 3.1's objects this document uses. */
export interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  description?: string;
  schema: Schema;
  style?: "form";
  explode?: boolean;
}
export interface Response {
  description: string;
  content?: { "application/json": { schema: Schema } };
}
export type ResponseOrRef = Response | { $ref: string };
export interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required: true; content: { "application/json": { schema: Schema } } };
  responses: Record<string, ResponseOrRef>;
  security?: never[];
}
export type PathItem = Partial<Record<HttpMethod, Operation>>;
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  security: Record<string, never[]>[];
  tags: { name: string }[];
  paths: Record<string, PathItem>;
  components: { schemas: Components; responses: Record<string, Response>; securitySchemes: Record<string, Record<string, string>> };
}

/** Errors any admin route can answer, whatever it does: components, referenced by every operation. */
const COMMON_ERRORS = {
  401: ["Unauthorized", "No token, or an unknown or revoked one."],
  403: ["Forbidden", "A token of another scope (`scim`)."],
  429: ["RateLimited", "Over RATE_LIMIT for this token (on sign-in: over SIGN_IN_RATE_LIMIT for this client address); `Retry-After` says when to retry."],
  500: ["InternalError", "A bug: the message names the request id to look for in the server log."],
  503: ["Unavailable", "The database is unavailable; `Retry-After` says when to retry."],
} as const;

const BODY_ERRORS: Partial<Record<RouteErrorStatus | 415, string>> = {
  400: "The body is not valid JSON or fails validation: `validations` names each bad field.",
  413: "The body is larger than BODY_LIMIT.",
  415: "The body is not UTF-8 encoded JSON.",
};

/**
 * Drops what only repeats zod's own limits: the regular expression beside a `format` (`date-time`,
 * `uuid` say it) and the ±2^53-1 bounds of every `int()`.
 */
function trim(s: Record<string, unknown>): void {
  if (typeof s.format === "string") delete s.pattern;
  if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
  if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
}

/**
 * The JSON Schema of a zod schema, its components moved to `components` and referenced from there.
 * The same id with two different schemas (say, a schema with an id whose input and output sides
 * differ) is refused: the document would describe one of them wrongly.
 */
function toSchema(schema: z.ZodType, io: "input" | "output", components: Components): Schema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "throw", override: ({ jsonSchema }) => trim(jsonSchema) }) as Record<string, unknown>;
  const { $schema: _dialect, $defs, ...root } = json;
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, k === "$ref" && typeof x === "string" ? x.replace(/^#\/\$defs\//, "#/components/schemas/") : rewrite(x)]),
    );
  };
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
    const rewritten = rewrite(def) as Schema;
    const known = components[id];
    if (known && !isDeepStrictEqual(known, rewritten)) throw new Error(`OpenAPI: two different schemas are both named ${id}`);
    components[id] = rewritten;
  }
  return rewrite(root) as Schema;
}

const errorResponse = (description: string, components: Components): Response => ({
  description,
  content: { "application/json": { schema: toSchema(adminErrorSchema, "output", components) } },
});

/** `/users/:user` → `/users/{user}`, and the names of its parameters. */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

/** Whether a parameter's schema takes an array (itself, or one of its `anyOf` alternatives). */
function allowsArray(schema: Schema): boolean {
  const alternatives = Array.isArray(schema.anyOf) ? (schema.anyOf as Schema[]) : [];
  return schema.type === "array" || alternatives.some(allowsArray);
}

function queryParameters(query: z.ZodObject, components: Components): Parameter[] {
  const json = toSchema(query, "input", components);
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema as Schema;
    return {
      name,
      in: "query",
      required: required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
      // An array parameter is repeated: `?type=a&type=b`.
      ...(allowsArray(rest) ? { style: "form", explode: true } : {}),
    };
  });
}

function operation(operationId: string, doc: RouteDoc, components: Components): Operation {
  const { params } = openApiPath(doc.path);
  const parameters: Parameter[] = [
    ...params.map((name) => ({ name, in: "path", required: true, description: doc.params?.[name] ?? name, schema: { type: "string" } }) satisfies Parameter),
    ...(doc.query ? queryParameters(doc.query, components) : []),
  ];
  const responses: Record<string, ResponseOrRef> = {};
  for (const [status, r] of Object.entries(doc.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { "application/json": { schema: toSchema(r.schema, "output", components) } } } : {}),
    };
  }
  const errors: Record<string, string> = {
    ...(doc.body ? BODY_ERRORS : doc.query ? { 400: "A query parameter fails validation: `validations` names each one." } : {}),
    ...doc.errors,
  };
  for (const [status, description] of Object.entries(errors)) responses[status] = errorResponse(description, components);
  for (const [status, [name]] of Object.entries(COMMON_ERRORS)) responses[status] = { $ref: `#/components/responses/${name}` };
  return {
    operationId,
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { "application/json": { schema: toSchema(doc.body, "input", components) } } } } : {}),
    responses,
    ...(doc.public ? { security: [] } : {}),
  };
}

export interface DocumentInfo {
  /** Where the document is served, itself described (without security: it is public). */
  selfPath: string;
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Builds the document from the route tables by router name (`webhooks` → `{ rotateSecret: … }`: the
 * operationId `webhooksRotateSecret`). Throws on a route described twice.
 */
export function buildOpenApiDocument(tables: Readonly<Record<string, Readonly<Record<string, RouteDoc>>>>, info: DocumentInfo): OpenApiDocument {
  const components: Components = {};
  const paths: Record<string, PathItem> = {};
  const tags = new Set<string>();
  for (const [table, routes] of Object.entries(tables)) {
    for (const [name, doc] of Object.entries(routes)) {
      const { path } = openApiPath(doc.path);
      const item = (paths[path] ??= {});
      if (item[doc.method]) throw new Error(`OpenAPI: ${doc.method.toUpperCase()} ${doc.path} is described twice`);
      item[doc.method] = operation(table + capitalized(name), doc, components);
      tags.add(doc.tag);
    }
  }
  const responses = Object.fromEntries(Object.values(COMMON_ERRORS).map(([name, description]) => [name, errorResponse(description, components)]));
  paths[info.selfPath] = {
    get: {
      operationId: "getOpenApiDocument",
      tags: ["meta"],
      summary: "This document",
      description: "Public, no token needed: it describes the API, it holds no data.",
      security: [],
      responses: { 200: { description: "The OpenAPI 3.1 document of the admin API.", content: { "application/json": { schema: { type: "object" } } } } },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "scim-bridge admin API",
      version: "2",
      description:
        "The admin API of scim-bridge under `/api/v2` (Coder's paths and JSON where Coder has them). Every route needs a bearer token of scope `admin` (`Authorization: Bearer …`, or Coder's `Coder-Session-Token` header), or a browser session's cookie from `POST /sessions` (then `POST`, `PUT`, `PATCH` and `DELETE` need its `X-CSRF-Token`). Errors are `{message, detail?, validations?}`.",
    },
    servers: [{ url: "/api/v2", description: "Relative to the bridge's address." }],
    security: [{ bearer: [] }, { coderSessionToken: [] }, { sessionCookie: [] }],
    tags: [...tags, "meta"].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      responses,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A token of scope `admin` (`scim-bridge token create --scope admin`, or BRIDGE_ADMIN_TOKEN)." },
        coderSessionToken: { type: "apiKey", in: "header", name: "Coder-Session-Token", description: "The same token in Coder's header." },
        sessionCookie: { type: "apiKey", in: "cookie", name: "scim_bridge_session", description: "A browser session from `POST /sessions`; state-changing requests also need its `X-CSRF-Token` header. Every request with the cookie counts as use and moves the session's idle deadline (SESSION_IDLE_TIMEOUT), except one sent with `X-Background: 1`: mark a page's timer-driven requests (polling) with it, so that a page left open still signs out." },
      },
    },
  };
}
