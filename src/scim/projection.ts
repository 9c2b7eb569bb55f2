import { resolvePath, schemaByUrn } from "./schema/resolve";
import type { ResolvedPath, ResourceTypeDef } from "./schema/types";

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) with the `returned` rules of
 * RFC 7643 §7: `id` and `schemas` always come back, `returned: never` (password) never does.
 * Unknown names are ignored rather than failing the request (a client asking for an attribute we
 * don't have gets a resource without it, as with any absent attribute).
 */

type Obj = Record<string, unknown>;

/** One selected or excluded thing: an attribute (maybe a sub-attribute) or a whole extension. */
type Selector = { kind: "path"; path: ResolvedPath } | { kind: "extension"; urn: string };

export interface Projection {
  attributes: Selector[] | undefined;
  excluded: Selector[];
}

export const NO_PROJECTION: Projection = { attributes: undefined, excluded: [] };

function selectors(rt: ResourceTypeDef, text: string | undefined): Selector[] {
  if (!text) return [];
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .flatMap((name): Selector[] => {
      const ext = schemaByUrn(rt, name);
      if (ext?.extension) return [{ kind: "extension", urn: ext.schema.id }];
      const path = resolvePath(rt, name);
      return path ? [{ kind: "path", path }] : [];
    });
}

export function parseProjection(rt: ResourceTypeDef, params: { attributes: string | undefined; excludedAttributes: string | undefined }): Projection {
  return {
    attributes: params.attributes === undefined ? undefined : selectors(rt, params.attributes),
    excluded: selectors(rt, params.excludedAttributes),
  };
}

/** Where a path's attribute sits in the rendered resource: the top level or an extension object. */
function locate(res: Obj, path: ResolvedPath): Obj | undefined {
  if (!path.extension) return res;
  const ext = res[path.schema.id];
  return ext && typeof ext === "object" && !Array.isArray(ext) ? (ext as Obj) : undefined;
}

function pickSub(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => (v && typeof v === "object" ? { [sub]: (v as Obj)[sub] } : v));
  if (value && typeof value === "object") return { [sub]: (value as Obj)[sub] };
  return undefined;
}

function dropSub(value: unknown, sub: string): unknown {
  const strip = (v: unknown) => (v && typeof v === "object" ? Object.fromEntries(Object.entries(v as Obj).filter(([k]) => k !== sub)) : v);
  return Array.isArray(value) ? value.map(strip) : strip(value);
}

function mergeInto(target: Obj, key: string, value: unknown): void {
  const cur = target[key];
  if (Array.isArray(cur) && Array.isArray(value)) target[key] = cur.map((c, i) => ({ ...(c as Obj), ...(value[i] as Obj) }));
  else if (cur && typeof cur === "object" && value && typeof value === "object") target[key] = { ...(cur as Obj), ...(value as Obj) };
  else target[key] = value;
}

/** Attributes every response carries whatever the projection: `returned: always`, plus schemas. */
function alwaysReturned(rt: ResourceTypeDef, res: Obj): Obj {
  const out: Obj = { schemas: res.schemas, id: res.id };
  for (const a of rt.schema.attributes) if (a.returned === "always" && res[a.name] !== undefined) out[a.name] = res[a.name];
  return out;
}

function include(rt: ResourceTypeDef, res: Obj, selected: Selector[]): Obj {
  const out = alwaysReturned(rt, res);
  for (const s of selected) {
    if (s.kind === "extension") {
      if (res[s.urn] !== undefined) out[s.urn] = res[s.urn];
      continue;
    }
    const from = locate(res, s.path);
    const value = from?.[s.path.attribute.name];
    if (value === undefined) continue;
    const picked = s.path.subAttribute ? pickSub(value, s.path.subAttribute.name) : value;
    if (s.path.extension) {
      const ext = (out[s.path.schema.id] as Obj | undefined) ?? {};
      mergeInto(ext, s.path.attribute.name, picked);
      out[s.path.schema.id] = ext;
    } else {
      mergeInto(out, s.path.attribute.name, picked);
    }
  }
  return out;
}

function exclude(res: Obj, excluded: Selector[]): Obj {
  const out: Obj = structuredClone(res);
  for (const s of excluded) {
    if (s.kind === "extension") {
      delete out[s.urn];
      continue;
    }
    if (s.path.attribute.returned === "always") continue;
    const at = locate(out, s.path);
    if (!at) continue;
    if (s.path.subAttribute) at[s.path.attribute.name] = dropSub(at[s.path.attribute.name], s.path.subAttribute.name);
    else delete at[s.path.attribute.name];
  }
  return out;
}

/** Removes what is never returned (the password, should it ever appear). */
function withoutNever(rt: ResourceTypeDef, res: Obj): Obj {
  const never = rt.schema.attributes.filter((a) => a.returned === "never").map((a) => a.name);
  if (!never.some((n) => n in res)) return res;
  return Object.fromEntries(Object.entries(res).filter(([k]) => !never.includes(k)));
}

export function project(rt: ResourceTypeDef, resource: Obj, projection: Projection): Obj {
  const visible = withoutNever(rt, resource);
  if (projection.attributes !== undefined) return include(rt, visible, projection.attributes);
  if (projection.excluded.length > 0) return exclude(visible, projection.excluded);
  return visible;
}

/** Whether the response will show the attribute (lets Groups skip loading members). */
export function showsAttribute(projection: Projection, name: string): boolean {
  const names = (list: Selector[]) => list.some((s) => s.kind === "path" && !s.path.extension && s.path.attribute.name === name);
  if (projection.attributes !== undefined) return names(projection.attributes);
  return !projection.excluded.some((s) => s.kind === "path" && !s.path.extension && s.path.attribute.name === name && !s.path.subAttribute);
}
