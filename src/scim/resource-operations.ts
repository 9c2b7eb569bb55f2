import { observed, type ScimOperation, type ScimOperationObserver } from "./operation-observer";
import { applyPatch } from "./patch/apply";
import { parsePatchRequest } from "./patch/parse";
import type { ResourceRecord, ResourceService, WriteContext } from "./resource-service";
import type { ResourceTypeDef } from "./schema/types";
import { normalizeInput, requireAttributes } from "./schema/validate";

/**
 * The writes of one resource type from a request body to a stored record: parse and validate the
 * body (RFC 7644 §3.3, §3.5.1, §3.5.2), then call the resource service once. The resource router and
 * each operation of a Bulk request (RFC 7644 §3.7) go through these, so a write means the same thing
 * however it arrives: the same validation, sync, audit rows and outbox events.
 */
export interface ResourceOperations {
  readonly service: ResourceService;
  readonly resourceType: ResourceTypeDef;
  create(body: unknown, ctx: WriteContext): Promise<ResourceRecord>;
  replace(id: string, body: unknown, ctx: WriteContext): Promise<ResourceRecord>;
  patch(id: string, body: unknown, ctx: WriteContext): Promise<ResourceRecord>;
  remove(id: string, ctx: WriteContext): Promise<void>;
}

/**
 * `detached`: attributes kept outside the JSON document and patched as set operations (Group members).
 * `observe` is told the outcome of every write, invalid bodies included (the SCIM operation metrics).
 */
export function resourceOperations(service: ResourceService, detached: readonly string[] = [], observe?: ScimOperationObserver): ResourceOperations {
  const rt = service.resourceType;
  const counted = <T>(operation: ScimOperation, ctx: WriteContext, fn: () => Promise<T>) => observed(observe, { resourceType: rt.name, operation, token: ctx.actor }, fn);
  return {
    service,
    resourceType: rt,
    create: (body, ctx) => counted("create", ctx, () => service.create(normalizeInput(rt, body, "create").attributes, ctx)),
    replace: (id, body, ctx) => counted("replace", ctx, () => service.replace(id, normalizeInput(rt, body, "replace").attributes, ctx)),
    patch: (id, body, ctx) =>
      counted("patch", ctx, () => {
        const ops = parsePatchRequest(rt, body);
        return service.patch(
          id,
          (current) => {
            const result = applyPatch(rt, current, ops, { detached });
            // A PATCH may not leave a required attribute out (removing userName, emptying displayName).
            requireAttributes(rt, result.next);
            return result;
          },
          ctx,
        );
      }),
    remove: (id, ctx) => counted("delete", ctx, () => service.remove(id, ctx)),
  };
}
