import { ScimError } from "../errors";
import type { Filter } from "../filter/ast";
import type { PatchOperation } from "./parse";

/**
 * PATCH on a Group's `members` as set operations. Members live in their own table (a group may have
 * 50k), so they never pass through the JSON document; the records layer applies these in one
 * transaction. Shapes real IdPs send (shared/reference/idp-clients.md):
 * - Okta: `add` with `[{value, display}]`, `remove` with `members[value eq "u"]`, `replace` with the
 *   full list, `replace` with `[]` to empty the group;
 * - Entra: `Add` with `[{"$ref": null, "value": "u"}]`, and `Remove` on `members` WITH a value list,
 *   which removes only those members (not RFC-literal: read literally it would empty the group);
 * - `remove` on `members` with no value and no filter empties the group (RFC 7644 §3.5.2.2).
 */

export type MemberOp =
  | { kind: "add"; values: string[] }
  | { kind: "remove"; values: string[] }
  | { kind: "removeAll" }
  | { kind: "replace"; values: string[] };

function memberIds(value: unknown, where: string): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    const v =
      typeof item === "string" ? item
      : item && typeof item === "object" ? Object.entries(item).find(([k]) => k.toLowerCase() === "value")?.[1]
      : undefined;
    if (typeof v !== "string" || v === "") throw ScimError.badRequest("invalidValue", `${where}[${i}] must be a member with a string value`);
    return v;
  });
}

/** Ids named by `members[value eq "a" or value eq "b"]`; other member filters are refused. */
function idsFromFilter(f: Filter): string[] {
  if (f.kind === "or") return f.filters.flatMap(idsFromFilter);
  if (f.kind === "compare" && f.op === "eq" && f.path.subAttribute?.name === "value" && typeof f.value === "string") return [f.value];
  throw ScimError.badRequest("invalidFilter", 'members can be selected only by value: members[value eq "<id>"]');
}

/** The member set operation for one PATCH operation on `members`. */
export function memberOpFor(op: PatchOperation["op"], target: PatchOperation["target"], value: unknown, hasValue: boolean): MemberOp {
  if (target.kind === "filtered") {
    if (target.sub) throw ScimError.badRequest("invalidPath", "member sub-attributes cannot be patched; add or remove the member");
    if (op !== "remove") throw ScimError.badRequest("invalidPath", 'add or replace members with path "members" and a value list');
    return { kind: "remove", values: idsFromFilter(target.filter) };
  }
  if (target.kind === "attribute" && target.path.subAttribute) {
    throw ScimError.badRequest("invalidPath", "member sub-attributes cannot be patched; add or remove the member");
  }
  switch (op) {
    case "add":
      return { kind: "add", values: memberIds(value, "members") };
    case "replace":
      return { kind: "replace", values: memberIds(value, "members") };
    case "remove":
      return hasValue && value !== null ? { kind: "remove", values: memberIds(value, "members") } : { kind: "removeAll" };
  }
}
