import type { AttributeDef, SchemaDef } from "./types";

/**
 * RFC 7643 §3.1 common attributes (`id`, `externalId`, `meta`). They belong to every resource but
 * to no schema, so they are not listed in `/Schemas`; filters, sorting and projection still resolve
 * them. Kept here as a pseudo-schema whose id is the resource's core schema at resolution time.
 */
const metaSub = (name: string, type: AttributeDef["type"]): AttributeDef => ({
  name,
  type,
  multiValued: false,
  description: `meta.${name}`,
  required: false,
  caseExact: name === "version" || name === "location",
  mutability: "readOnly",
  returned: "default",
  uniqueness: "none",
  ...(type === "reference" ? { referenceTypes: ["uri"] } : {}),
});

export const commonAttributes: readonly AttributeDef[] = [
  {
    name: "id",
    type: "string",
    multiValued: false,
    description: "Unique identifier for the resource, assigned by the service provider.",
    required: false,
    caseExact: true,
    mutability: "readOnly",
    returned: "always",
    uniqueness: "server",
  },
  {
    name: "externalId",
    type: "string",
    multiValued: false,
    description: "Identifier of the resource as defined by the provisioning client.",
    required: false,
    caseExact: true,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
  },
  {
    name: "meta",
    type: "complex",
    multiValued: false,
    description: "Resource metadata.",
    required: false,
    caseExact: false,
    mutability: "readOnly",
    returned: "default",
    uniqueness: "none",
    subAttributes: [
      metaSub("resourceType", "string"),
      metaSub("created", "dateTime"),
      metaSub("lastModified", "dateTime"),
      metaSub("location", "reference"),
      metaSub("version", "string"),
    ],
  },
];

/** Wraps the common attributes as a schema so that resolution can return one uniform shape. */
export function commonSchemaFor(core: SchemaDef): SchemaDef {
  return { id: core.id, name: core.name, description: core.description, attributes: commonAttributes };
}
