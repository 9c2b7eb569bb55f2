import { ScimError } from "../errors";
import { matchesElement } from "../filter/evaluate";
import type { Filter } from "../filter/ast";
import { resolvePath } from "../schema/resolve";
import type { AttributeDef, ResolvedPath, ResourceTypeDef } from "../schema/types";
import { normalizeValue } from "../schema/validate";
import { memberOpFor, type MemberOp } from "./members";
import type { PatchOperation, PatchTarget } from "./parse";

/**
 * Applies PatchOp operations (RFC 7644 §3.5.2) to a stored resource, purely: returns the next
 * attributes and whether anything changed (a PATCH that changes nothing must write nothing: Entra
 * re-sends `active=true` every cycle). Values are typed as on create (string booleans, manager as a
 * bare id). Attributes named in `detached` (a Group's members) come back as set operations instead.
 */

type Obj = Record<string, unknown>;

export interface PatchResult {
  next: Obj;
  changed: boolean;
  detached: MemberOp[];
}

const mutability = (detail: string) => ScimError.badRequest("mutability", detail);
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Equality of JSON values (prototypes don't matter: documents come from the database or a parser). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/** The object that holds the attribute: the resource, or its extension's object (created on write). */
function holder(res: Obj, path: ResolvedPath, create: boolean): Obj | undefined {
  if (!path.extension) return res;
  const existing = res[path.schema.id];
  if (isObj(existing)) return existing;
  if (!create) return undefined;
  const made: Obj = {};
  res[path.schema.id] = made;
  return made;
}

function checkWritable(path: ResolvedPath, current: unknown): void {
  const leaf = path.subAttribute ?? path.attribute;
  if (path.attribute.mutability === "readOnly" || leaf.mutability === "readOnly") throw mutability(`${path.canonical} is read-only`);
  if (leaf.mutability === "immutable" && current !== undefined) throw mutability(`${path.canonical} is immutable once set`);
}

/** RFC 7643 §2.4: at most one primary value; the newest one wins. */
function onePrimary(items: unknown[], newest: ReadonlySet<unknown>): unknown[] {
  const fresh = items.filter((i) => newest.has(i) && isObj(i) && i.primary === true);
  if (fresh.length === 0) return items;
  const keep = fresh[fresh.length - 1];
  return items.map((i) => (isObj(i) && i.primary === true && i !== keep ? { ...i, primary: false } : i));
}

/** An element built from the `eq` conditions of a filter (Entra adds to `emails[type eq "work"].value` before the item exists). */
function elementFromFilter(f: Filter): Obj {
  if (f.kind === "compare" && f.op === "eq" && f.path.subAttribute) return { [f.path.subAttribute.name]: f.value };
  if (f.kind === "and") return Object.assign({}, ...f.filters.map(elementFromFilter)) as Obj;
  throw ScimError.badRequest("noTarget", "no value matches the filter, and it does not say how to create one (use eq conditions)");
}

function setAttribute(res: Obj, path: ResolvedPath, op: "add" | "replace", raw: unknown): void {
  const h = holder(res, path, true)!;
  const attr = path.attribute;
  if (path.subAttribute) {
    if (attr.multiValued) throw ScimError.badRequest("invalidPath", `${path.canonical}: select the values with a filter, e.g. ${attr.name}[type eq "work"].${path.subAttribute.name}`);
    const parent = isObj(h[attr.name]) ? { ...(h[attr.name] as Obj) } : {};
    checkWritable(path, parent[path.subAttribute.name]);
    const v = normalizeValue(path.subAttribute, raw, path.canonical);
    if (v === undefined) delete parent[path.subAttribute.name];
    else parent[path.subAttribute.name] = v;
    h[attr.name] = parent;
    return;
  }
  checkWritable(path, h[attr.name]);
  if (attr.multiValued) {
    const items = (normalizeValue(attr, Array.isArray(raw) ? raw : [raw], path.canonical) as unknown[] | undefined) ?? [];
    const current = Array.isArray(h[attr.name]) ? (h[attr.name] as unknown[]) : [];
    const merged = op === "replace" ? items : [...current, ...items.filter((i) => !current.some((c) => sameJson(c, i)))];
    h[attr.name] = onePrimary(merged, new Set(items));
    return;
  }
  const v = normalizeValue(attr, raw, path.canonical);
  if (v === undefined) delete h[attr.name];
  // RFC 7644 §3.5.2.1/3: a complex value's sub-attributes are merged; those not given stay.
  else if (attr.type === "complex" && isObj(v) && isObj(h[attr.name])) h[attr.name] = { ...(h[attr.name] as Obj), ...v };
  else h[attr.name] = v;
}

function applyFiltered(res: Obj, t: Extract<PatchTarget, { kind: "filtered" }>, op: PatchOperation["op"], raw: unknown): void {
  const h = holder(res, t.path, op !== "remove");
  const attr = t.path.attribute;
  const leafPath: ResolvedPath = t.sub ? { ...t.path, subAttribute: t.sub, canonical: `${t.path.canonical}.${t.sub.name}` } : t.path;
  checkWritable(t.path.subAttribute ? t.path : leafPath, undefined);
  const single = !attr.multiValued;
  const current: unknown[] = h === undefined ? [] : single ? (h[attr.name] === undefined ? [] : [h[attr.name]]) : Array.isArray(h[attr.name]) ? [...(h[attr.name] as unknown[])] : [];
  const hits = current.map((e) => matchesElement(t.filter, e));
  if (op === "remove") {
    if (!hits.some(Boolean)) throw ScimError.badRequest("noTarget", `no value of ${attr.name} matches the filter`);
    const kept = t.sub ? current.map((e, i) => (hits[i] && isObj(e) ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== t.sub!.name)) : e)) : current.filter((_, i) => !hits[i]);
    if (kept.length === 0) delete h![attr.name];
    else h![attr.name] = single ? kept[0] : kept;
    return;
  }
  const change = (e: unknown): unknown => {
    const base = isObj(e) ? e : {};
    if (t.sub) return { ...base, [t.sub.name]: normalizeValue(t.sub, raw, leafPath.canonical) };
    const v = normalizeValue({ ...attr, multiValued: false }, raw, t.path.canonical);
    return isObj(v) ? { ...base, ...v } : base;
  };
  let next: unknown[];
  if (hits.some(Boolean)) next = current.map((e, i) => (hits[i] ? change(e) : e));
  else next = [...current, change(elementFromFilter(t.filter))];
  const changed = new Set(next.filter((e, i) => e !== current[i]));
  h![attr.name] = single ? next[0] : onePrimary(next, changed);
}

function removeAttribute(res: Obj, path: ResolvedPath, raw: unknown, hasValue: boolean): void {
  const h = holder(res, path, false);
  checkWritable(path, undefined);
  if (!h) return;
  const attr = path.attribute;
  if (path.subAttribute) {
    if (attr.multiValued && Array.isArray(h[attr.name])) {
      h[attr.name] = (h[attr.name] as unknown[]).map((e) => (isObj(e) ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== path.subAttribute!.name)) : e));
    } else if (isObj(h[attr.name])) {
      const parent = { ...(h[attr.name] as Obj) };
      delete parent[path.subAttribute.name];
      h[attr.name] = parent;
    }
    return;
  }
  if (attr.multiValued && hasValue && raw !== null && Array.isArray(h[attr.name])) {
    // A value list on a multi-valued remove removes those values only (Entra's shape).
    const gone = (normalizeValue(attr, Array.isArray(raw) ? raw : [raw], path.canonical) as unknown[]) ?? [];
    const kept = (h[attr.name] as unknown[]).filter((e) => !gone.some((g) => isObj(g) && isObj(e) ? g.value === e.value : sameJson(g, e)));
    if (kept.length > 0) h[attr.name] = kept;
    else delete h[attr.name];
    return;
  }
  delete h[attr.name];
}

function pathlessKeys(rt: ResourceTypeDef, value: Obj): [ResolvedPath | "extension" | undefined, string, unknown][] {
  return Object.entries(value).map(([k, v]) => {
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === k.toLowerCase());
    return [ext ? "extension" : resolvePath(rt, k), ext ? ext.schema.id : k, v];
  });
}

export function applyPatch(rt: ResourceTypeDef, resource: Obj, operations: PatchOperation[], options: { detached?: readonly string[] } = {}): PatchResult {
  const res = structuredClone(resource);
  const detached: MemberOp[] = [];
  const isDetached = (p: ResolvedPath) => !p.extension && (options.detached ?? []).includes(p.attribute.name);

  const one = (op: PatchOperation["op"], target: PatchTarget, value: unknown, hasValue: boolean): void => {
    if (target.kind === "none") {
      for (const [path, key, v] of pathlessKeys(rt, value as Obj)) {
        // Pathless values echo the server's own attributes (Okta sends `id` when renaming a group).
        if (path === undefined) {
          if (/^(id|meta|schemas)$/i.test(key)) continue;
          throw ScimError.badRequest("invalidPath", `"${key}" does not name an attribute of ${rt.name}`);
        }
        if (path === "extension") {
          if (!isObj(v)) throw ScimError.badRequest("invalidValue", `${key} must be an object`);
          for (const [sub, sv] of Object.entries(v)) {
            // Some client libraries serialise their extension model whole, `schemas` included: it
            // names the schema the path already names, and is no attribute of it.
            if (sub.toLowerCase() === "schemas") continue;
            one(op, { kind: "attribute", path: resolvePath(rt, `${key}:${sub}`) ?? invalidPath(`${key}:${sub}`) }, sv, true);
          }
          continue;
        }
        if (path.attribute.mutability === "readOnly" && !path.subAttribute) continue;
        one(op, { kind: "attribute", path }, v, true);
      }
      return;
    }
    if (target.kind === "extension") {
      if (op === "remove") {
        delete res[target.schema.id];
        return;
      }
      if (!isObj(value)) throw ScimError.badRequest("invalidValue", `${target.schema.id} must be an object`);
      one(op, { kind: "none" }, { [target.schema.id]: value }, true);
      return;
    }
    if (isDetached(target.path)) {
      detached.push(memberOpFor(op, target, value, hasValue));
      return;
    }
    const leaf: AttributeDef = target.kind === "attribute" ? (target.path.subAttribute ?? target.path.attribute) : target.path.attribute;
    if (leaf.mutability === "writeOnly") return; // the password: accepted, never stored
    if (target.kind === "filtered") applyFiltered(res, target, op, value);
    else if (op === "remove") removeAttribute(res, target.path, value, hasValue);
    else setAttribute(res, target.path, op, value);
  };

  for (const o of operations) one(o.op, o.target, o.value, o.hasValue);
  for (const e of rt.extensions) if (isObj(res[e.schema.id]) && Object.keys(res[e.schema.id] as Obj).length === 0) delete res[e.schema.id];
  return { next: res, changed: !sameJson(res, resource), detached };
}

function invalidPath(p: string): never {
  throw ScimError.badRequest("invalidPath", `"${p}" does not name an attribute`);
}
