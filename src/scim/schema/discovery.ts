import { LIST_RESPONSE_SCHEMA } from "../render";
import type { AttributeDef, ResourceTypeDef, SchemaDef } from "./types";

/**
 * `/Schemas` (RFC 7643 §7) and `/ResourceTypes` (§6), derived from the registry. Both lists are
 * served as ListResponses, the shape Okta and Entra read.
 */

type Obj = Record<string, unknown>;

function attributeDocument(a: AttributeDef): Obj {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    // On every attribute, not only strings: strict clients building models from /Schemas require it.
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeDocument) } : {}),
  };
}

export function schemaDocument(schema: SchemaDef, base: string): Obj {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: "Schema", location: `${base}/Schemas/${schema.id}` },
  };
}

export function resourceTypeDocument(rt: ResourceTypeDef, base: string): Obj {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema.id,
    schemaExtensions: rt.extensions.map((e) => ({ schema: e.schema.id, required: e.required })),
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/${rt.name}` },
  };
}

/** Every schema of the served resource types, once. */
export function allSchemas(served: readonly ResourceTypeDef[]): SchemaDef[] {
  const seen = new Map<string, SchemaDef>();
  for (const rt of served) for (const s of [rt.schema, ...rt.extensions.map((e) => e.schema)]) seen.set(s.id, s);
  return [...seen.values()];
}

function list(resources: Obj[]): Obj {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}

export const schemasList = (served: readonly ResourceTypeDef[], base: string): Obj => list(allSchemas(served).map((s) => schemaDocument(s, base)));
export const resourceTypesList = (served: readonly ResourceTypeDef[], base: string): Obj =>
  list(served.map((rt) => resourceTypeDocument(rt, base)));
