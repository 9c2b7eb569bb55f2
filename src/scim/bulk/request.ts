import { z } from "zod";
import { describeUnstorable, findUnstorable } from "../../text/storable";
import { ScimError } from "../errors";
import type { ResourceTypeDef } from "../schema/types";

/**
 * A BulkRequest (RFC 7644 §3.7) → typed operations, purely. What makes the request as a whole
 * unreadable (not an object, no BulkRequest schema, no Operations array, a bad failOnErrors) is a 400
 * `invalidSyntax` for the whole request; more operations than maxOperations is a 413 `tooLarge`
 * (§3.7.4). Everything wrong with one operation (an unknown method, a missing or unknown path, no
 * bulkId on a POST, no data) is that operation's own error, and the others still run.
 */

export const BULK_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

export type BulkMethod = "POST" | "PUT" | "PATCH" | "DELETE";
const METHODS: readonly BulkMethod[] = ["POST", "PUT", "PATCH", "DELETE"];

/** The resource an operation acts on: a type's endpoint (POST), or one resource by id or by bulkId. */
export type BulkTarget = { kind: "endpoint" } | { kind: "id"; id: string } | { kind: "bulkId"; bulkId: string };

export interface BulkOperation {
  /** Position in the request (0-based); results are listed in this order. */
  index: number;
  method: BulkMethod;
  bulkId: string | undefined;
  /** RFC 7644 §3.7: the resource version the client last saw, checked as If-Match. */
  version: string | undefined;
  resourceType: ResourceTypeDef;
  target: BulkTarget;
  data: unknown;
}

/** An operation that can't run, with what to echo back (RFC 7644 §3.7.3). */
export interface RefusedOperation {
  index: number;
  method: string | undefined;
  bulkId: string | undefined;
  error: ScimError;
}

export type ParsedOperation = { ok: true; op: BulkOperation } | { ok: false; refused: RefusedOperation };

export interface BulkRequest {
  /** Stop after this many errors (RFC 7644 §3.7.3); undefined: run every operation. */
  failOnErrors: number | undefined;
  operations: ParsedOperation[];
}

/** A bulkId is echoed and used as a reference: long enough for any client's ids, short enough to echo. */
export const MAX_BULK_ID_LENGTH = 256;

const syntax = (detail: string) => ScimError.badRequest("invalidSyntax", detail);

const requestSchema = z.object({
  schemas: z
    .array(z.string(), { message: `schemas must be an array naming ${BULK_REQUEST_SCHEMA}` })
    .refine((s) => s.some((x) => x.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase()), { message: `schemas must include ${BULK_REQUEST_SCHEMA}` }),
  failOnErrors: z.int({ message: "failOnErrors must be a whole number of at least 1" }).min(1, "failOnErrors must be a whole number of at least 1").nullish(),
  Operations: z.array(z.looseObject({}, { message: "Operations must be an array of operation objects" }), { message: "Operations must be an array of operation objects" }).min(1, "Operations must not be empty"),
});

const operationSchema = z.object({
  method: z.string({ message: "method must be a string: POST, PUT, PATCH or DELETE" }),
  bulkId: z.string({ message: "bulkId must be a string" }).min(1, "bulkId must not be empty").max(MAX_BULK_ID_LENGTH, `bulkId must be at most ${MAX_BULK_ID_LENGTH} characters`).nullish(),
  version: z.string({ message: "version must be a string (the resource's meta.version)" }).nullish(),
  path: z.string({ message: "path must be a string such as /Users or /Users/{id}" }).nullish(),
  data: z.unknown().optional(),
});

/** The object with each key named as `names` spell it, whatever case the client used (Entra sends `operations`). */
function canonicalKeys(o: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[names.find((n) => n.toLowerCase() === k.toLowerCase()) ?? k] = v;
  return out;
}

const firstIssue = (e: z.ZodError) => e.issues[0]?.message ?? "the request does not match the BulkRequest schema";

/** `/Users`, `Users/`, `/Users/{id}`, `/Groups/bulkId:x`: the resource type and the target (RFC 7644 §3.7: relative paths). */
function parsePath(raw: string, method: BulkMethod, types: readonly ResourceTypeDef[]): { resourceType: ResourceTypeDef; target: BulkTarget } {
  const invalid = (why: string) => ScimError.badRequest("invalidPath", `path "${raw}" ${why}`);
  if (/[?#]/.test(raw)) throw invalid("must not carry a query or fragment");
  const segments = raw.replace(/^\/+/, "").replace(/\/+$/, "").split("/");
  if (segments.length > 2 || segments[0] === "") throw invalid("must be a resource endpoint (/Users) or one resource (/Users/{id})");
  const resourceType = types.find((t) => t.endpoint.slice(1).toLowerCase() === segments[0]!.toLowerCase());
  if (!resourceType) throw invalid(`names no resource type served here (${types.map((t) => t.endpoint).join(", ")})`);
  let id: string | undefined;
  if (segments.length === 2) {
    try {
      id = decodeURIComponent(segments[1]!);
    } catch {
      throw invalid("has a malformed percent-encoding");
    }
  }
  if (method === "POST") {
    if (id !== undefined) throw invalid(`must be the endpoint ${resourceType.endpoint} for a POST`);
    return { resourceType, target: { kind: "endpoint" } };
  }
  if (id === undefined || id === "") throw invalid(`must name one resource (${resourceType.endpoint}/{id}) for a ${method}`);
  return { resourceType, target: id.startsWith("bulkId:") ? { kind: "bulkId", bulkId: id.slice("bulkId:".length) } : { kind: "id", id } };
}

function parseOperation(raw: Record<string, unknown>, index: number, types: readonly ResourceTypeDef[], definedAt: Map<string, number>): ParsedOperation {
  const o = canonicalKeys(raw, ["method", "bulkId", "version", "path", "data"]);
  const echo = { method: typeof o.method === "string" ? o.method.toUpperCase() : undefined, bulkId: typeof o.bulkId === "string" ? o.bulkId : undefined };
  const refuse = (error: ScimError): ParsedOperation => ({ ok: false, refused: { index, ...echo, error } });
  // The request body's strings were not checked as a whole (one bad operation must not fail the others).
  const unstorable = findUnstorable(raw);
  if (unstorable) {
    const { field, detail } = describeUnstorable(unstorable);
    return refuse(ScimError.badRequest("invalidValue", `Operations[${index}].${field}: ${detail}`));
  }
  const parsed = operationSchema.safeParse(o);
  if (!parsed.success) return refuse(syntax(`Operations[${index}]: ${firstIssue(parsed.error)}`));
  const { bulkId, version, path, data } = parsed.data;
  const method = parsed.data.method.toUpperCase() as BulkMethod;
  if (!METHODS.includes(method)) return refuse(ScimError.badRequest("invalidValue", `Operations[${index}]: method "${parsed.data.method}" is not one of POST, PUT, PATCH, DELETE`));
  if (path === undefined || path === null || path.trim() === "") return refuse(syntax(`Operations[${index}]: path is required: ${method === "POST" ? "/Users or /Groups" : "/Users/{id} or /Groups/{id}"}`));
  if (method === "POST" && (bulkId === undefined || bulkId === null)) return refuse(syntax(`Operations[${index}]: bulkId is required for a POST (RFC 7644 §3.7)`));
  if (method !== "DELETE" && (data === undefined || data === null)) return refuse(syntax(`Operations[${index}]: data is required for a ${method}`));
  let where: ReturnType<typeof parsePath>;
  try {
    where = parsePath(path.trim(), method, types);
  } catch (err) {
    return refuse(err as ScimError);
  }
  if (typeof bulkId === "string" && method === "POST") {
    const first = definedAt.get(bulkId);
    if (first !== undefined) return refuse(ScimError.badRequest("invalidValue", `Operations[${index}]: bulkId "${bulkId}" is already used by Operations[${first}]; a bulkId must be unique within the request`));
    definedAt.set(bulkId, index);
  }
  return { ok: true, op: { index, method, bulkId: bulkId ?? undefined, version: version ?? undefined, ...where, data: method === "DELETE" ? undefined : data } };
}

export function parseBulkRequest(body: unknown, opts: { resourceTypes: readonly ResourceTypeDef[]; maxOperations: number }): BulkRequest {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw syntax("the request body must be a BulkRequest object");
  const parsed = requestSchema.safeParse(canonicalKeys(body as Record<string, unknown>, ["schemas", "failOnErrors", "Operations"]));
  if (!parsed.success) throw syntax(firstIssue(parsed.error));
  const { Operations: ops, failOnErrors } = parsed.data;
  if (ops.length > opts.maxOperations) {
    throw new ScimError(413, `the request has ${ops.length} operations; this service accepts at most ${opts.maxOperations} (maxOperations): split it`, "tooLarge");
  }
  const definedAt = new Map<string, number>();
  return { failOnErrors: failOnErrors ?? undefined, operations: ops.map((raw, i) => parseOperation(raw, i, opts.resourceTypes, definedAt)) };
}
