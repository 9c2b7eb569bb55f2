import { etagOf, type Attributes, type ResourceRecord } from "./resource-service";
import type { ResourceTypeDef } from "./schema/types";

/**
 * A stored record as a SCIM resource (RFC 7643 §3): `schemas` naming the core schema and every
 * extension present, `id`, the attributes, and `meta` (§3.1) with `version` equal to the ETag.
 */

export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

export function locationOf(rt: ResourceTypeDef, base: string, id: string): string {
  return `${base}${rt.endpoint}/${encodeURIComponent(id)}`;
}

export function renderResource(rt: ResourceTypeDef, record: ResourceRecord, base: string): Attributes {
  const { schemas: _ignored, ...attributes } = record.attributes;
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
