import { parse as parseGrammar, type Filter as RawFilter } from "scim2-parse-filter";
import { ScimError } from "../errors";
import { resolvePath } from "../schema/resolve";
import type { AttributeDef, ResolvedPath, ResourceTypeDef } from "../schema/types";
import type { CompareOp, Filter, FilterValue } from "./ast";
import { FilterSyntaxError, preprocessFilter } from "./preprocess";

/**
 * Filter text → typed AST (RFC 7644 §3.4.2.2). The grammar is scim2-parse-filter's (after the
 * preprocess step for real clients' deviations); this module resolves every attribute against the
 * resource type's schemas (case-insensitively, URN-qualified extension attributes included) and
 * types every value by its attribute. Any problem is a 400 invalidFilter naming it, never a 500.
 */

export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_DEPTH = 16;

const bad = (detail: string) => ScimError.badRequest("invalidFilter", detail);

const ORDERING: ReadonlySet<CompareOp> = new Set(["gt", "ge", "lt", "le"]);
const SUBSTRING: ReadonlySet<CompareOp> = new Set(["co", "sw", "ew"]);

function findSub(parent: AttributeDef, name: string): AttributeDef | undefined {
  const lower = name.toLowerCase();
  return parent.subAttributes?.find((a) => a.name.toLowerCase() === lower);
}

/** In `attr[...]`, names are sub-attributes of attr. */
function resolveRelative(parent: ResolvedPath, name: string): ResolvedPath {
  const sub = findSub(parent.attribute, name);
  if (!sub) throw bad(`${parent.attribute.name} has no sub-attribute "${name}"`);
  return { ...parent, subAttribute: sub, canonical: `${parent.canonical}.${sub.name}` };
}

function resolveAbsolute(rt: ResourceTypeDef, name: string): ResolvedPath {
  const p = resolvePath(rt, name);
  if (!p) throw bad(`unknown attribute "${name}" for ${rt.name}`);
  return p;
}

/** RFC 7644 §3.4.2.2: a multi-valued complex attribute compared directly means its `value`. */
function comparable(path: ResolvedPath): ResolvedPath {
  if (path.subAttribute || path.attribute.type !== "complex") return path;
  const value = findSub(path.attribute, "value");
  if (path.attribute.multiValued && value) return { ...path, subAttribute: value, canonical: `${path.canonical}.value` };
  return path;
}

function typedValue(path: ResolvedPath, op: CompareOp, raw: FilterValue): FilterValue {
  const leaf = path.subAttribute ?? path.attribute;
  const name = path.canonical;
  if (leaf.type === "complex") throw bad(`${name} is complex: compare one of its sub-attributes, or use pr`);
  if (raw === null) {
    if (op !== "eq" && op !== "ne") throw bad(`${name} ${op} null is not meaningful`);
    return null;
  }
  switch (leaf.type) {
    case "boolean": {
      if (op !== "eq" && op !== "ne") throw bad(`${op} is not defined for the boolean ${name}`);
      if (typeof raw === "boolean") return raw;
      if (typeof raw === "string" && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === "true";
      throw bad(`${name} is a boolean: compare it with true or false`);
    }
    case "integer":
    case "decimal": {
      if (SUBSTRING.has(op)) throw bad(`${op} is not defined for the number ${name}`);
      const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      if (typeof n !== "number" || !Number.isFinite(n)) throw bad(`${name} is a number`);
      return n;
    }
    case "dateTime": {
      if (SUBSTRING.has(op)) throw bad(`${op} is not defined for the date ${name}`);
      if (typeof raw !== "string" || Number.isNaN(Date.parse(raw))) throw bad(`${name} is a date: compare it with a quoted xsd:dateTime`);
      return new Date(raw).toISOString();
    }
    default:
      if (typeof raw === "boolean") throw bad(`${name} is a string: quote the value`);
      return String(raw);
  }
}

function convert(rt: ResourceTypeDef, raw: RawFilter, parent: ResolvedPath | undefined, depth: number): Filter {
  if (depth > MAX_FILTER_DEPTH) throw bad(`filter is nested more than ${MAX_FILTER_DEPTH} levels deep`);
  const resolve = (name: string) => (parent ? resolveRelative(parent, name) : resolveAbsolute(rt, name));
  switch (raw.op) {
    case "and":
    case "or":
      return { kind: raw.op, filters: raw.filters.map((f) => convert(rt, f, parent, depth + 1)) };
    case "not":
      return { kind: "not", filter: convert(rt, raw.filter, parent, depth + 1) };
    case "[]": {
      if (parent) throw bad("value paths cannot be nested");
      const path = resolveAbsolute(rt, raw.attrPath);
      if (path.subAttribute || path.attribute.type !== "complex") {
        throw bad(`${path.canonical}[...] needs a complex attribute`);
      }
      return { kind: "valuePath", path, filter: convert(rt, raw.valFilter, path, depth + 1) };
    }
    case "pr":
      return { kind: "present", path: resolve(raw.attrPath) };
    default: {
      const op = raw.op.toLowerCase() as CompareOp;
      const path = comparable(resolve(raw.attrPath));
      return { kind: "compare", path, op, value: typedValue(path, op, raw.compValue) };
    }
  }
}

function grammar(text: string): RawFilter {
  try {
    return parseGrammar(preprocessFilter(text));
  } catch (err) {
    const reason = err instanceof FilterSyntaxError || err instanceof Error ? err.message : String(err);
    throw bad(`the filter is not valid SCIM filter syntax (${reason})`);
  }
}

/** The filter's grammar tree, not yet resolved against any resource type (bounded in length). */
export function parseFilterSyntax(text: string): RawFilter {
  if (text.length > MAX_FILTER_LENGTH) throw bad(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  if (text.trim() === "") throw bad("the filter is empty");
  return grammar(text);
}

/** A grammar tree resolved and typed against one resource type. */
export function typeFilter(rt: ResourceTypeDef, raw: RawFilter): Filter {
  return convert(rt, raw, undefined, 0);
}

export function parseFilter(rt: ResourceTypeDef, text: string): Filter {
  return typeFilter(rt, parseFilterSyntax(text));
}

/**
 * The bracket part of a PATCH path (`emails[type eq "work"]`, `members[value eq "u1"]`): `text` is
 * what is inside the brackets, its names relative to `parent`.
 */
export function parseValueFilter(rt: ResourceTypeDef, parent: ResolvedPath, text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw bad(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  return convert(rt, grammar(text), parent, 0);
}
