import type { AttributeDef } from "../schema/types";
import type { CompareOp, Filter, FilterValue } from "./ast";

/**
 * In-memory evaluation of the inner filter of a value path against one element of a multi-valued
 * attribute (`emails[type eq "work"]` in a PATCH path). Same semantics as the SQL translation:
 * caseExact honoured, typed comparison, `pr` false for null, "" and [].
 */

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
}

function compare(leaf: AttributeDef, op: CompareOp, actual: unknown, expected: FilterValue): boolean {
  if (expected === null) return op === "eq" ? !present(actual) : present(actual);
  if (actual === undefined || actual === null) return op === "ne";
  if (leaf.type === "boolean") {
    const a = typeof actual === "string" ? actual.toLowerCase() === "true" : actual === true;
    return op === "eq" ? a === expected : a !== expected;
  }
  let a: string | number;
  let e: string | number;
  if (leaf.type === "integer" || leaf.type === "decimal") {
    a = Number(actual);
    e = Number(expected);
  } else if (leaf.type === "dateTime") {
    a = Date.parse(String(actual));
    e = Date.parse(String(expected));
  } else {
    a = leaf.caseExact ? String(actual) : String(actual).toLowerCase();
    e = leaf.caseExact ? String(expected) : String(expected).toLowerCase();
  }
  switch (op) {
    case "eq": return a === e;
    case "ne": return a !== e;
    case "co": return String(a).includes(String(e));
    case "sw": return String(a).startsWith(String(e));
    case "ew": return String(a).endsWith(String(e));
    case "gt": return a > e;
    case "ge": return a >= e;
    case "lt": return a < e;
    case "le": return a <= e;
  }
}

/** Whether one element (an object of sub-attributes) satisfies a value path's inner filter. */
export function matchesElement(filter: Filter, element: unknown): boolean {
  const obj = element && typeof element === "object" ? (element as Record<string, unknown>) : { value: element };
  switch (filter.kind) {
    case "and": return filter.filters.every((f) => matchesElement(f, obj));
    case "or": return filter.filters.some((f) => matchesElement(f, obj));
    case "not": return !matchesElement(filter.filter, obj);
    case "valuePath": return false;
    case "present": {
      const leaf = filter.path.subAttribute ?? filter.path.attribute;
      return present(obj[leaf.name]);
    }
    case "compare": {
      const leaf = filter.path.subAttribute ?? filter.path.attribute;
      return compare(leaf, filter.op, obj[leaf.name], filter.value);
    }
  }
}
