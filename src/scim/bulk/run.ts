import { scimErrorOf } from "../../http/errors";
import { ScimError, type ScimErrorBody } from "../errors";
import { locationOf } from "../render";
import type { ResourceOperations } from "../resource-operations";
import { etagOf, type ResourceRecord, type WriteContext } from "../resource-service";
import type { ResourceTypeDef } from "../schema/types";
import { planBulk, type Step } from "./plan";
import { deferredPatch, referencesIn, resolveReferences, UnresolvedReference, withoutReferences, type DeferredPart } from "./references";
import type { BulkOperation, BulkRequest } from "./request";

/**
 * Runs a parsed Bulk request (RFC 7644 §3.7): each operation through the same resource operations
 * as its single-resource request (validation, sync, audit, outbox), each in its own transaction, in
 * the planned order (plan.ts). The request is not atomic: an operation that fails is reported and the
 * others go on, until `failOnErrors` errors (§3.7.3). Results are listed in the order of the request.
 */

export const BULK_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/** One operation's result (RFC 7644 §3.7.3); `status` is a string, as in the RFC's examples. */
export interface BulkOperationResult {
  method?: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  /** The SCIM error of a failed operation. */
  response?: ScimErrorBody;
}

export interface BulkResponse {
  schemas: [typeof BULK_RESPONSE_SCHEMA];
  Operations: BulkOperationResult[];
}

export interface BulkRunDeps {
  writes: readonly ResourceOperations[];
  /** The SCIM service's URL, for each resource's location. */
  base: string;
  actor: string;
  /**
   * A failure that is neither a SCIM nor a record-layer error (a bug, an outage): the caller logs it
   * and says how to answer it, and whether the operations left should still run.
   */
  unexpected(err: unknown, index: number): { error: ScimError; stop: boolean };
}

interface Created {
  resourceType: ResourceTypeDef;
  id: string;
}

const STATUS = { POST: 201, PUT: 200, PATCH: 200, DELETE: 204 } as const;

export async function runBulk(request: BulkRequest, deps: BulkRunDeps): Promise<BulkResponse> {
  const ops = request.operations;
  const results = new Map<number, BulkOperationResult>();
  const created = new Map<string, Created>();
  const definedBy = new Map<string, number>();
  /** Resources created without parts of their data (a circle), and those parts. */
  const deferred = new Map<number, { created: Created; parts: DeferredPart[] }>();
  let errors = 0;
  let stopped = false;

  for (const p of ops) {
    const { method, bulkId, index } = p.ok ? p.op : p.refused;
    if (method === "POST" && bulkId !== undefined && !definedBy.has(bulkId)) definedBy.set(bulkId, index);
  }

  const unresolved = (bulkId: string): ScimError => {
    const at = definedBy.get(bulkId);
    const why =
      at === undefined ? "no POST of this request defines it"
      : !ops[at]!.ok || results.has(at) ? `the POST that defines it (Operations[${at}]) failed`
      : `it is part of a circular reference that can't be resolved: Operations[${at}] waits on this operation, and only a POST can be completed later (RFC 7644 §3.7.1)`;
    return new ScimError(409, `bulkId:${bulkId} can't be resolved: ${why}`);
  };
  const idOf = (bulkId: string) => created.get(bulkId)?.id;

  const fail = (index: number, err: unknown, base: BulkOperationResult): void => {
    let error = err instanceof UnresolvedReference ? unresolved(err.bulkId) : scimErrorOf(err);
    if (!error) {
      const u = deps.unexpected(err, index);
      error = u.error;
      stopped ||= u.stop;
    }
    results.set(index, { ...base, status: String(error.status), response: error.toBody() });
    errors++;
  };

  /** The id of the resource the operation acts on (undefined for a POST); a bulkId must name one of its type. */
  const targetOf = (op: BulkOperation): string | undefined => {
    if (op.target.kind === "id") return op.target.id;
    if (op.target.kind !== "bulkId") return undefined;
    const c = created.get(op.target.bulkId);
    if (!c) throw new UnresolvedReference(op.target.bulkId);
    if (c.resourceType !== op.resourceType) {
      throw ScimError.badRequest("invalidPath", `bulkId:${op.target.bulkId} is a ${c.resourceType.name}, not under ${op.resourceType.endpoint}`);
    }
    return c.id;
  };

  /** The operation's write, as its single request makes it; undefined for a DELETE. */
  function write(writes: ResourceOperations, op: BulkOperation, id: string | undefined, data: unknown, ctx: WriteContext): Promise<ResourceRecord | undefined> {
    switch (op.method) {
      case "POST":
        return writes.create(data, ctx);
      case "PUT":
        return writes.replace(id!, data, ctx);
      case "PATCH":
        return writes.patch(id!, data, ctx);
      case "DELETE":
        return writes.remove(id!, ctx).then(() => undefined);
    }
  }

  async function run(op: BulkOperation, defer: ReadonlySet<string>): Promise<void> {
    const writes = deps.writes.find((w) => w.resourceType === op.resourceType)!;
    const echo: BulkOperationResult = { method: op.method, ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}), status: "" };
    let id: string | undefined;
    try {
      id = targetOf(op);
      let data = op.data;
      let parts: DeferredPart[] = [];
      if (defer.size > 0) ({ data, deferred: parts } = withoutReferences(data as Record<string, unknown>, defer));
      data = resolveReferences(data, idOf, op.method === "PATCH");
      const record = await write(writes, op, id, data, { actor: deps.actor, ifMatch: op.method === "POST" ? undefined : op.version });
      if (record && op.method === "POST") {
        const c = { resourceType: op.resourceType, id: record.id };
        if (op.bulkId !== undefined) created.set(op.bulkId, c);
        if (parts.length > 0) deferred.set(op.index, { created: c, parts });
      }
      const location = locationOf(op.resourceType, deps.base, record?.id ?? id!);
      results.set(op.index, { ...echo, location, ...(record ? { version: etagOf(record.version) } : {}), status: String(STATUS[op.method]) });
    } catch (err) {
      // A failed POST has no location (RFC 7644 §3.7.3); the others name the resource they acted on.
      fail(op.index, err, id === undefined ? echo : { ...echo, location: locationOf(op.resourceType, deps.base, id) });
    }
  }

  /** RFC 7644 §3.7.1: the references left out of a POST, patched in now that their resources exist. */
  async function complete(index: number): Promise<void> {
    const d = deferred.get(index);
    if (!d) return;
    deferred.delete(index);
    const done = results.get(index)!;
    const writes = deps.writes.find((w) => w.resourceType === d.created.resourceType)!;
    try {
      const body = resolveReferences(deferredPatch(d.parts), idOf, true);
      const record = await writes.patch(d.created.id, body, { actor: deps.actor, ifMatch: undefined });
      results.set(index, { ...done, version: etagOf(record.version) });
    } catch (err) {
      // The resource exists (its location says where), without the references that failed.
      fail(index, err, { ...done, status: "" });
    }
  }

  const steps: Step[] = planBulk(
    ops.map((p, i) => {
      if (!p.ok) return { index: i, defines: undefined, refs: new Set<string>(), canDefer: false };
      const op = p.op;
      const refs = referencesIn(op.data, op.method === "PATCH");
      if (op.target.kind === "bulkId") refs.add(op.target.bulkId);
      return { index: i, defines: op.method === "POST" ? op.bulkId : undefined, refs, canDefer: op.method === "POST" };
    }),
  );

  for (const step of steps) {
    if (stopped || (request.failOnErrors !== undefined && errors >= request.failOnErrors)) break;
    if (step.kind === "complete") {
      await complete(step.index);
      continue;
    }
    const p = ops[step.index]!;
    if (p.ok) {
      await run(p.op, step.defer);
    } else {
      const { method, bulkId, error } = p.refused;
      results.set(step.index, { ...(method !== undefined ? { method } : {}), ...(bulkId !== undefined ? { bulkId } : {}), status: String(error.status), response: error.toBody() });
      errors++;
    }
  }
  // Stopped (failOnErrors, an outage) before a circle was closed: say which resources lack their references.
  for (const [index, d] of deferred) {
    const done = results.get(index)!;
    const names = [...new Set(d.parts.flatMap((part) => [...referencesIn(part.value, false)]))].map((b) => `bulkId:${b}`).join(", ");
    const error = new ScimError(409, `created, but without its references to ${names}: the request stopped before they could be set`);
    results.set(index, { ...done, status: "409", response: error.toBody() });
  }
  return { schemas: [BULK_RESPONSE_SCHEMA], Operations: [...results.entries()].sort(([a], [b]) => a - b).map(([, r]) => r) };
}
