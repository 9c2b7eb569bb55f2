import { commonAttributes, commonSchemaFor } from "./common";
import type { AttributeDef, ResolvedPath, ResourceTypeDef, SchemaDef } from "./types";

function findAttr(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  const lower = name.toLowerCase();
  return list?.find((a) => a.name.toLowerCase() === lower);
}

/** The schema (core or extension) whose URN the path starts with, and the rest of the path. */
export function splitUrn(
  rt: ResourceTypeDef,
  path: string,
): { schema: SchemaDef; extension: boolean; rest: string; explicitUrn: boolean } {
  const lower = path.toLowerCase();
  const candidates: { schema: SchemaDef; extension: boolean }[] = [
    { schema: rt.schema, extension: false },
    ...rt.extensions.map((e) => ({ schema: e.schema, extension: true })),
  ];
  for (const c of candidates) {
    const prefix = `${c.schema.id.toLowerCase()}:`;
    if (lower.startsWith(prefix)) {
      return { ...c, rest: path.slice(prefix.length), explicitUrn: true };
    }
  }
  return { schema: rt.schema, extension: false, rest: path, explicitUrn: false };
}

/** The extension or core schema named exactly by `urn` (case-insensitive), if any. */
export function schemaByUrn(rt: ResourceTypeDef, urn: string): { schema: SchemaDef; extension: boolean } | undefined {
  const lower = urn.toLowerCase();
  if (rt.schema.id.toLowerCase() === lower) return { schema: rt.schema, extension: false };
  const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === lower);
  return ext ? { schema: ext.schema, extension: true } : undefined;
}

/**
 * Resolves an attribute path (RFC 7644 §3.10: `[URN ":"] attrName ["." subAttr]`) against a resource
 * type, case-insensitively (RFC 7643 §2.1). Without a URN the path is looked up in the core schema
 * and the common attributes (`id`, `externalId`, `meta`), then in the one extension that defines it.
 * Returns undefined for a path that names nothing.
 */
export function resolvePath(rt: ResourceTypeDef, path: string): ResolvedPath | undefined {
  const { schema, extension, rest, explicitUrn } = splitUrn(rt, path);
  if (rest === "") return undefined;
  const dot = rest.indexOf(".");
  const head = dot === -1 ? rest : rest.slice(0, dot);
  const tail = dot === -1 ? undefined : rest.slice(dot + 1);
  if (tail !== undefined && (tail === "" || tail.includes("."))) return undefined;

  let owner = schema;
  let inExtension = extension;
  let attribute = findAttr(schema.attributes, head);
  if (!attribute && !extension) {
    attribute = findAttr(commonAttributes, head);
    owner = commonSchemaFor(rt.schema);
  }
  if (!attribute && !explicitUrn) {
    // Not RFC-strict, but what IdPs send (Entra patches `"path": "manager"`): an unqualified name that
    // exactly one extension defines means that extension's attribute.
    const candidates = rt.extensions.filter((e) => findAttr(e.schema.attributes, head));
    if (candidates.length === 1) {
      owner = candidates[0]!.schema;
      inExtension = true;
      attribute = findAttr(owner.attributes, head);
    }
  }
  if (!attribute) return undefined;

  let subAttribute: AttributeDef | undefined;
  if (tail !== undefined) {
    subAttribute = findAttr(attribute.subAttributes, tail);
    if (!subAttribute) return undefined;
  }
  const local = subAttribute ? `${attribute.name}.${subAttribute.name}` : attribute.name;
  return {
    schema: owner,
    extension: inExtension,
    attribute,
    ...(subAttribute ? { subAttribute } : {}),
    canonical: inExtension ? `${owner.id}:${local}` : local,
  };
}
