import { applyPatch, sameJson } from "../scim/patch/apply";
import type { Attributes } from "../scim/resource-service";
import { userResourceType } from "../scim/schema/registry";
import type { ResourceTypeDef } from "../scim/schema/types";

/**
 * What an import writes over a stored resource, and how the report shows the difference. Pure.
 *
 * - `merge` (the default): the import sets the attributes its source carries and leaves the rest,
 *   as a SCIM PATCH `replace` without a path does (RFC 7644 §3.5.2.3): each attribute given is
 *   replaced; a complex attribute (`name`) keeps the sub-attributes not given; an extension's
 *   attributes (the enterprise `department`, `manager`, …) are attributes of their own, merged one by
 *   one. A CSV carries only its non-empty cells, so an empty cell changes nothing.
 * - `replace`: the stored resource becomes the imported one; whatever the import lacks is cleared,
 *   and the report lists each cleared attribute.
 */

export type ImportMode = "merge" | "replace";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** The imported attributes over the stored ones (`active` is handled by the caller: it is the status). */
export function mergeResource(rt: ResourceTypeDef, stored: Attributes, imported: Attributes, mode: ImportMode): Attributes {
  const { schemas: importedSchemas, active: _a, ...given } = imported;
  if (mode === "replace") {
    const { active: _b, ...rest } = imported;
    return rest;
  }
  const { active: _c, ...base } = stored;
  // An extension the bridge does not define (kept as sent, see validate.ts) is no attribute the PATCH
  // engine knows: its attributes are merged here, one by one, as a known extension's are.
  const known = [rt.schema.id, ...rt.extensions.map((e) => e.schema.id)];
  const isKnown = (k: string) => known.some((id) => id.toLowerCase() === k.toLowerCase());
  const custom = Object.entries(given).filter(([k, v]) => k.startsWith("urn:") && !isKnown(k) && isObj(v));
  const patchable = Object.fromEntries(Object.entries(given).filter(([k]) => !custom.some(([c]) => c === k)));
  const { next } = applyPatch(rt, base, [{ op: "replace", target: { kind: "none" }, value: patchable, hasValue: true }]);
  for (const [k, v] of custom) next[k] = isObj(next[k]) ? { ...(next[k] as Obj), ...(v as Obj) } : v;
  // `schemas` names the core schema and each extension the resource now holds (known or not).
  const held: string[] = [rt.schema.id];
  for (const s of [...known, ...(Array.isArray(stored.schemas) ? stored.schemas : []), ...(Array.isArray(importedSchemas) ? importedSchemas : [])]) {
    if (typeof s !== "string" || held.some((h) => h.toLowerCase() === s.toLowerCase())) continue;
    const key = Object.keys(next).find((k) => k.toLowerCase() === s.toLowerCase());
    if (key !== undefined && next[key] !== undefined) held.push(key);
  }
  return { ...next, schemas: held };
}

export const mergeUser = (stored: Attributes, imported: Attributes, mode: ImportMode): Attributes => mergeResource(userResourceType, stored, imported, mode);

export interface AttributeChange {
  /** `title`, `name.givenName`, `emails`, `urn:…:enterprise:2.0:User:department`. */
  attribute: string;
  old: unknown;
  new: unknown;
}

/**
 * Attribute by attribute, old and new value (null for absent): a complex single value or an
 * extension is compared one level down, so a changed `name.familyName` shows as itself; multi-valued
 * attributes (`emails`) compare whole. `schemas`, `meta` and `id` are bookkeeping, not shown.
 */
export function attributeChanges(before: Attributes, after: Attributes): AttributeChange[] {
  const out: AttributeChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !/^(schemas|meta|id|groups)$/.test(k)).sort();
  for (const k of keys) {
    const a = before[k];
    const b = after[k];
    if (sameJson(a, b)) continue;
    if (isObj(a) || isObj(b)) {
      const oa = isObj(a) ? a : {};
      const ob = isObj(b) ? b : {};
      const sep = k.startsWith("urn:") ? ":" : ".";
      for (const s of [...new Set([...Object.keys(oa), ...Object.keys(ob)])].sort()) {
        if (!sameJson(oa[s], ob[s])) out.push({ attribute: `${k}${sep}${s}`, old: oa[s] ?? null, new: ob[s] ?? null });
      }
      if (!isObj(a) && a !== undefined) out.push({ attribute: k, old: a, new: null });
      continue;
    }
    out.push({ attribute: k, old: a ?? null, new: b ?? null });
  }
  return out;
}

/** The attributes a change list clears (a replace import's preview lists them). */
export const clearedAttributes = (changes: readonly AttributeChange[]): string[] => changes.filter((c) => c.new === null && c.old !== null).map((c) => c.attribute);
