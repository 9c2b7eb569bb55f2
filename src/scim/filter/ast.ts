import type { ResolvedPath } from "../schema/types";

/** A SCIM filter (RFC 7644 §3.4.2.2), validated and typed against a resource type. */

export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
export type FilterValue = string | number | boolean | null;

export type Filter =
  | { kind: "compare"; path: ResolvedPath; op: CompareOp; value: FilterValue }
  | { kind: "present"; path: ResolvedPath }
  | { kind: "and"; filters: Filter[] }
  | { kind: "or"; filters: Filter[] }
  | { kind: "not"; filter: Filter }
  /** `attr[inner]`: `path` is the (multi-valued) complex attribute; inner paths carry a subAttribute. */
  | { kind: "valuePath"; path: ResolvedPath; filter: Filter };
