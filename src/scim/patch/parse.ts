import { ScimError } from "../errors";
import type { Filter } from "../filter/ast";
import { parseValueFilter } from "../filter/parse";
import { resolvePath, schemaByUrn } from "../schema/resolve";
import type { AttributeDef, ResolvedPath, ResourceTypeDef, SchemaDef } from "../schema/types";
import { USER_SCHEMA } from "../schema/user";

/**
 * A PatchOp request (RFC 7644 §3.5.2) → typed operations. `op` names are case-insensitive (Entra sends
 * `Replace`); paths are attribute paths, value paths with a filter and optional sub-attribute
 * (`emails[type eq "work"].value`), or a bare extension URN.
 */

export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export type PatchTarget =
  | { kind: "none" }
  | { kind: "extension"; schema: SchemaDef }
  | { kind: "attribute"; path: ResolvedPath }
  | { kind: "filtered"; path: ResolvedPath; filter: Filter; sub: AttributeDef | undefined };

export interface PatchOperation {
  op: "add" | "replace" | "remove";
  target: PatchTarget;
  /** The raw value; typed against the target when applied. */
  value: unknown;
  /** Whether the operation carried a `value` member at all. */
  hasValue: boolean;
}

const syntax = (detail: string) => ScimError.badRequest("invalidSyntax", detail);
const MAX_OPERATIONS = 10_000;

const PATH_RE = /^(?<attr>[^[\]]+?)(?:\[(?<filter>.+)\](?:\.(?<sub>[A-Za-z0-9$_-]+))?)?$/s;

export function parsePath(rt: ResourceTypeDef, raw: string): PatchTarget {
  const text = raw.trim();
  const ext = schemaByUrn(rt, text);
  if (ext?.extension) return { kind: "extension", schema: ext.schema };
  const m = PATH_RE.exec(text);
  const attr = m?.groups?.attr;
  if (!m || !attr) throw ScimError.badRequest("invalidPath", `"${raw}" is not a valid attribute path`);
  const path = resolvePath(rt, attr);
  if (!path) throw ScimError.badRequest("invalidPath", `"${raw}" does not name an attribute of ${rt.name}`);
  const filterText = m.groups?.filter;
  if (filterText === undefined) return { kind: "attribute", path };
  if (path.subAttribute || path.attribute.type !== "complex") {
    throw ScimError.badRequest("invalidPath", `"${raw}": a filter needs a complex attribute`);
  }
  let sub: AttributeDef | undefined;
  const subName = m.groups?.sub;
  if (subName) {
    sub = path.attribute.subAttributes?.find((a) => a.name.toLowerCase() === subName.toLowerCase());
    if (!sub) throw ScimError.badRequest("invalidPath", `"${raw}": ${path.attribute.name} has no sub-attribute "${subName}"`);
  }
  return { kind: "filtered", path, filter: parseValueFilter(rt, path, filterText), sub };
}

/**
 * A user's `active` is the record's status, not a stored attribute: a PUT without it keeps the status,
 * so a remove can't mean `false` without PATCH and PUT disagreeing, and doing nothing (as before) let a
 * client believe it had deactivated someone. Refused, naming the way that works.
 */
function removesActive(rt: ResourceTypeDef, target: PatchTarget): boolean {
  return rt.schema.id === USER_SCHEMA && target.kind === "attribute" && !target.path.extension && !target.path.subAttribute && target.path.attribute.name === "active";
}

function caseless(obj: Record<string, unknown>, key: string): unknown {
  const k = Object.keys(obj).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : obj[k];
}

export function parsePatchRequest(rt: ResourceTypeDef, body: unknown): PatchOperation[] {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw syntax("the request body must be a JSON object");
  const b = body as Record<string, unknown>;
  const schemas = caseless(b, "schemas");
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw syntax(`schemas must include ${PATCH_OP_SCHEMA}`);
  }
  const ops = caseless(b, "Operations");
  if (!Array.isArray(ops) || ops.length === 0) throw syntax("Operations must be a non-empty array");
  if (ops.length > MAX_OPERATIONS) throw syntax(`at most ${MAX_OPERATIONS} operations in one request`);
  return ops.map((raw, i) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw syntax(`Operations[${i}] must be an object`);
    const o = raw as Record<string, unknown>;
    const opName = caseless(o, "op");
    const op = typeof opName === "string" ? opName.toLowerCase() : "";
    if (op !== "add" && op !== "replace" && op !== "remove") {
      throw syntax(`Operations[${i}].op must be add, replace or remove`);
    }
    const pathText = caseless(o, "path");
    if (pathText !== undefined && pathText !== null && (typeof pathText !== "string" || pathText.trim() === "")) {
      throw ScimError.badRequest("invalidPath", `Operations[${i}].path must be a non-empty string`);
    }
    const valueKey = Object.keys(o).find((k) => k.toLowerCase() === "value");
    const value = valueKey === undefined ? undefined : o[valueKey];
    const target: PatchTarget = typeof pathText === "string" ? parsePath(rt, pathText) : { kind: "none" };
    // RFC 7644 §3.5.2.2: remove needs a path.
    if (op === "remove" && target.kind === "none") throw ScimError.badRequest("noTarget", `Operations[${i}]: remove needs a path`);
    if (op === "remove" && removesActive(rt, target)) {
      throw ScimError.badRequest("invalidValue", `Operations[${i}]: active can't be removed; set it with replace ("active": false suspends the user, true reactivates it)`);
    }
    if (op !== "remove" && (value === undefined || (target.kind === "none" && (value === null || typeof value !== "object" || Array.isArray(value))))) {
      throw ScimError.badRequest("invalidValue", `Operations[${i}]: ${op} needs a value${target.kind === "none" ? " object (there is no path)" : ""}`);
    }
    return { op, target, value, hasValue: valueKey !== undefined };
  });
}
