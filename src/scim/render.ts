import { etagOf, type Attributes, type ResourceRecord } from "./resource-service";
import { resourceTypeByName } from "./schema/registry";
import type { ResourceTypeDef } from "./schema/types";

/**
 * A stored record as a SCIM resource (RFC 7643 §3): `schemas` naming the core schema and every
 * extension present, `id`, the attributes, and `meta` (§3.1) with `version` equal to the ETag.
 */

export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

export function locationOf(rt: ResourceTypeDef, base: string, id: string): string {
  return `${base}${rt.endpoint}/${encodeURIComponent(id)}`;
}

const isObj = (v: unknown): v is Attributes => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * RFC 7643 §2.5: an unassigned multi-valued attribute and an empty one are the same, and responses
 * omit it: clients that check "the attribute was removed" look for absence, not `[]`. Also inside
 * extension objects; an extension left with nothing assigned is omitted with its `schemas` entry.
 * Documents stored with `[]` (an IdP's PUT of `roles: []`) read back without it.
 */
function withoutEmptyLists(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (Array.isArray(value) && value.length === 0) continue;
    if (isObj(value) && key.toLowerCase().startsWith("urn:")) {
      const inner = withoutEmptyLists(value);
      if (Object.keys(inner).length > 0) out[key] = inner;
      continue;
    }
    out[key] = value;
  }
  return out;
}

/**
 * RFC 7643 §4.1.2 and §4.2: `$ref` on the references the server keeps (a user's `groups`, a group's
 * `members`), the referenced resource's URI built as its `meta.location` is. Read from the schema: a
 * multi-valued attribute whose `$ref` the client can't set (readOnly or immutable) and names resource
 * types; an element's `type` picks the type when it names one ("User"), else the only one there is.
 * Always computed, never stored: the URI depends on the base URL the request came in on.
 */
function withReferences(rt: ResourceTypeDef, attributes: Attributes, base: string): Attributes {
  let out = attributes;
  for (const def of rt.schema.attributes) {
    const ref = def.multiValued ? def.subAttributes?.find((a) => a.name === "$ref") : undefined;
    const values = attributes[def.name];
    if (!ref || ref.mutability === "readWrite" || !Array.isArray(values)) continue;
    const targets = (ref.referenceTypes ?? []).map(resourceTypeByName).filter((t): t is ResourceTypeDef => t !== undefined);
    const targetOf = (type: unknown) => targets.find((t) => typeof type === "string" && t.name.toLowerCase() === type.toLowerCase()) ?? (targets.length === 1 ? targets[0] : undefined);
    out = {
      ...out,
      [def.name]: values.map((v: unknown) => {
        if (!isObj(v) || typeof v.value !== "string") return v;
        const target = targetOf(v.type);
        if (!target) return v;
        const { $ref: _stored, ...rest } = v;
        return { value: v.value, $ref: locationOf(target, base, v.value), ...rest };
      }),
    };
  }
  return out;
}

export function renderResource(rt: ResourceTypeDef, record: ResourceRecord, base: string): Attributes {
  const { schemas: _ignored, ...stored } = record.attributes;
  const attributes = withReferences(rt, withoutEmptyLists(stored), base);
  const extensions = rt.extensions.map((e) => e.schema.id).filter((urn) => attributes[urn] !== undefined);
  // Custom extensions kept as sent (keys that look like URNs and are not ours).
  const custom = Object.keys(attributes).filter((k) => k.startsWith("urn:") && !extensions.includes(k));
  return {
    schemas: [rt.schema.id, ...extensions, ...custom],
    id: record.id,
    ...attributes,
    meta: {
      resourceType: rt.name,
      created: record.created.toISOString(),
      lastModified: record.lastModified.toISOString(),
      location: locationOf(rt, base, record.id),
      version: etagOf(record.version),
    },
  };
}

export function listResponse(total: number, startIndex: number, resources: Attributes[]): Attributes {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
