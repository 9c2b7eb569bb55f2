import { isDatabaseUnavailable, scimErrorOf } from "../http/errors";

/**
 * How the SCIM layer reports each operation it ran, for metrics (src/metrics/scim.ts): the resource
 * type, what was asked, how it ended, and the name of the token that asked. Called after the
 * operation, from memory: counting never costs a database round trip. The SCIM layer knows nothing
 * of Prometheus; the composition root (src/app.ts) plugs the counter in.
 */

export type ScimOperation = "create" | "replace" | "patch" | "delete" | "get" | "list";

/**
 * How an operation ended, from what the client was answered (RFC 7644 §3.12): a success names what
 * was done; a failure names its class (every 400 scimType is `invalid`: the client sent something
 * wrong).
 */
export type ScimOutcome =
  | "created"
  | "updated"
  | "deleted"
  | "ok"
  | "invalid"
  | "not_found"
  | "conflict"
  | "precondition_failed"
  | "too_large"
  | "unavailable"
  | "error";

export interface ScimOperationEvent {
  /** The resource type's name (`User`, `Group`). */
  resourceType: string;
  operation: ScimOperation;
  outcome: ScimOutcome;
  /** The name of the token that asked (admin-chosen, few), never the token itself. */
  token: string;
}

export type ScimOperationObserver = (event: ScimOperationEvent) => void;

const SUCCESS: Record<ScimOperation, ScimOutcome> = { create: "created", replace: "updated", patch: "updated", delete: "deleted", get: "ok", list: "ok" };

/** The outcome of an operation that succeeded (`err` undefined) or threw `err`. */
export function outcomeOf(operation: ScimOperation, err?: unknown): ScimOutcome {
  if (err === undefined) return SUCCESS[operation];
  if (isDatabaseUnavailable(err)) return "unavailable";
  const scim = scimErrorOf(err);
  switch (scim?.status) {
    case 400:
      return "invalid";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 412:
      return "precondition_failed";
    case 413:
      return "too_large";
    case 503:
      return "unavailable";
    default:
      return "error";
  }
}

/** Runs `fn` and reports its outcome, success or failure (rethrown as it was). */
export async function observed<T>(observe: ScimOperationObserver | undefined, base: Omit<ScimOperationEvent, "outcome">, fn: () => Promise<T>): Promise<T> {
  if (!observe) return fn();
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    observe({ ...base, outcome: outcomeOf(base.operation, err) });
    throw err;
  }
  observe({ ...base, outcome: outcomeOf(base.operation) });
  return result;
}
