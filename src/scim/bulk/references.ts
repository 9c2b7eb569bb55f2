import { PATCH_OP_SCHEMA } from "../patch/parse";

/**
 * `bulkId:<id>` references in an operation's data (RFC 7644 §3.7.2), purely: which bulkIds it names,
 * the data with each replaced by the id of the resource that bulkId created, and, to break a
 * circular reference (§3.7.1), the data without the parts that name given bulkIds plus the PatchOp
 * that sets those parts once the resources exist.
 *
 * A reference is a whole string value, at any depth (a member's `value`, the enterprise `manager`'s
 * `value`); in a PatchOp's `path` it is a quoted filter value (`members[value eq "bulkId:q"]`).
 */

const PREFIX = "bulkId:";
const IN_PATH = /"bulkId:((?:[^"\\]|\\.)*)"/g;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const isPathKey = (key: string | undefined) => key !== undefined && key.toLowerCase() === "path";

/** A filter's quoted value without its escapes (SCIM filter strings are JSON strings, RFC 7644 §3.4.2.2). */
function unquote(quoted: string): string {
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return quoted;
  }
}

/** Calls `visit` on every string (value or PatchOp path) in `value`, with the key that holds it. */
function eachString(value: unknown, visit: (s: string, key: string | undefined) => void, key?: string): void {
  if (typeof value === "string") visit(value, key);
  else if (Array.isArray(value)) for (const item of value) eachString(item, visit);
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) eachString(v, visit, k);
}

/** The bulkIds `value` refers to. `patch`: it is a PatchOp, whose paths may name them too. */
export function referencesIn(value: unknown, patch: boolean): Set<string> {
  const out = new Set<string>();
  eachString(value, (s, key) => {
    if (s.startsWith(PREFIX)) out.add(s.slice(PREFIX.length));
    else if (patch && isPathKey(key)) for (const m of s.matchAll(IN_PATH)) out.add(unquote(m[1]!));
  });
  return out;
}

/** Thrown by `resolveReferences` for a bulkId with no resource (yet). */
export class UnresolvedReference extends Error {
  constructor(readonly bulkId: string) {
    super(`bulkId:${bulkId} is not resolved`);
  }
}

/** `value` with every reference replaced by `idOf(bulkId)`; throws UnresolvedReference when that is undefined. */
export function resolveReferences(value: unknown, idOf: (bulkId: string) => string | undefined, patch: boolean, key?: string): unknown {
  const id = (bulkId: string) => {
    const found = idOf(bulkId);
    if (found === undefined) throw new UnresolvedReference(bulkId);
    return found;
  };
  if (typeof value === "string") {
    if (value.startsWith(PREFIX)) return id(value.slice(PREFIX.length));
    if (patch && isPathKey(key)) return value.replace(IN_PATH, (_m, quoted: string) => JSON.stringify(id(unquote(quoted))));
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, idOf, patch));
  if (isObj(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, idOf, patch, k)]));
  return value;
}

const namesAny = (value: unknown, bulkIds: ReadonlySet<string>) => [...referencesIn(value, false)].some((b) => bulkIds.has(b));

/** One part of a POST's data set after the resource exists: a PatchOp operation. */
export interface DeferredPart {
  op: "add" | "replace";
  path: string;
  value: unknown;
}

/**
 * A POST's data without what names `cyclic` bulkIds, and the parts taken out (RFC 7644 §3.7.1: create
 * first, then patch the reference). Of a multi-valued attribute only the values naming them are taken
 * (added back later); a single-valued one (the enterprise `manager`) is taken whole (replaced later).
 * An extension's attributes are taken one by one, under their full URN path.
 */
export function withoutReferences(data: Obj, cyclic: ReadonlySet<string>): { data: Obj; deferred: DeferredPart[] } {
  const deferred: DeferredPart[] = [];
  const split = (source: Obj, prefix: string, top: boolean): Obj => {
    const kept: Obj = {};
    for (const [key, value] of Object.entries(source)) {
      if (!namesAny(value, cyclic) || (top && key.toLowerCase() === "schemas")) {
        kept[key] = value;
      } else if (top && key.toLowerCase().startsWith("urn:") && isObj(value)) {
        kept[key] = split(value, `${key}:`, false);
      } else if (Array.isArray(value)) {
        kept[key] = value.filter((item) => !namesAny(item, cyclic));
        deferred.push({ op: "add", path: `${prefix}${key}`, value: value.filter((item) => namesAny(item, cyclic)) });
      } else {
        deferred.push({ op: "replace", path: `${prefix}${key}`, value });
      }
    }
    return kept;
  };
  return { data: split(data, "", true), deferred };
}

/** The PatchOp request that sets deferred parts (their references still to resolve). */
export function deferredPatch(parts: readonly DeferredPart[]): Obj {
  return { schemas: [PATCH_OP_SCHEMA], Operations: parts.map((p) => ({ op: p.op, path: p.path, value: p.value })) };
}
