import type { Filter as RawFilter } from "scim2-parse-filter";
import { ScimError } from "../errors";
import { resolvePath } from "../schema/resolve";
import type { ResourceTypeDef } from "../schema/types";
import type { Filter } from "./ast";
import { MAX_FILTER_DEPTH, parseFilterSyntax, typeFilter } from "./parse";

/**
 * One filter over several resource types at once (a query at the service root, RFC 7644 §3.4.2.1),
 * as one typed filter per type. An attribute that a type does not define is not merely unassigned
 * there: a comparison on it is neither true nor false for that type (three-valued, like SQL's NULL),
 * and a resource is listed only when the filter is true. So a filter on an attribute only one type has
 * matches only that type, negated or not (`userName ne "x"` and `not (userName eq "x")` match no
 * Group), while `userName eq "x" or displayName eq "y"` still finds a user and a group.
 *
 * The three values are resolved here, before SQL: with the negations above it pushed down to the
 * leaves (De Morgan), a comparison on an undefined attribute can only make the filter false, so it is
 * replaced by the constant that is false once those negations apply, and the constants are folded
 * away. A type whose filter folds to false is not queried at all; one that folds to true is listed whole.
 */

/** For one type: the filter to apply, `true` (every resource of the type) or `false` (none). */
export type TypeFilter = Filter | boolean;

const bad = (detail: string) => ScimError.badRequest("invalidFilter", detail);

const defines = (rt: ResourceTypeDef, attrPath: string) => resolvePath(rt, attrPath) !== undefined;

/** Every attribute named outside brackets must be one of some type's (a typo is a 400, not "no match"). */
function checkAttributes(types: readonly ResourceTypeDef[], raw: RawFilter, depth: number): void {
  if (depth > MAX_FILTER_DEPTH) throw bad(`filter is nested more than ${MAX_FILTER_DEPTH} levels deep`);
  switch (raw.op) {
    case "and":
    case "or":
      raw.filters.forEach((f) => checkAttributes(types, f, depth + 1));
      return;
    case "not":
      checkAttributes(types, raw.filter, depth + 1);
      return;
    default:
      if (!types.some((rt) => defines(rt, raw.attrPath))) {
        throw bad(`unknown attribute "${raw.attrPath}" for ${types.map((t) => t.name).join(" or ")}`);
      }
  }
}

/** `raw` for one type; `negated`: under an odd number of `not`s. */
function specialize(rt: ResourceTypeDef, raw: RawFilter, negated: boolean): RawFilter | boolean {
  switch (raw.op) {
    case "and":
    case "or": {
      // and: false absorbs, true drops out; or: the other way round.
      const absorbing = raw.op === "or";
      const kept: RawFilter[] = [];
      for (const child of raw.filters) {
        const s = specialize(rt, child, negated);
        if (s === absorbing) return absorbing;
        if (typeof s !== "boolean") kept.push(s);
      }
      if (kept.length === 0) return !absorbing;
      return kept.length === 1 ? kept[0]! : { op: raw.op, filters: kept };
    }
    case "not": {
      const inner = specialize(rt, raw.filter, !negated);
      return typeof inner === "boolean" ? !inner : { op: "not", filter: inner };
    }
    default:
      // Undefined here: the constant that the negations above turn into false.
      return defines(rt, raw.attrPath) ? raw : negated;
  }
}

/**
 * The filter text for each of `types`, in their order. Syntax, length and depth limits, unknown
 * attributes and ill-typed values are 400 invalidFilter, as on a resource type's endpoint.
 */
export function parseFilterAcross(types: readonly ResourceTypeDef[], text: string): TypeFilter[] {
  const raw = parseFilterSyntax(text);
  checkAttributes(types, raw, 0);
  return types.map((rt) => {
    const s = specialize(rt, raw, false);
    return typeof s === "boolean" ? s : typeFilter(rt, s);
  });
}
